namespace Monitor.Core.Drift.Numeric;

/// <summary>
/// Jensen–Shannon distance (base 2, in [0, 1]) over the PSI bins, so streaming windows compute it from exact
/// bin counts. Default threshold 0.1.
/// </summary>
public sealed class JensenShannonTest : IBinnedDriftTest
{
    /// <summary>Creates the test.</summary>
    /// <param name="bins">The number of reference-quantile bins before duplicate edges are dropped (default 10).</param>
    public JensenShannonTest(int bins = QuantileBins.DefaultBinCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        Bins = bins;
    }

    /// <summary>The requested number of bins.</summary>
    public int Bins { get; }

    /// <inheritdoc />
    public string Name => "jensenshannon";

    /// <inheritdoc />
    public FeatureKind Kind => FeatureKind.Numeric;

    /// <inheritdoc />
    public ThresholdKind ThresholdKind => ThresholdKind.StatisticAbove;

    /// <summary>0.1 (drift when the statistic is above it).</summary>
    public double DefaultThreshold => 0.1;

    /// <inheritdoc />
    public INumericDriftDetector Fit(NumericSample reference) => BinnedDriftDetector.Fit(Name, reference, Bins, BinnedDistance.JensenShannon);

    /// <inheritdoc />
    public BinnedDriftDetector FitCounts(QuantileBins bins, ReadOnlySpan<long> referenceCounts) =>
        BinnedDriftDetector.FromCounts(Name, bins, referenceCounts, BinnedDistance.JensenShannon);
}
