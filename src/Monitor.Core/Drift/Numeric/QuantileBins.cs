using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Monitor.Core.Drift.Numeric;

/// <summary>
/// Bins cut at the reference sample's quantiles, shared by PSI, Jensen–Shannon, Hellinger and KL. Baselines
/// persist <see cref="Edges"/>, and streaming windows count their values into the same bins exactly, so the
/// binned statistics of a window never need its raw values.
/// </summary>
/// <remarks>
/// <see cref="Edges"/> are the inner cut points: the inverted-CDF quantiles of the reference at i/B for
/// i = 1..B−1 (the smallest value whose cumulative weight reaches i·N/B, with the rank computed in exact integer
/// arithmetic), with duplicates dropped, so ties and discrete data give fewer than B bins. Bins are right-closed:
/// bin k holds (Edges[k−1], Edges[k]]; the first bin is open to −∞ and the last to +∞, so values outside the
/// reference range fall into the outer bins. A constant reference gives one edge and two bins.
/// </remarks>
public sealed class QuantileBins
{
    /// <summary>The default number of bins (10, deciles).</summary>
    public const int DefaultBinCount = 10;

    private readonly double[] _edges;

    // Up to this many edges BinOf compares with all of them in vectors instead of searching.
    private const int VectorEdgeLimit = 32;

    private readonly double[]? _padded;

    // Bins fitted through a reference's bucket index remember it and each edge's slot, so a current sample that the
    // exact KS test has already passed through that index is counted from its tally.
    private readonly object? _source;
    private readonly int[]? _edgeSlots;

    private QuantileBins(double[] edges, object? source = null, int[]? edgeSlots = null)
    {
        _edges = edges;
        _source = source;
        _edgeSlots = edgeSlots;
        if (edges.Length <= VectorEdgeLimit)
        {
            int width = Vector256<double>.Count;
            _padded = new double[Math.Max(width, (edges.Length + width - 1) / width * width)];
            Array.Fill(_padded, double.PositiveInfinity);
            edges.CopyTo(_padded, 0);
        }
    }

    /// <summary>The inner cut points in strictly ascending order.</summary>
    public ReadOnlySpan<double> Edges => _edges;

    /// <summary>The number of bins: one more than the number of edges.</summary>
    public int BinCount => _edges.Length + 1;

    /// <summary>The bin of <paramref name="x"/>: the number of edges strictly below it (binary search).</summary>
    public int BinOf(double x)
    {
        if (double.IsNaN(x))
        {
            throw new ArgumentException("NaN has no bin; count it as a data-quality error before binning.", nameof(x));
        }

        // Decile bins have nine edges: count the edges below x four at a time (padding is +∞, never below x).
        // Branch-free, so random data does not pay a mispredicted branch per halving as a binary search does.
        if (_padded is { } padded && Vector256.IsHardwareAccelerated)
        {
            var v = Vector256.Create(x);
            ref double e = ref MemoryMarshal.GetArrayDataReference(padded);
            uint below = 0;
            for (int i = 0; i < padded.Length; i += Vector256<double>.Count)
            {
                below += (uint)BitOperations.PopCount(Vector256.LessThan(Vector256.LoadUnsafe(ref e, (nuint)i), v).ExtractMostSignificantBits());
            }

            return (int)below;
        }

        int lo = 0;
        int hi = _edges.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_edges[mid] < x)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>
    /// Counts a sample (weights included) into the bins: an exact sample in one pass over its values in any order
    /// (no sort), a weighted one by a merge walk over its sorted values.
    /// </summary>
    public long[] Count(NumericSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (sample.IsWeighted)
        {
            return CountSorted(sample);
        }

        return TryCountFromTally(sample) ?? CountUnordered(sample.UnorderedValues, _edges);
    }

