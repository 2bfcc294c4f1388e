using System.Buffers;
using FsCheck.Xunit;
using Monitor.Core.Accumulators;
using Monitor.Core.Drift;

namespace Monitor.Core.Tests.Accumulators;

public sealed class CategoricalAccumulatorTests
{
    private const string Replay = "20261128,733";

    private static readonly HashSet<string> Known = new(StringComparer.Ordinal) { "DE", "FR", "IT" };

    [Fact]
    public void Add_KnownAndUnseen_CountsEachAndTheUnseenShare()
    {
        var acc = new CategoricalAccumulator(Known, cap: 10);

        acc.Add("DE".AsSpan());
        acc.Add("DE".AsSpan());
        acc.Add("FR");
        acc.Add("US".AsSpan());
        acc.Add("US", 3);
        acc.AddMissing();
        acc.AddTypeError();

        Assert.Equal(7, acc.Count);
        Assert.Equal(4, acc.Unseen);
        Assert.Equal(1, acc.Missing);
        Assert.Equal(1, acc.TypeErrors);
        Assert.True(acc.IsExact);
        var d = acc.ToDistribution();
        Assert.Equal(2, d.CountOf("DE"));
        Assert.Equal(1, d.CountOf("FR"));
        Assert.Equal(4, d.CountOf("US"));
        Assert.Equal(7, d.Total);
    }

    [Fact]
    public void Add_UnseenBeyondCap_FoldsIntoOtherWithCountAndUnseenExact()
    {
        var acc = new CategoricalAccumulator(Known, cap: 2);

        foreach (string c in new[] { "A", "B", "C", "D", "A", "C", "DE", "FR", "IT", "E" })
        {
            acc.Add(c.AsSpan());
        }

        Assert.Equal(10, acc.Count);
        Assert.Equal(7, acc.Unseen);
        Assert.Equal(4, acc.Overflow);
        Assert.False(acc.IsExact);
        var d = acc.ToDistribution();
        Assert.Equal(2, d.CountOf("A"));
        Assert.Equal(1, d.CountOf("B"));
        Assert.Equal(0, d.CountOf("C"));
        Assert.Equal(4, d.CountOf(CategoricalDistribution.OtherCategory));
        Assert.Equal(1, d.CountOf("DE"));
        Assert.Equal(10, d.Total);
    }

    [Fact]
    public void Add_KnownCategoriesBeyondCap_AreAlwaysTracked()
    {
        var acc = new CategoricalAccumulator(Known, cap: 0);

        acc.Add("X".AsSpan());
        acc.Add("IT".AsSpan());

        Assert.Equal(1, acc.ToDistribution().CountOf("IT"));
        Assert.Equal(1, acc.Overflow);
        Assert.Equal(1, acc.Unseen);
    }

    [Fact]
    public void AddSpan_CategoriesAlreadySeen_AllocatesNothing()
    {
        var acc = new CategoricalAccumulator(Known, cap: 10);
        char[] de = "DE".ToCharArray();
        char[] it = "IT".ToCharArray();
        char[] us = "US".ToCharArray();
        acc.Add(de);
        acc.Add(it);
        acc.Add(us);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            acc.Add(de);
            acc.Add(it);
            acc.Add(us);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(30_003, acc.Count);
        Assert.Equal(10_001, acc.Unseen);
    }

    [Property(Replay = Replay, MaxTest = 150)]
    public void Merge_BelowCap_EqualsAccumulatingTheUnion(int seed)
    {
        var rng = new Random(seed);
        var (a, aValues) = Pane(rng, cap: 100);
        var (b, bValues) = Pane(rng, cap: 100);
        var union = new CategoricalAccumulator(Known, cap: 100);
        foreach (string v in aValues.Concat(bValues))
        {
            union.Add(v.AsSpan());
        }

        for (long i = 0; i < a.Missing + b.Missing; i++)
        {
            union.AddMissing();
        }

        a.Merge(b);

        Assert.Equal(union.Count, a.Count);
        Assert.Equal(union.Unseen, a.Unseen);
        Assert.Equal(union.Missing, a.Missing);
        Assert.True(a.IsExact);
        Assert.Equal(Sorted(union.ToDistribution()), Sorted(a.ToDistribution()));
        Assert.Equal(Bytes(union), Bytes(a));
    }

