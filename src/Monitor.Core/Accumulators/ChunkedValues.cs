using System.Runtime.CompilerServices;

namespace Monitor.Core.Accumulators;

/// <summary>
/// The exact values of a numeric accumulator, in chunks of 8,192 (64 KiB). One array doubled up to the exact
/// limit (800 KB at 100,000 values) lived on the large object heap: every growth step and every switch to a
/// sketch left a large array that only a full collection frees, and with hundreds of features the daemon's
/// RSS grew with that garbage (docs/benchmarks.md, memory). Chunks stay below the large-object threshold and are
/// never copied to grow. The first chunk starts small and doubles, so small windows stay small. Full chunks come
/// from <see cref="ValueChunkPool"/> and go back to it when the values are released (a switch to the sketch, a
/// pane whose windows closed), so the next growing window reuses them instead of leaving gen-2 garbage.
/// </summary>
internal sealed class ChunkedValues
{
    /// <summary>Values per chunk: 64 KiB, below the large object heap's 85,000 bytes.</summary>
    public const int ChunkLength = 8192;

    private const int FirstLength = 64;

    private double[][] _chunks = [];
    private double[] _current = [];
    private int _offset;

    /// <summary>Values held.</summary>
    public int Count { get; private set; }

    /// <summary>Bytes allocated for values (the chunks' capacity).</summary>
    public long Bytes
    {
        get
        {
            long bytes = 0;
            foreach (var chunk in _chunks)
            {
                bytes += (long)chunk.Length * sizeof(double);
            }

            return bytes;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(double value)
    {
        if (_offset < _current.Length)
        {
            _current[_offset++] = value;
            Count++;
            return;
        }

        AddSlow(value);
    }

    public void AddRange(ReadOnlySpan<double> values)
    {
        foreach (double v in values)
        {
            Add(v);
        }
    }

    public void AddRange(ChunkedValues other)
    {
        ArgumentNullException.ThrowIfNull(other);
        int remaining = other.Count;
        foreach (var chunk in other._chunks)
        {
            int n = Math.Min(chunk.Length, remaining);
            AddRange(chunk.AsSpan(0, n));
            remaining -= n;
        }
    }

    /// <summary>Copies the values, in the order they came, to <paramref name="destination"/>.</summary>
    public void CopyTo(Span<double> destination)
    {
        int remaining = Count;
        int at = 0;
        foreach (var chunk in _chunks)
        {
            int n = Math.Min(chunk.Length, remaining);
            chunk.AsSpan(0, n).CopyTo(destination[at..]);
            at += n;
            remaining -= n;
        }
    }

    /// <summary>The chunks' filled parts, in order.</summary>
    public IEnumerable<ReadOnlyMemory<double>> Segments()
    {
        int remaining = Count;
        foreach (var chunk in _chunks)
        {
            int n = Math.Min(chunk.Length, remaining);
            if (n == 0)
            {
                yield break;
            }

            yield return chunk.AsMemory(0, n);
            remaining -= n;
        }
    }

    /// <summary>Releases every chunk (full ones back to the pool: nothing may read them afterwards).</summary>
    public void Clear()
    {
        foreach (var chunk in _chunks)
        {
            ValueChunkPool.Return(chunk);
        }

        _chunks = [];
        _current = [];
        _offset = 0;
        Count = 0;
    }

    public ChunkedValues Clone()
    {
        var copy = new ChunkedValues();
        copy.AddRange(this);
        return copy;
    }

    /// <summary>Writes the values as <see cref="StateWriter.Reals"/> does (a count, then each value).</summary>
    public void Write(StateWriter w)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.Count32(Count);
        foreach (var segment in Segments())
        {
            foreach (double v in segment.Span)
            {
                w.Real(v);
            }
        }
    }

    private void AddSlow(double value)
    {
        if (_chunks.Length == 1 && _current.Length < ChunkLength)
        {
            // The first chunk grows by doubling until it is a full chunk.
            int length = Math.Min(ChunkLength, _current.Length * 2);
            var grown = length == ChunkLength ? ValueChunkPool.Rent() : new double[length];
            _current.CopyTo(grown, 0);
            _current = grown;
            _chunks[0] = _current;
        }
        else
        {
            _current = _chunks.Length == 0 ? new double[FirstLength] : ValueChunkPool.Rent();
            _offset = 0;
            Array.Resize(ref _chunks, _chunks.Length + 1);
            _chunks[^1] = _current;
        }

        _current[_offset++] = value;
        Count++;
    }
}

/// <summary>
/// Full value chunks released by accumulators, for the next ones to fill. Bounded (16 MiB): an exact-memory
/// budget pass frees at least a quarter of a model's budget at once, and growing windows take it back within
/// the next few thousand events; beyond the bound chunks are left to the collector. Thread-safe (panes release
/// on the processing thread, window snapshots may be filled on others).
/// </summary>
internal static class ValueChunkPool
{
    /// <summary>Chunks kept at most (16 MiB).</summary>
    public const int MaxRetained = 256;

    private static readonly Stack<double[]> Free = new();

    /// <summary>A chunk of <see cref="ChunkedValues.ChunkLength"/> values; its contents are undefined.</summary>
    public static double[] Rent()
    {
        lock (Free)
        {
            if (Free.TryPop(out var chunk))
            {
                return chunk;
            }
        }

        return GC.AllocateUninitializedArray<double>(ChunkedValues.ChunkLength);
    }

    /// <summary>Takes back a chunk nothing references any more; smaller (first) chunks are left to the collector.</summary>
    public static void Return(double[] chunk)
    {
        if (chunk.Length != ChunkedValues.ChunkLength)
        {
            return;
        }

        lock (Free)
        {
            if (Free.Count < MaxRetained)
            {
                Free.Push(chunk);
                return;
            }
        }

        ExactValueMemory.LeftToCollector(chunk);
    }
}

/// <summary>
/// What the exact values have given back: a switch to sketches or an evaluated window releases its value chunks,
/// and those the pool cannot keep become garbage that, being old, sits in generation 2 until a full collection
/// (and then stays committed). The daemon reads this to decide when a compacting collection returns memory.
/// </summary>
public static class ExactValueMemory
{
    private static long _releasedToCollector;

    /// <summary>Bytes of exact values released to the garbage collector since the process started.</summary>
    public static long ReleasedToCollector => Interlocked.Read(ref _releasedToCollector);

    /// <summary>Counts a released chunk the pool was too full to keep.</summary>
    internal static void LeftToCollector(double[] chunk) => Interlocked.Add(ref _releasedToCollector, (long)chunk.Length * sizeof(double));
}
