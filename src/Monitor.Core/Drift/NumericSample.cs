using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Monitor.Core.Drift;

/// <summary>
/// An immutable sample of finite values, optionally weighted. Weights are integer multiplicities:
/// an exact sample has none (every value counts once); a sample read out of a quantile sketch carries the
/// sketch's item weights and the sketch's rank error. Every numeric drift test accepts both, so the same
/// code computes exact and sketch-mode statistics.
/// </summary>
/// <remarks>
/// <para>
/// An exact sample sorts only when something reads <see cref="Values"/> (or the moments): the exact KS statistic
/// and quantile bins work from a bucket index of the unsorted values instead, with results identical to the
/// sorted walks. Weighted samples are sorted when built.
/// </para>
/// <para>
/// NaN and ±infinity are never silently propagated: <see cref="FromValues"/> drops them and reports how many
/// it dropped in <see cref="NonFiniteCount"/>, so callers can count them as data-quality errors.
/// </para>
/// </remarks>
public sealed class NumericSample
{
    /// <summary>Exact samples at least this large get a <see cref="BucketIndex"/> when KS or quantile bins ask for one.</summary>
    internal const int IndexThreshold = 2048;

    private readonly long[]? _weights;
    private readonly double _min;
    private readonly double _max;

    // Exact samples keep their finite values in input order until a statistic needs more: KS and quantile bins
    // use a bucket index (O(n)), and only tests that walk sorted values sort. Each lazy field is computed from
    // immutable data and published whole, so concurrent readers at worst compute it twice.
    private double[] _values;
    private double[]? _sorted;
    private BucketIndex? _index;
    private bool _indexTried;
    private double[]? _moments;
    private SlotTally? _tally;

    private NumericSample(double[] values, long[]? weights, long count, int nonFinite, double rankError, double min, double max, bool sorted, bool integral = false)
    {
        _values = values;
        IsIntegral = integral;
        _sorted = sorted ? values : null;
        _weights = weights;
        _min = min;
        _max = max;
        Count = count;
        NonFiniteCount = nonFinite;
        RankError = rankError;
    }

    /// <summary>
    /// The distinct stored values in ascending order (an exact sample may repeat values). An exact sample sorts
    /// on first access (once); KS and PSI never need it.
    /// </summary>
    public ReadOnlySpan<double> Values => SortedArray();

    /// <summary>The multiplicity of each entry of <see cref="Values"/>; empty when every value counts once.</summary>
    public ReadOnlySpan<long> Weights => _weights;

    /// <summary>Whether <see cref="Weights"/> is present.</summary>
    public bool IsWeighted => _weights is not null;

    /// <summary>The number of observations the sample stands for (the sum of weights).</summary>
    public long Count { get; }

    /// <summary>How many NaN or infinite inputs <see cref="FromValues"/> dropped.</summary>
    public int NonFiniteCount { get; }

    /// <summary>
    /// The normalised rank error ε of the sample's empirical CDF against the true data: 0 for exact samples,
    /// the sketch's bound for samples read from a sketch.
    /// </summary>
    public double RankError { get; }

    /// <summary>Whether the sample holds every observation (no sketch error).</summary>
    public EstimateMode Mode => RankError > 0 ? EstimateMode.Sketch : EstimateMode.Exact;

    /// <summary>The weighted mean (summed in ascending order of value); NaN for an empty sample.</summary>
    public double Mean => Moments()[0];

    /// <summary>The weighted population variance (divides by <see cref="Count"/>); NaN for an empty sample.</summary>
    public double Variance => Moments()[1];

    /// <summary>The population standard deviation (ddof = 0, as numpy's default).</summary>
    public double StandardDeviation => Math.Sqrt(Variance);

    /// <summary>The values in no particular order (unweighted samples only: weighted ones are always sorted).</summary>
    internal ReadOnlySpan<double> UnorderedValues => Volatile.Read(ref _values);

    /// <summary>Whether <see cref="Values"/> is sorted already (reading it costs nothing more).</summary>
    internal bool HasSortedValues => Volatile.Read(ref _sorted) is not null;

    /// <summary>
    /// Whether every value of an unweighted sample is an integer (counts, codes, ratings), which lets the exact KS
    /// statistic know without looking that a narrow bucket holds one distinct value; false for weighted samples.
    /// </summary>
    internal bool IsIntegral { get; }

    /// <summary>The smallest value (NaN for an empty sample).</summary>
    internal double Min => _min;

    /// <summary>The largest value (NaN for an empty sample).</summary>
    internal double Max => _max;

    /// <summary>
    /// The bucket index of an unweighted sample of at least <see cref="IndexThreshold"/> values with a usable
    /// range, built on first use; null otherwise (callers then walk <see cref="Values"/>).
    /// </summary>
    internal BucketIndex? Index
    {
        get
        {
            if (Volatile.Read(ref _indexTried))
            {
                return Volatile.Read(ref _index);
            }

            BucketIndex? index = null;
            var values = Volatile.Read(ref _values);
            if (_weights is null && values.Length >= IndexThreshold)
            {
                index = BucketIndex.TryBuildOver(values, _min, _max, IsIntegral);
            }

            Volatile.Write(ref _index, index);
            Volatile.Write(ref _indexTried, true);
            return index;
        }
    }

