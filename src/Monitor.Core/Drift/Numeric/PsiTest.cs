namespace Monitor.Core.Drift.Numeric;

/// <summary>
/// Population stability index over reference-quantile bins (see <see cref="QuantileBins"/> and
/// <see cref="Psi"/>). Default threshold 0.2, the usual "significant shift" level.
/// </summary>
public sealed class PsiTest : IBinnedDriftTest
{
    /// <summary>Creates the test.</summary>
    /// <param name="bins">The number of reference-quantile bins before duplicate edges are dropped (default 10).</param>
    public PsiTest(int bins = QuantileBins.DefaultBinCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        Bins = bins;
    }

    /// <summary>The requested number of bins.</summary>
    public int Bins { get; }

    /// <inheritdoc />
    public string Name => "psi";

    /// <inheritdoc />
    public FeatureKind Kind => FeatureKind.Numeric;

    /// <inheritdoc />
    public ThresholdKind ThresholdKind => ThresholdKind.StatisticAbove;

    /// <summary>0.2 (drift when the statistic is above it).</summary>
    public double DefaultThreshold => 0.2;

    /// <inheritdoc />
    public INumericDriftDetector Fit(NumericSample reference) => BinnedDriftDetector.Fit(Name, reference, Bins, static (r, c) => Psi.FromCounts(r, c));

    /// <inheritdoc />
    public BinnedDriftDetector FitCounts(QuantileBins bins, ReadOnlySpan<long> referenceCounts) =>
        BinnedDriftDetector.FromCounts(Name, bins, referenceCounts, static (r, c) => Psi.FromCounts(r, c));
}
