namespace Monitor.Core.Drift.Numeric;

/// <summary>
/// Hellinger distance sqrt(1 − Σ sqrt(p·q)) over the PSI bins, in [0, 1]. Default threshold 0.1.
/// </summary>
public sealed class HellingerTest : IBinnedDriftTest
{
    /// <summary>Creates the test.</summary>
    /// <param name="bins">The number of reference-quantile bins before duplicate edges are dropped (default 10).</param>
    public HellingerTest(int bins = QuantileBins.DefaultBinCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        Bins = bins;
    }

    /// <summary>The requested number of bins.</summary>
    public int Bins { get; }

    /// <inheritdoc />
    public string Name => "hellinger";

    /// <inheritdoc />
    public FeatureKind Kind => FeatureKind.Numeric;

    /// <inheritdoc />
    public ThresholdKind ThresholdKind => ThresholdKind.StatisticAbove;

    /// <summary>0.1 (drift when the statistic is above it).</summary>
    public double DefaultThreshold => 0.1;

    /// <inheritdoc />
    public INumericDriftDetector Fit(NumericSample reference) => BinnedDriftDetector.Fit(Name, reference, Bins, BinnedDistance.Hellinger);

    /// <inheritdoc />
    public BinnedDriftDetector FitCounts(QuantileBins bins, ReadOnlySpan<long> referenceCounts) =>
        BinnedDriftDetector.FromCounts(Name, bins, referenceCounts, BinnedDistance.Hellinger);
}
