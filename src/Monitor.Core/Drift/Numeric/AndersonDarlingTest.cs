namespace Monitor.Core.Drift.Numeric;

/// <summary>
/// The two-sample Anderson–Darling test as scipy 1.10 <c>anderson_ksamp([reference, current], midrank=True)</c>:
/// the standardised statistic and scipy's interpolated significance level, which is capped to [0.001, 0.25]
/// (its table ends there), so a reported 0.25 means "0.25 or more" and 0.001 "0.001 or less". Needs at least
/// 4 observations in the two samples together.
/// </summary>
public sealed class AndersonDarlingTest : INumericDriftTest
{
    /// <inheritdoc />
    public string Name => "anderson";

    /// <inheritdoc />
    public FeatureKind Kind => FeatureKind.Numeric;

    /// <inheritdoc />
    public ThresholdKind ThresholdKind => ThresholdKind.PValueBelow;

    /// <summary>0.05 (drift when the significance level is below it).</summary>
    public double DefaultThreshold => 0.05;

    /// <inheritdoc />
    public INumericDriftDetector Fit(NumericSample reference)
    {
        Guard.NotEmpty(reference, nameof(reference));
        return new SampleDriftDetector(Name, reference, ThresholdKind, Compute);
    }

    private static (double Statistic, double? PValue) Compute(NumericSample reference, NumericSample current)
    {
        var (statistic, p) = AndersonDarling.Test(reference, current);
        return (statistic, p);
    }
}