    /// <summary>
    /// What the last exact KS pass of these values through another sample's index learned about that index's decile
    /// slots (see <see cref="SlotTally"/>); null until then.
    /// </summary>
    internal SlotTally? Tally
    {
        get => Volatile.Read(ref _tally);
        set => Volatile.Write(ref _tally, value);
    }

    /// <summary>The weight of entry <paramref name="index"/> (1 for unweighted samples).</summary>
    public long WeightAt(int index) => _weights is null ? 1 : _weights[index];

    /// <summary>Copies the finite values and counts the non-finite ones. Sorting is deferred until a test needs it.</summary>
    // Hot loop over every value: compiled fully optimised at once rather than after tier-0 and on-stack replacement.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static NumericSample FromValues(ReadOnlySpan<double> values)
    {
        var finite = GC.AllocateUninitializedArray<double>(values.Length);
        int n = 0;
        int i = 0;
        double min = double.PositiveInfinity;
        double max = double.NegativeInfinity;
        bool integral = true;
        if (Vector256.IsHardwareAccelerated && values.Length >= Vector256<double>.Count)
        {
            var vmin = Vector256.Create(min);
            var vmax = Vector256.Create(max);
            var fraction = Vector256<double>.Zero;
            int width = Vector256<double>.Count;
            for (; i <= values.Length - width; i += width)
            {
                var v = Vector256.Create(values.Slice(i, width));
                if (Vector256.EqualsAll(v - v, Vector256<double>.Zero))
                {
                    // x − x is 0 exactly for finite x and NaN for NaN and ±infinity.
                    v.CopyTo(finite.AsSpan(n));
                    n += width;

                    // Plain minpd/maxpd: the values are finite, and which zero is the extreme does not matter (the
                    // range and the slots come out the same), so IEEE minimum's extra fix-up instructions are not needed.
                    vmin = Vector256.MinNative(vmin, v);
                    vmax = Vector256.MaxNative(vmax, v);
                    fraction |= v - Vector256.Floor(v);
                }
                else
                {
                    for (int k = i; k < i + width; k++)
                    {
                        double x = values[k];
                        if (double.IsFinite(x))
                        {
                            finite[n++] = x;
                            Extend(x, ref min, ref max, ref integral);
                        }
                    }
                }
            }

            Fold(vmin, vmax, ref min, ref max);
            integral &= fraction == Vector256<double>.Zero;
        }

        for (; i < values.Length; i++)
        {
            double x = values[i];
            if (double.IsFinite(x))
            {
                finite[n++] = x;
                Extend(x, ref min, ref max, ref integral);
            }
        }

        int nonFinite = values.Length - n;
        if (n != finite.Length)
        {
            Array.Resize(ref finite, n);
        }

        return n == 0
            ? new NumericSample(finite, null, 0, nonFinite, 0, double.NaN, double.NaN, sorted: true)
            : new NumericSample(finite, null, n, nonFinite, 0, min, max, sorted: n == 1, integral);
    }

    /// <summary>
    /// A sample over <paramref name="values"/> itself, without the copy <see cref="FromValues"/> makes: for callers
    /// that built the array for this sample alone (a window's exact values at evaluation) and never touch it again.
    /// Non-finite values fall back to the copying path.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static NumericSample FromOwned(double[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        double min = double.PositiveInfinity;
        double max = double.NegativeInfinity;
        bool integral = true;
        int i = 0;
        if (Vector256.IsHardwareAccelerated && values.Length >= Vector256<double>.Count)
        {
            var vmin = Vector256.Create(min);
            var vmax = Vector256.Create(max);
            var bad = Vector256<double>.Zero;
            var fraction = Vector256<double>.Zero;
            int width = Vector256<double>.Count;
            for (; i <= values.Length - width; i += width)
            {
                var v = Vector256.Create(values.AsSpan(i, width));
                bad |= v - v; // 0 for finite values, NaN otherwise
                vmin = Vector256.MinNative(vmin, v);
                vmax = Vector256.MaxNative(vmax, v);
                fraction |= v - Vector256.Floor(v);
            }

            if (!Vector256.EqualsAll(bad, Vector256<double>.Zero))
            {
                return FromValues(values);
            }

            Fold(vmin, vmax, ref min, ref max);
            integral = fraction == Vector256<double>.Zero;
        }

        for (; i < values.Length; i++)
        {
            double x = values[i];
            if (!double.IsFinite(x))
            {
                return FromValues(values);
            }

            Extend(x, ref min, ref max, ref integral);
        }