    /// <summary>
    /// The counts from the sample's <see cref="SlotTally"/> against the index these bins were fitted through: values
    /// in earlier slots lie below an edge and values in later slots above it, as the slot of a value is monotone.
    /// </summary>
    internal long[]? TryCountFromTally(NumericSample sample)
    {
        if (_source is null || _edgeSlots is null || sample.Tally is not { } tally || !ReferenceEquals(tally.Source, _source))
        {
            return null;
        }

        var counts = new long[BinCount];
        long previous = 0;
        for (int e = 0; e < _edges.Length; e++)
        {
            if (!tally.TryCountAtOrBelow(_edgeSlots[e], _edges[e], out long atOrBelow))
            {
                return null;
            }

            counts[e] = atOrBelow - previous;
            previous = atOrBelow;
        }

        counts[^1] = sample.Count - previous;
        return counts;
    }

    /// <summary>The counts by a merge walk over the sorted values: the reference <see cref="Count"/> must equal.</summary>
    internal long[] CountSorted(NumericSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var counts = new long[BinCount];
        var values = sample.Values;
        var weights = sample.Weights;
        int bin = 0;
        for (int i = 0; i < values.Length; i++)
        {
            while (bin < _edges.Length && _edges[bin] < values[i])
            {
                bin++;
            }

            counts[bin] += weights.IsEmpty ? 1 : weights[i];
        }

        return counts;
    }

    /// <summary>
    /// Counts values in any order: for each edge the number of values above it (compared a vector at a time,
    /// block by block so the values stay in L1 cache), then bin k = above(k − 1) − above(k).
    /// </summary>
    // Hot loop over every value: compiled fully optimised at once rather than after tier-0 and on-stack replacement.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static long[] CountUnordered(ReadOnlySpan<double> values, ReadOnlySpan<double> edges)
    {
        var counts = new long[edges.Length + 1];
        if (edges.Length > 32)
        {
            var bins = new QuantileBins(edges.ToArray());
            foreach (double x in values)
            {
                counts[bins.BinOf(x)]++;
            }

            return counts;
        }

        var above = new long[edges.Length];
        const int Block = 2048;
        int width = Vector<double>.Count;
        for (int start = 0; start < values.Length; start += Block)
        {
            var block = values.Slice(start, Math.Min(Block, values.Length - start));
            int vectorEnd = Vector.IsHardwareAccelerated ? block.Length - (block.Length % width) : 0;
            for (int e = 0; e < edges.Length; e++)
            {
                double edge = edges[e];
                var edgeVector = new Vector<double>(edge);
                var sum = Vector<long>.Zero;
                for (int i = 0; i < vectorEnd; i += width)
                {
                    sum -= Vector.LessThan(edgeVector, new Vector<double>(block[i..]));
                }

                long total = Vector.Sum(sum);
                for (int i = vectorEnd; i < block.Length; i++)
                {
                    total += block[i] > edge ? 1 : 0;
                }

                above[e] += total;
            }
        }

        long previous = values.Length;
        for (int e = 0; e < edges.Length; e++)
        {
            counts[e] = previous - above[e];
            previous = above[e];
        }

        counts[^1] = previous;
        return counts;
    }

    /// <summary>Fits bins to a reference sample.</summary>
    /// <param name="reference">A non-empty sample; weights count as multiplicities.</param>
    /// <param name="bins">The number of quantile bins before duplicate edges are dropped (default 10).</param>
    public static QuantileBins FromReference(NumericSample reference, int bins = DefaultBinCount)
    {
        Guard.NotEmpty(reference, nameof(reference));
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        return FitCounted(reference, bins).Bins;
    }

    /// <summary>
    /// The bins of a reference and its count per bin. An exact reference that is not sorted yet is read through its
    /// bucket index (only the slots holding the quantile ranks are looked into).
    /// </summary>
    internal static (QuantileBins Bins, long[] Counts) FitCounted(NumericSample reference, int bins)
    {
        Guard.NotEmpty(reference, nameof(reference));
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        if (!reference.IsWeighted && !reference.HasSortedValues && reference.Index is { } index)
        {
            return FromIndex(index, bins);
        }

        var fitted = FromSorted(reference, bins);
        return (fitted, fitted.Count(reference));
    }

