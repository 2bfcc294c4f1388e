namespace Monitor.Core.Drift.Numeric;

/// <summary>A statistic over aligned reference and current bin counts.</summary>
internal delegate double BinnedStatistic(ReadOnlySpan<long> reference, ReadOnlySpan<long> current);

/// <summary>
/// A binned test (PSI, Jensen–Shannon, Hellinger, KL) fitted to a reference: it holds the reference's quantile
/// bins and counts, which baselines persist, and evaluates either a current sample or current bin counts that a
/// streaming window accumulated in the same bins.
/// </summary>
public sealed class BinnedDriftDetector : INumericDriftDetector
{
    private readonly long[] _referenceCounts;
    private readonly BinnedStatistic _statistic;
    private readonly string _test;

    internal BinnedDriftDetector(string test, QuantileBins bins, long[] referenceCounts, BinnedStatistic statistic)
    {
        _test = test;
        Bins = bins;
        _referenceCounts = referenceCounts;
        _statistic = statistic;
    }

    /// <summary>The reference's quantile bins.</summary>
    public QuantileBins Bins { get; }

    /// <summary>The reference's count per bin.</summary>
    public ReadOnlySpan<long> ReferenceCounts => _referenceCounts;

    /// <inheritdoc />
    public DriftResult Evaluate(NumericSample current, double threshold)
    {
        Guard.NotEmpty(current, nameof(current));
        var result = Evaluate(Bins.Count(current), threshold);
        return current.Mode == EstimateMode.Sketch ? result with { Mode = EstimateMode.Sketch } : result;
    }

    /// <summary>Compares current counts in <see cref="Bins"/> (e.g. from a streaming window) with the reference.</summary>
    public DriftResult Evaluate(ReadOnlySpan<long> currentCounts, double threshold)
    {
        if (currentCounts.Length != _referenceCounts.Length)
        {
            throw new ArgumentException($"Expected {_referenceCounts.Length} bin counts, got {currentCounts.Length}.", nameof(currentCounts));
        }

        double statistic = _statistic(_referenceCounts, currentCounts);
        return DriftResult.Decide(_test, statistic, null, threshold, ThresholdKind.StatisticAbove);
    }

    internal static BinnedDriftDetector FromCounts(string test, QuantileBins bins, ReadOnlySpan<long> referenceCounts, BinnedStatistic statistic)
    {
        ArgumentNullException.ThrowIfNull(bins);
        if (referenceCounts.Length != bins.BinCount)
        {
            throw new ArgumentException($"Expected {bins.BinCount} reference counts for {bins.Edges.Length} edges, got {referenceCounts.Length}.", nameof(referenceCounts));
        }

        long total = 0;
        foreach (long c in referenceCounts)
        {
            if (c < 0)
            {
                throw new ArgumentException("Reference bin counts cannot be negative.", nameof(referenceCounts));
            }

            total += c;
        }

        if (total == 0)
        {
            throw new ArgumentException("The reference has no observations in its bins.", nameof(referenceCounts));
        }

        return new BinnedDriftDetector(test, bins, referenceCounts.ToArray(), statistic);
    }

    internal static BinnedDriftDetector Fit(string test, NumericSample reference, int bins, BinnedStatistic statistic)
    {
        var (quantileBins, counts) = QuantileBins.FitCounted(reference, bins);
        return new BinnedDriftDetector(test, quantileBins, counts, statistic);
    }
}