        return values.Length == 0
            ? new NumericSample(values, null, 0, 0, 0, double.NaN, double.NaN, sorted: true)
            : new NumericSample(values, null, values.Length, 0, 0, min, max, sorted: values.Length == 1, integral);
    }

    // One finite value into the running range and the all-integers flag (the scalar step of the copy passes).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Extend(double x, ref double min, ref double max, ref bool integral)
    {
        min = x < min ? x : min;
        max = x > max ? x : max;
        integral &= x == Math.Floor(x);
    }

    // The vector passes' per-lane extremes into the scalar ones.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Fold(Vector256<double> vmin, Vector256<double> vmax, ref double min, ref double max)
    {
        for (int k = 0; k < Vector256<double>.Count; k++)
        {
            min = Math.Min(min, vmin.GetElement(k));
            max = Math.Max(max, vmax.GetElement(k));
        }
    }

    /// <summary>
    /// Builds a weighted sample, e.g. from a sketch's retained items. Entries are sorted by value; equal values
    /// are kept as separate entries (their weights add up in every statistic).
    /// </summary>
    /// <param name="values">Finite values, in any order.</param>
    /// <param name="weights">A positive weight per value.</param>
    /// <param name="rankError">The normalised rank error of the source (0 for exact).</param>
    public static NumericSample FromWeighted(ReadOnlySpan<double> values, ReadOnlySpan<long> weights, double rankError = 0)
    {
        if (values.Length != weights.Length)
        {
            throw new ArgumentException("Every value needs exactly one weight.", nameof(weights));
        }

        if (rankError < 0 || double.IsNaN(rankError))
        {
            throw new ArgumentOutOfRangeException(nameof(rankError), rankError, "A rank error is a non-negative fraction.");
        }

        var v = values.ToArray();
        var w = weights.ToArray();
        long total = 0;
        for (int i = 0; i < v.Length; i++)
        {
            if (!double.IsFinite(v[i]))
            {
                throw new ArgumentException($"Value at index {i} is not finite; weighted samples hold finite values only.", nameof(values));
            }

            if (w[i] <= 0)
            {
                throw new ArgumentException($"Weight at index {i} is {w[i]}; weights are positive counts.", nameof(weights));
            }

            total = checked(total + w[i]);
        }

        Array.Sort(v, w);
        return v.Length == 0
            ? new NumericSample(v, w, total, 0, rankError, double.NaN, double.NaN, sorted: true)
            : new NumericSample(v, w, total, 0, rankError, v[0], v[^1], sorted: true);
    }

    /// <summary>Expands the sample to one value per observation (for tests and small samples only).</summary>
    public double[] Expand()
    {
        var values = SortedArray();
        if (_weights is null)
        {
            return (double[])values.Clone();
        }

        var result = new double[checked((int)Count)];
        int k = 0;
        for (int i = 0; i < values.Length; i++)
        {
            for (long j = 0; j < _weights[i]; j++)
            {
                result[k++] = values[i];
            }
        }

        return result;
    }

    private double[] SortedArray()
    {
        var sorted = Volatile.Read(ref _sorted);
        if (sorted is not null)
        {
            return sorted;
        }

        sorted = Index is { } index ? BucketSorted(index) : SortedCopy(Volatile.Read(ref _values));
        Volatile.Write(ref _sorted, sorted);
        Volatile.Write(ref _values, sorted);
        return sorted;
    }

    private static double[] SortedCopy(double[] values)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return sorted;
    }

    /// <summary>A full sort from the bucket index: one scatter puts the slots in order, then each is sorted alone.</summary>
    // Hot loop over every value: compiled fully optimised at once rather than after tier-0 and on-stack replacement.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double[] BucketSorted(BucketIndex index)
    {
        var sorted = index.Grouped();
        var offsets = index.Offsets;
        for (int s = 0; s < index.SlotCount; s++)
        {
            int length = offsets[s + 1] - offsets[s];
            if (length > 1)
            {
                sorted.AsSpan(offsets[s], length).Sort();
            }
        }

        return sorted;
    }

    private double[] Moments()
    {
        var moments = Volatile.Read(ref _moments);
        if (moments is null)
        {
            var (mean, variance) = Moments(SortedArray(), _weights, Count);
            moments = [mean, variance];
            Volatile.Write(ref _moments, moments);
        }

        return moments;
    }

    private static (double Mean, double Variance) Moments(double[] values, long[]? weights, long count)
    {
        if (count == 0)
        {
            return (double.NaN, double.NaN);
        }

        // Two passes: the mean first, then squared deviations, which keeps precision for large offsets.
        double sum = 0;
        for (int i = 0; i < values.Length; i++)
        {
            sum += values[i] * (weights is null ? 1 : weights[i]);
        }

        double mean = sum / count;
        double ss = 0;
        for (int i = 0; i < values.Length; i++)
        {
            double d = values[i] - mean;
            ss += d * d * (weights is null ? 1 : weights[i]);
        }

        return (mean, ss / count);
    }
}
