namespace Monitor.Core.Drift.Numeric;

/// <summary>
/// The energy distance sqrt(2·∫(F_ref − F_cur)²) as scipy.stats.energy_distance, weights included. It is in
/// the feature's units (scale-dependent).
/// </summary>
public sealed class EnergyDistanceTest : INumericDriftTest
{
    /// <inheritdoc />
    public string Name => "energy";

    /// <inheritdoc />
    public FeatureKind Kind => FeatureKind.Numeric;

    /// <inheritdoc />
    public ThresholdKind ThresholdKind => ThresholdKind.StatisticAbove;

    /// <summary>0.1 in feature units: set a per-feature threshold for features whose scale is far from 1.</summary>
    public double DefaultThreshold => 0.1;

    /// <inheritdoc />
    public INumericDriftDetector Fit(NumericSample reference)
    {
        Guard.NotEmpty(reference, nameof(reference));
        return new SampleDriftDetector(Name, reference, ThresholdKind, static (r, c) => (EcdfDistance.Energy(r, c), null));
    }
}
