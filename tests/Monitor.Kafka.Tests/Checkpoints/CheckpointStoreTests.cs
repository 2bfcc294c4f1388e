using Confluent.Kafka;
using Monitor.Kafka.Checkpoints;
using Monitor.Kafka.Tests.Embedded;

namespace Monitor.Kafka.Tests.Checkpoints;

public sealed class CheckpointStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), KafkaClients.FreshName("checkpoints"));

    [Fact]
    public void Save_ThenLoadLatest_RoundTripsOffsetsAndModelState()
    {
        var store = new CheckpointStore(_directory);
        var saved = Some(sequence: 4);
        string path = store.Save(saved);

        var load = store.LoadLatest();

        Assert.NotNull(load);
        Assert.Equal(path, load.Path);
        Assert.Empty(load.SkippedDamaged);
        Assert.Equal(4, load.Checkpoint.Sequence);
        Assert.Equal(saved.TakenAt, load.Checkpoint.TakenAt);
        Assert.Equal(saved.Offsets.OrderBy(kv => kv.Key.ToString()), load.Checkpoint.Offsets.OrderBy(kv => kv.Key.ToString()));
        Assert.Equal(saved.Models["fraud"].ToArray(), load.Checkpoint.Models["fraud"].ToArray());
        Assert.Equal(saved.Models["churn"].ToArray(), load.Checkpoint.Models["churn"].ToArray());
    }

    [Fact]
    public void LoadLatest_EmptyDirectory_ReturnsNull()
    {
        Assert.Null(new CheckpointStore(_directory).LoadLatest());
    }

    [Fact]
    public void Save_MoreThanKept_PrunesTheOldestAndLeavesNoTemporaryFiles()
    {
        var store = new CheckpointStore(_directory, keep: 2);
        for (long s = 1; s <= 5; s++)
        {
            store.Save(Some(s));
        }

        var names = Directory.GetFiles(_directory).Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(new[] { CheckpointStore.FileName(4), CheckpointStore.FileName(5) }, names);
        Assert.Equal(5, store.LoadLatest()!.Checkpoint.Sequence);
        Assert.Equal(5, store.HighestSequence);
    }

    [Theory]
    [InlineData("truncate")]
    [InlineData("flip")]
    public void LoadLatest_NewestDamaged_FallsBackToThePreviousAndReportsTheFile(string damage)
    {
        var store = new CheckpointStore(_directory);
        store.Save(Some(1));
        string newest = store.Save(Some(2));
        var bytes = File.ReadAllBytes(newest);
        if (damage == "truncate")
        {
            bytes = bytes[..(bytes.Length - 10)];
        }
        else
        {
            bytes[bytes.Length / 2] ^= 0x40;
        }

        File.WriteAllBytes(newest, bytes);

        var load = store.LoadLatest();

        Assert.NotNull(load);
        Assert.Equal(1, load.Checkpoint.Sequence);
        var skipped = Assert.Single(load.SkippedDamaged);
        Assert.Contains(newest, skipped, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadLatest_EveryFileDamaged_ThrowsNamingEachFile()
    {
        var store = new CheckpointStore(_directory);
        string first = store.Save(Some(1));
        string second = store.Save(Some(2));
        File.WriteAllBytes(first, []);
        File.WriteAllBytes(second, File.ReadAllBytes(second)[..40]);

        var ex = Assert.Throws<InvalidDataException>(store.LoadLatest);

        Assert.Contains(first, ex.Message, StringComparison.Ordinal);
        Assert.Contains(second, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadLatest_LeftoverTemporaryFile_IsDeletedAndIgnored()
    {
        var store = new CheckpointStore(_directory);
        store.Save(Some(1));
        string temp = Path.Combine(_directory, CheckpointStore.FileName(2) + ".tmp");
        File.WriteAllBytes(temp, [1, 2, 3]);

        var load = store.LoadLatest();

        Assert.Equal(1, load!.Checkpoint.Sequence);
        Assert.False(File.Exists(temp));
    }

    [Fact]
    public void Serialize_StatesWrittenStraightIntoTheFile_SameBytesAsHeldStates()
    {
        // A 200 KB state (larger than the 64 KiB pieces the file is written in) next to a held one.
        var big = Enumerable.Range(0, 25_000).Select(i => i * 0.5).ToArray();
        var bytes = new System.Buffers.ArrayBufferWriter<byte>();
        new Monitor.Core.Accumulators.StateWriter(bytes).Reals(big);
        var offsets = new Dictionary<TopicPartition, long> { [new TopicPartition("predictions", 0)] = 9 };
        var asBytes = new Checkpoint(5, DateTimeOffset.UnixEpoch, offsets, new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal)
        {
            ["@alerts"] = new byte[] { 7 },
            ["fraud"] = bytes.WrittenMemory,
        });
        var streamed = new Checkpoint(5, DateTimeOffset.UnixEpoch, offsets, new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal) { ["@alerts"] = new byte[] { 7 } })
        {
            Writers = new Dictionary<string, Action<Monitor.Core.Accumulators.StateWriter>>(StringComparer.Ordinal) { ["fraud"] = w => w.Reals(big) },
        };

        Assert.Equal(CheckpointStore.Serialize(asBytes), CheckpointStore.Serialize(streamed));
        var store = new CheckpointStore(_directory);
        store.Save(streamed);
        var load = store.LoadLatest();
        Assert.Equal(bytes.WrittenSpan.ToArray(), load!.Checkpoint.Models["fraud"].ToArray());
        Assert.Equal(new byte[] { 7 }, load.Checkpoint.Models["@alerts"].ToArray());
    }

    [Fact]
    public void Serialize_SameCheckpoint_GivesIdenticalBytes()
    {
        Assert.Equal(CheckpointStore.Serialize(Some(3)), CheckpointStore.Serialize(Some(3)));
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static Checkpoint Some(long sequence) => new(
        sequence,
        new DateTimeOffset(2026, 11, 28, 7, 0, 0, TimeSpan.Zero).AddMinutes(sequence),
        new Dictionary<TopicPartition, long>
        {
            [new TopicPartition("predictions", 0)] = 100 + sequence,
            [new TopicPartition("predictions", 1)] = 7,
            [new TopicPartition("labels", 3)] = 0,
        },
        new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal)
        {
            ["fraud"] = new byte[] { 1, 2, 3, (byte)sequence },
            ["churn"] = Array.Empty<byte>(),
        });
}
