namespace Monitor.Core.Drift.Numeric;

/// <summary>
/// The first Wasserstein (earth mover's) distance between the reference and current empirical distributions, as
/// scipy.stats.wasserstein_distance with weights: raw (<c>wasserstein</c>, in the feature's units) or divided by
/// the reference's population standard deviation (<c>wasserstein_norm</c>, ddof = 0 as Evidently).
/// </summary>
/// <remarks>
/// A constant reference has standard deviation 0; the divisor is floored at <see cref="MinimumStandardDeviation"/>
/// (as Evidently), so the result stays finite: the raw distance times 1,000.
/// </remarks>
public sealed class WassersteinTest : INumericDriftTest
{
    /// <summary>The floor on the reference standard deviation in the normalised form (0.001).</summary>
    public const double MinimumStandardDeviation = 1e-3;

    /// <summary>Creates the test.</summary>
    /// <param name="normalized">Whether to divide by the reference standard deviation (default false: raw).</param>
    public WassersteinTest(bool normalized = false) => Normalized = normalized;

    /// <summary>Whether the distance is in reference standard deviations rather than feature units.</summary>
    public bool Normalized { get; }

    /// <inheritdoc />
    public string Name => Normalized ? "wasserstein_norm" : "wasserstein";

    /// <inheritdoc />
    public FeatureKind Kind => FeatureKind.Numeric;

    /// <inheritdoc />
    public ThresholdKind ThresholdKind => ThresholdKind.StatisticAbove;

    /// <summary>
    /// 0.1: for <c>wasserstein_norm</c> a tenth of a reference standard deviation; for raw <c>wasserstein</c> 0.1
    /// in the feature's units, so set a per-feature threshold for features whose scale is far from 1.
    /// </summary>
    public double DefaultThreshold => 0.1;

    /// <inheritdoc />
    public INumericDriftDetector Fit(NumericSample reference)
    {
        Guard.NotEmpty(reference, nameof(reference));
        if (!Normalized)
        {
            return new SampleDriftDetector(Name, reference, ThresholdKind, static (r, c) => (EcdfDistance.Wasserstein(r, c), null));
        }

        double scale = Math.Max(reference.StandardDeviation, MinimumStandardDeviation);
        return new SampleDriftDetector(Name, reference, ThresholdKind, (r, c) => (EcdfDistance.Wasserstein(r, c) / scale, null));
    }
}
