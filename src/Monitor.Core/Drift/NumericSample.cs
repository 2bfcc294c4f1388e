namespace Monitor.Core.Drift;

/// <summary>
/// An immutable, sorted sample of finite values, optionally weighted. Weights are integer multiplicities:
/// an exact sample has none (every value counts once); a sample read out of a quantile sketch carries the
/// sketch's item weights and the sketch's rank error. Every numeric drift test accepts both, so the same
/// code computes exact and sketch-mode statistics.
/// </summary>
/// <remarks>
/// NaN and ±infinity are never silently propagated: <see cref="FromValues"/> drops them and reports how many
/// it dropped in <see cref="NonFiniteCount"/>, so callers can count them as data-quality errors.
/// </remarks>
public sealed class NumericSample
{
    private readonly double[] _values;
    private readonly long[]? _weights;

    private NumericSample(double[] values, long[]? weights, long count, int nonFinite, double rankError)
    {
        _values = values;
        _weights = weights;
        Count = count;
        NonFiniteCount = nonFinite;
        RankError = rankError;
        (Mean, Variance) = Moments(values, weights, count);
    }

    /// <summary>The distinct stored values in ascending order (an exact sample may repeat values).</summary>
    public ReadOnlySpan<double> Values => _values;

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

    /// <summary>The weighted mean; NaN for an empty sample.</summary>
    public double Mean { get; }

    /// <summary>The weighted population variance (divides by <see cref="Count"/>); NaN for an empty sample.</summary>
    public double Variance { get; }

    /// <summary>The population standard deviation (ddof = 0, as numpy's default).</summary>
    public double StandardDeviation => Math.Sqrt(Variance);

    /// <summary>The weight of entry <paramref name="index"/> (1 for unweighted samples).</summary>
    public long WeightAt(int index) => _weights is null ? 1 : _weights[index];

    /// <summary>Copies the finite values, counts the non-finite ones, and sorts.</summary>
    public static NumericSample FromValues(ReadOnlySpan<double> values)
    {
        var finite = new double[values.Length];
        int n = 0;
        foreach (double v in values)
        {
            if (double.IsFinite(v))
            {
                finite[n++] = v;
            }
        }

        int nonFinite = values.Length - n;
        if (n != finite.Length)
        {
            Array.Resize(ref finite, n);
        }

        Array.Sort(finite);
        return new NumericSample(finite, null, n, nonFinite, 0);
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
        return new NumericSample(v, w, total, 0, rankError);
    }

    /// <summary>Expands the sample to one value per observation (for tests and small samples only).</summary>
    public double[] Expand()
    {
        if (_weights is null)
        {
            return (double[])_values.Clone();
        }

        var result = new double[checked((int)Count)];
        int k = 0;
        for (int i = 0; i < _values.Length; i++)
        {
            for (long j = 0; j < _weights[i]; j++)
            {
                result[k++] = _values[i];
            }
        }

        return result;
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