    /// <summary>
    /// The edges by order statistics selected inside the index's slots (equal to <see cref="FromSorted"/>'s), with
    /// the reference's count per bin from the slots' prefix counts (equal to <see cref="CountSorted"/>'s).
    /// </summary>
    internal static (QuantileBins Bins, long[] Counts) FromIndex(BucketIndex index, int bins)
    {
        long n = index.Count;
        var ranks = new long[bins - 1];
        var slots = new int[bins - 1];
        for (int i = 1; i < bins; i++)
        {
            ranks[i - 1] = Rank(i, n, bins) - 1;
            slots[i - 1] = BucketIndex.SlotOfRank(index.Offsets, ranks[i - 1]);
        }

        index.Resolve(slots);
        var edges = new List<double>(bins - 1);
        var edgeSlots = new List<int>(bins - 1);
        var atOrBelow = new List<long>(bins - 1);
        double[]? scratch = null;
        for (int i = 0; i < ranks.Length; i++)
        {
            int slot = slots[i];
            double q;
            long inSlot;
            if (index.IsSingleValued(slot, out double v))
            {
                q = v;
                inSlot = index.CountIn(slot);
            }
            else
            {
                var values = index.ValuesOf(slot);
                if (i == 0 || slot != slots[i - 1])
                {
                    scratch = values.ToArray();
                }

                q = BucketIndex.Select(scratch, (int)(ranks[i] - index.Offsets[slot]));
                inSlot = 0;
                foreach (double x in values)
                {
                    inSlot += x <= q ? 1 : 0;
                }
            }

            if (edges.Count == 0 || edges[^1] < q)
            {
                edges.Add(q);
                edgeSlots.Add(slot);
                atOrBelow.Add(index.Offsets[slot] + inSlot);
            }
        }

        var counts = new long[edges.Count + 1];
        long previous = 0;
        for (int e = 0; e < edges.Count; e++)
        {
            counts[e] = atOrBelow[e] - previous;
            previous = atOrBelow[e];
        }

        counts[^1] = n - previous;
        return (new QuantileBins([.. edges], index.Identity, [.. edgeSlots]), counts);
    }

    /// <summary>The 1-based rank of edge <paramref name="i"/>: ceil(i·N/B), at least 1, exact in 128-bit integers.</summary>
    internal static long Rank(int i, long n, int bins) => Math.Max((long)((((Int128)i * n) + bins - 1) / bins), 1);

    /// <summary>The edges by walking the sorted values: the reference <see cref="FromIndex"/> must equal.</summary>
    internal static QuantileBins FromSorted(NumericSample reference, int bins)
    {
        Guard.NotEmpty(reference, nameof(reference));
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        var values = reference.Values;
        var weights = reference.Weights;
        long n = reference.Count;
        var edges = new List<double>(bins - 1);
        int index = 0;
        long cumulative = weights.IsEmpty ? 1 : weights[0];
        for (int i = 1; i < bins; i++)
        {
            // The rank ceil(i·N/B), at least 1; Int128 keeps i·N exact for any sample size.
            long rank = (long)((((Int128)i * n) + bins - 1) / bins);
            rank = Math.Max(rank, 1);
            while (cumulative < rank)
            {
                index++;
                cumulative += weights.IsEmpty ? 1 : weights[index];
            }

            double q = values[index];
            if (edges.Count == 0 || edges[^1] < q)
            {
                edges.Add(q);
            }
        }

        return new QuantileBins([.. edges]);
    }

    /// <summary>Restores bins from persisted edges (e.g. a baseline).</summary>
    /// <param name="edges">Finite inner cut points in strictly ascending order; may be empty (one bin).</param>
    public static QuantileBins FromEdges(ReadOnlySpan<double> edges)
    {
        for (int i = 0; i < edges.Length; i++)
        {
            if (!double.IsFinite(edges[i]))
            {
                throw new ArgumentException($"Edge {i} is {edges[i]}; edges are finite.", nameof(edges));
            }

            if (i > 0 && !(edges[i - 1] < edges[i]))
            {
                throw new ArgumentException($"Edges must be strictly ascending; edge {i} ({edges[i]}) follows {edges[i - 1]}.", nameof(edges));
            }
        }

        return new QuantileBins(edges.ToArray());
    }
}
