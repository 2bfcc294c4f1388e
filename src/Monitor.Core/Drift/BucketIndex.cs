using System.Numerics;

namespace Monitor.Core.Drift;

/// <summary>
/// An exact sample's values grouped into equal-width buckets over [<see cref="Min"/>, <see cref="Max"/>] by one
/// counting-sort scatter (O(n)), each bucket left unsorted. The bucket map b(x) = ⌊(x − Min)·Scale⌋ is monotone in
/// IEEE arithmetic (subtraction and multiplication by a positive constant round monotonically), so a bucket's
/// values all lie at or above every value of an earlier bucket and equal values share a bucket. KS and quantile
/// bins use it to sort only the few buckets they look into instead of the whole sample.
/// </summary>
internal sealed class BucketIndex
{
    /// <summary>The most buckets an index uses (2^16: the counts stay in L2 cache, bucket ids fit a ushort).</summary>
    public const int MaxBuckets = 1 << 16;

    private readonly int[] _offsets;
    private readonly double[] _values;

    private BucketIndex(double min, double max, double scale, int[] offsets, double[] values)
    {
        Min = min;
        Max = max;
        Scale = scale;
        _offsets = offsets;
        _values = values;
    }

    /// <summary>The smallest value.</summary>
    public double Min { get; }

    /// <summary>The largest value.</summary>
    public double Max { get; }

    /// <summary>Buckets per unit of value: BucketCount / (Max − Min).</summary>
    public double Scale { get; }

    /// <summary>The number of buckets.</summary>
    public int BucketCount => _offsets.Length - 1;

    /// <summary>The number of values.</summary>
    public int Count => _values.Length;

    /// <summary>Bucket b holds Values[Offsets[b]..Offsets[b + 1]].</summary>
    public ReadOnlySpan<int> Offsets => _offsets;

    /// <summary>The values grouped by bucket (never modified after construction).</summary>
    public ReadOnlySpan<double> Values => _values;

    /// <summary>The grouped values array itself, for callers that keep it as an ordering of the sample.</summary>
    internal double[] ValuesArray => _values;

    /// <summary>The bucket of a value in [Min, Max].</summary>
    public int BucketOf(double x) => Math.Min((int)((x - Min) * Scale), _offsets.Length - 2);

    /// <summary>The values of bucket <paramref name="bucket"/>, unsorted.</summary>
    public ReadOnlySpan<double> Bucket(int bucket) => _values.AsSpan(_offsets[bucket], _offsets[bucket + 1] - _offsets[bucket]);

    /// <summary>About 16 values per bucket, a power of two, at most <see cref="MaxBuckets"/>.</summary>
    public static int DefaultBucketCount(int n) => Math.Clamp((int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(n / 16, 1)), 1, MaxBuckets);

    /// <summary>
    /// Groups finite <paramref name="values"/> whose smallest and largest are <paramref name="min"/> and
    /// <paramref name="max"/>; null when the range is zero or too wide or narrow for a finite scale (callers
    /// then sort).
    /// </summary>
    public static BucketIndex? TryBuild(ReadOnlySpan<double> values, double min, double max, int buckets)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(buckets, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(buckets, MaxBuckets);
        if (!TryScale(min, max, buckets, out double scale))
        {
            return null;
        }

        var offsets = new int[buckets + 1];
        var grouped = new double[values.Length];
        Group(values, min, scale, offsets, grouped);
        return new BucketIndex(min, max, scale, offsets, grouped);
    }

    /// <summary>The bucket scale for [min, max], if it is finite and positive.</summary>
    internal static bool TryScale(double min, double max, int buckets, out double scale)
    {
        double range = max - min;
        scale = buckets / range;
        return range > 0 && double.IsFinite(range) && double.IsFinite(scale) && scale > 0;
    }

    /// <summary>
    /// Counting-sort scatter: fills <paramref name="offsets"/> (one longer than the bucket count) and writes the
    /// values grouped by bucket into <paramref name="grouped"/>. Every value must lie in [min, max].
    /// </summary>
    internal static void Group(ReadOnlySpan<double> values, double min, double scale, Span<int> offsets, Span<double> grouped)
    {
        int last = offsets.Length - 2;
        var ids = System.Buffers.ArrayPool<ushort>.Shared.Rent(values.Length);
        try
        {
            offsets.Clear();
            var counts = offsets[1..];
            for (int i = 0; i < values.Length; i++)
            {
                int b = Math.Min((int)((values[i] - min) * scale), last);
                ids[i] = (ushort)b;
                counts[b]++;
            }

            // offsets[b] becomes the write position of bucket b, and after the scatter its end = the start of b + 1.
            int sum = 0;
            for (int b = 1; b < offsets.Length; b++)
            {
                int c = offsets[b];
                offsets[b] = sum;
                sum += c;
            }

            for (int i = 0; i < values.Length; i++)
            {
                grouped[offsets[ids[i] + 1]++] = values[i];
            }
        }
        finally
        {
            System.Buffers.ArrayPool<ushort>.Shared.Return(ids);
        }
    }

    /// <summary>
    /// The <paramref name="k"/>-th smallest (0-based) of <paramref name="values"/>, by recursive bucketing
    /// (expected O(n)); <paramref name="values"/> may be reordered.
    /// </summary>
    internal static double Select(Span<double> values, int k)
    {
        while (true)
        {
            if (values.Length <= 64)
            {
                values.Sort();
                return values[k];
            }

            var (min, max) = MinMax(values);
            int buckets = Math.Clamp((int)BitOperations.RoundUpToPowerOf2((uint)(values.Length / 8)), 2, MaxBuckets);
            if (min == max)
            {
                return values[k];
            }

            if (!TryScale(min, max, buckets, out double scale))
            {
                values.Sort();
                return values[k];
            }

            var offsets = new int[buckets + 1];
            var grouped = new double[values.Length];
            Group(values, min, scale, offsets, grouped);
            int b = Upper(offsets, k);
            values = grouped.AsSpan(offsets[b], offsets[b + 1] - offsets[b]);
            k -= offsets[b];
        }
    }

    /// <summary>The bucket holding 0-based position <paramref name="k"/> of the grouped values.</summary>
    internal static int Upper(ReadOnlySpan<int> offsets, int k)
    {
        int lo = 0;
        int hi = offsets.Length - 2;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) >>> 1;
            if (offsets[mid] <= k)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo;
    }

    /// <summary>The smallest and largest of non-empty finite values.</summary>
    internal static (double Min, double Max) MinMax(ReadOnlySpan<double> values)
    {
        double min = values[0];
        double max = values[0];
        foreach (double v in values)
        {
            min = v < min ? v : min;
            max = v > max ? v : max;
        }

        return (min, max);
    }
}