    [Property(Replay = Replay, MaxTest = 150)]
    public void Merge_BeyondCap_CountAndUnseenStayExact(int seed)
    {
        var rng = new Random(seed);
        var (a, aValues) = Pane(rng, cap: 3);
        var (b, bValues) = Pane(rng, cap: 3);
        string[] all = [.. aValues, .. bValues];

        a.Merge(b);

        Assert.Equal(all.Length, a.Count);
        Assert.Equal(all.Count(v => !Known.Contains(v)), a.Unseen);
        Assert.Equal(a.Count, a.ToDistribution().Total);
        Assert.True(a.ToDistribution().Counts.Keys.Count(c => !Known.Contains(c) && c != CategoricalDistribution.OtherCategory) <= 3);
        foreach (string c in Known)
        {
            Assert.Equal(all.Count(v => v == c), a.ToDistribution().CountOf(c));
        }
    }

    [Property(Replay = Replay, MaxTest = 100)]
    public void WriteRead_AnyState_BitForBitAndContinuesIdentically(int seed)
    {
        var rng = new Random(seed);
        var (original, _) = Pane(rng, cap: rng.Next(0, 8));
        byte[] first = Bytes(original);

        var reader = new StateReader(first);
        var restored = CategoricalAccumulator.Read(ref reader, Known, original.Cap);

        Assert.Equal(0, reader.Remaining);
        Assert.Equal(first, Bytes(restored));
        var (_, more) = Pane(rng, cap: 1);
        foreach (string v in more)
        {
            original.Add(v.AsSpan());
            restored.Add(v.AsSpan());
        }

        Assert.Equal(Bytes(original), Bytes(restored));
        Assert.Equal(original.Unseen, restored.Unseen);
    }

    [Property(Replay = Replay, MaxTest = 50)]
    public void Clone_AnyState_SerialisesIdentically(int seed)
    {
        var rng = new Random(seed);
        var (original, _) = Pane(rng, cap: rng.Next(0, 8));

        Assert.Equal(Bytes(original), Bytes(original.Clone()));
    }

    [Fact]
    public void Read_WrongTag_ThrowsInvalidData()
    {
        byte[] bytes = [0x4E, 1, 0, 0];

        Assert.Throws<InvalidDataException>(() =>
        {
            var reader = new StateReader(bytes);
            CategoricalAccumulator.Read(ref reader, Known, 10);
        });
    }

    private static (CategoricalAccumulator Acc, string[] Values) Pane(Random rng, int cap)
    {
        var acc = new CategoricalAccumulator(Known, cap);
        var values = new string[rng.Next(0, 200)];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = rng.Next(3) == 0 ? "u" + rng.Next(0, 12).ToString(System.Globalization.CultureInfo.InvariantCulture) : Known.ElementAt(rng.Next(Known.Count));
            acc.Add(values[i].AsSpan());
        }

        int missing = rng.Next(0, 4);
        for (int i = 0; i < missing; i++)
        {
            acc.AddMissing();
        }

        return (acc, values);
    }

    private static KeyValuePair<string, long>[] Sorted(CategoricalDistribution d) =>
        [.. d.Counts.OrderBy(kv => kv.Key, StringComparer.Ordinal)];

    private static byte[] Bytes(CategoricalAccumulator acc)
    {
        var buffer = new ArrayBufferWriter<byte>();
        acc.Write(new StateWriter(buffer));
        return buffer.WrittenSpan.ToArray();
    }
}
