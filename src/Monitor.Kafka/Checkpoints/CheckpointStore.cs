using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Monitor.Core.Accumulators;
using Monitor.Kafka.Ingest;

namespace Monitor.Kafka.Checkpoints;

/// <summary>
/// Checkpoint files in one state directory. A save is atomic and durable: the bytes go to a temporary file
/// that is fsynced, renamed over the final name, and the directory is fsynced, so after a crash the directory
/// holds either the previous checkpoints or the new one complete, never half of it. Each file ends with a
/// SHA-256 of its content, so a truncated or damaged file is recognised rather than half-restored.
/// </summary>
/// <remarks>
/// Restore takes the newest valid file. A damaged newest file is skipped (logged as a warning, left in place
/// for inspection) in favour of the previous one: that is still exact, because the ingest seeks every
/// partition to the offsets of the checkpoint it restored, whatever Kafka's committed offsets say.
/// When every file is damaged, <see cref="LoadLatest"/> throws naming them.
/// </remarks>
public sealed class CheckpointStore
{
    /// <summary>Checkpoints kept by default: the newest and two fallbacks.</summary>
    public const int DefaultKeep = 3;

    private const string Prefix = "checkpoint-";
    private const string Suffix = ".ckpt";
    private const string TempSuffix = ".tmp";
    private const int HashLength = 32;
    private static ReadOnlySpan<byte> Magic => "MCKP"u8;
    private const byte FormatVersion = 1;

    private readonly ILogger _logger;
    private readonly int _keep;

    /// <summary>Uses <paramref name="directory"/> (created if absent).</summary>
    /// <param name="directory">The state directory; one Monitor instance owns it.</param>
    /// <param name="keep">How many checkpoints to keep (at least 1; default <see cref="DefaultKeep"/>).</param>
    /// <param name="logger">Receives warnings about damaged files.</param>
    public CheckpointStore(string directory, int keep = DefaultKeep, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 1);
        Directory = Path.GetFullPath(directory);
        _keep = keep;
        _logger = logger ?? NullLogger.Instance;
        System.IO.Directory.CreateDirectory(Directory);
    }

    /// <summary>The state directory.</summary>
    public string Directory { get; }

    /// <summary>The highest sequence number among the files present (valid or not), or −1.</summary>
    public long HighestSequence => Files().Select(f => f.Sequence).DefaultIfEmpty(-1).Max();

    /// <summary>Writes <paramref name="checkpoint"/> durably and prunes the oldest beyond the kept count.</summary>
    /// <returns>The file's path.</returns>
    public string Save(Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        string final = Path.Combine(Directory, FileName(checkpoint.Sequence));
        string temp = final + TempSuffix;
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.None))
        {
            // Streamed: a checkpoint of large exact windows is never held in memory a second time.
            SerializeTo(checkpoint, stream);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, final, overwrite: true);
        SyncDirectory(Directory);
        Prune();
        return final;
    }

    /// <summary>
    /// Reads the newest valid checkpoint, or <see langword="null"/> when the directory holds none.
    /// </summary>
    /// <exception cref="InvalidDataException">Checkpoint files exist but none is valid (names each file and why).</exception>
    public CheckpointLoad? LoadLatest()
    {
        foreach (string temp in System.IO.Directory.EnumerateFiles(Directory, Prefix + "*" + Suffix + TempSuffix))
        {
            File.Delete(temp); // a save that never reached its rename
        }

        var files = Files().OrderByDescending(f => f.Sequence).ToList();
        var damaged = new List<string>();
        foreach (var (path, _) in files)
        {
            try
            {
                var checkpoint = Deserialize(File.ReadAllBytes(path));
                return new CheckpointLoad(checkpoint, path, damaged);
            }
            catch (InvalidDataException ex)
            {
                Log.CheckpointDamaged(_logger, path, ex.Message);
                damaged.Add($"{path}: {ex.Message}");
            }
        }

        if (damaged.Count > 0)
        {
            throw new InvalidDataException(
                $"No valid checkpoint in '{Directory}': {string.Join("; ", damaged)}. Restore a backup of the state directory, " +
                "or move the files away to start from Kafka's committed offsets with empty windows.");
        }

        return null;
    }

    /// <summary>The file name of a sequence number (zero-padded so that names sort like numbers).</summary>
    public static string FileName(long sequence) => Prefix + sequence.ToString("D19", CultureInfo.InvariantCulture) + Suffix;

    internal static byte[] Serialize(Checkpoint checkpoint)
    {
        using var memory = new MemoryStream();
        SerializeTo(checkpoint, memory);
        return memory.ToArray();
    }

    /// <summary>Writes the checkpoint's bytes to <paramref name="stream"/>, SHA-256 trailer included.</summary>
    internal static void SerializeTo(Checkpoint checkpoint, Stream stream)
    {
        using var buffer = new HashingStreamWriter(stream);
        var w = new StateWriter(buffer);
        foreach (byte b in Magic)
        {
            w.Byte(b);
        }

        w.Byte(FormatVersion);
        w.Count64(checkpoint.Sequence);
        w.Count64(checkpoint.TakenAt.UtcTicks);
        var offsets = checkpoint.Offsets.OrderBy(kv => kv.Key.Topic, StringComparer.Ordinal).ThenBy(kv => kv.Key.Partition.Value).ToList();
        w.Count32(offsets.Count);
        foreach (var (tp, offset) in offsets)
        {
            w.Text(tp.Topic);
            w.Count32(tp.Partition.Value);
            w.Count64(offset);
        }

        var names = checkpoint.Models.Keys.Concat(checkpoint.Writers.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        w.Count32(names.Count);
        foreach (string name in names)
        {
            w.Text(name);
            if (checkpoint.Writers.TryGetValue(name, out var write))
            {
                // Two passes over the same (unchanging) state: its length, then its bytes, as w.Block writes them.
                var counter = new CountingWriter();
                write(new StateWriter(counter));
                w.Count32(checked((int)counter.Written));
                write(w);
            }
            else
            {
                w.Block(checkpoint.Models[name].Span);
            }
        }

        buffer.Flush();
        stream.Write(buffer.Hash());
    }

    /// <summary>An <see cref="IBufferWriter{T}"/> that only counts what is written into it.</summary>
    private sealed class CountingWriter : IBufferWriter<byte>
    {
        private byte[] _scratch = new byte[4096];

        public long Written { get; private set; }

        public void Advance(int count) => Written += count;

        public Memory<byte> GetMemory(int sizeHint = 0) => Scratch(sizeHint);

        public Span<byte> GetSpan(int sizeHint = 0) => Scratch(sizeHint).Span;

        private Memory<byte> Scratch(int sizeHint)
        {
            if (_scratch.Length < sizeHint)
            {
                _scratch = new byte[sizeHint];
            }

            return _scratch;
        }
    }

    /// <summary>An <see cref="IBufferWriter{T}"/> writing through to a stream in 64 KiB pieces while hashing them.</summary>
    private sealed class HashingStreamWriter(Stream stream) : IBufferWriter<byte>, IDisposable
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private byte[] _buffer = new byte[64 * 1024];
        private int _used;

        public void Advance(int count) => _used += count;

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return _buffer.AsMemory(_used);
        }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return _buffer.AsSpan(_used);
        }

        public void Flush()
        {
            _hash.AppendData(_buffer, 0, _used);
            stream.Write(_buffer, 0, _used);
            _used = 0;
        }

        public byte[] Hash() => _hash.GetHashAndReset();

        public void Dispose() => _hash.Dispose();

        private void Ensure(int sizeHint)
        {
            int needed = Math.Max(sizeHint, 1);
            if (_buffer.Length - _used >= needed)
            {
                return;
            }

            Flush();
            if (_buffer.Length < needed)
            {
                _buffer = new byte[needed];
            }
        }
    }

    internal static Checkpoint Deserialize(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < Magic.Length + 1 + HashLength)
        {
            throw new InvalidDataException($"Truncated: {bytes.Length} bytes is shorter than any checkpoint.");
        }

        var body = bytes[..^HashLength];
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes[^HashLength..]))
        {
            throw new InvalidDataException($"Checksum mismatch over {bytes.Length} bytes: the file is truncated or damaged.");
        }

        if (!body[..Magic.Length].SequenceEqual(Magic))
        {
            throw new InvalidDataException("Not a Monitor checkpoint (wrong magic bytes).");
        }

        var r = new StateReader(body[Magic.Length..]);
        byte version = r.Byte();
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"Checkpoint format version {version} is not supported (expected {FormatVersion}).");
        }

        long sequence = r.Count64();
        var takenAt = new DateTimeOffset(r.Count64(), TimeSpan.Zero);
        int offsetCount = r.Count32();
        var offsets = new Dictionary<TopicPartition, long>(offsetCount);
        for (int i = 0; i < offsetCount; i++)
        {
            string topic = r.Text();
            int partition = r.Count32();
            offsets[new TopicPartition(topic, new Partition(partition))] = r.Count64();
        }

        int modelCount = r.Count32();
        var models = new Dictionary<string, ReadOnlyMemory<byte>>(modelCount, StringComparer.Ordinal);
        for (int i = 0; i < modelCount; i++)
        {
            string model = r.Text();
            models[model] = r.Block().ToArray();
        }

        if (r.Remaining != 0)
        {
            throw new InvalidDataException($"{r.Remaining} unexpected bytes after the checkpoint's content.");
        }

        return new Checkpoint(sequence, takenAt, offsets, models);
    }

    private IEnumerable<(string Path, long Sequence)> Files()
    {
        foreach (string path in System.IO.Directory.EnumerateFiles(Directory, Prefix + "*" + Suffix))
        {
            string name = Path.GetFileName(path);
            if (long.TryParse(name.AsSpan(Prefix.Length, name.Length - Prefix.Length - Suffix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out long sequence))
            {
                yield return (path, sequence);
            }
        }
    }

    private void Prune()
    {
        foreach (var (path, _) in Files().OrderByDescending(f => f.Sequence).Skip(_keep).ToList())
        {
            File.Delete(path);
        }
    }

    /// <summary>fsync on the directory makes the rename itself durable (POSIX); Windows journals it already.</summary>
    private static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }

        int fd = PosixFile.Open(directory, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            throw new IOException($"Could not open the state directory '{directory}' to sync it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (PosixFile.FSync(fd) != 0)
            {
                throw new IOException($"Could not sync the state directory '{directory}' (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = PosixFile.Close(fd);
        }
    }
}

/// <summary>A restored checkpoint and where it came from.</summary>
/// <param name="Checkpoint">The checkpoint.</param>
/// <param name="Path">Its file.</param>
/// <param name="SkippedDamaged">Newer files that were damaged and skipped, each with the reason.</param>
public sealed record CheckpointLoad(Checkpoint Checkpoint, string Path, IReadOnlyList<string> SkippedDamaged);

internal static partial class PosixFile
{
    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    internal static partial int FSync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);
}
