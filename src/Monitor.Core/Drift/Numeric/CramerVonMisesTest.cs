namespace Monitor.Core.Drift.Numeric;

/// <summary>
/// The two-sample Cramér–von Mises test as scipy 1.10
/// <c>cramervonmises_2samp(reference, current, method='auto')</c>: the exact p-value when both samples have at
/// most 20 observations, the asymptotic one otherwise. Like scipy it needs at least 2 observations per sample.
/// </summary>
public sealed class CramerVonMisesTest : INumericDriftTest
{
    /// <inheritdoc />
    public string Name => "cramervonmises";

    /// <inheritdoc />
    public FeatureKind Kind => FeatureKind.Numeric;

    /// <inheritdoc />
    public ThresholdKind ThresholdKind => ThresholdKind.PValueBelow;

    /// <summary>0.05 (drift when the p-value is below it).</summary>
    public double DefaultThreshold => 0.05;

    /// <inheritdoc />
    public INumericDriftDetector Fit(NumericSample reference)
    {
        Guard.AtLeast(reference, 2, "Cramér–von Mises", nameof(reference));
        return new SampleDriftDetector(Name, reference, ThresholdKind, Compute);
    }

    private static (double Statistic, double? PValue) Compute(NumericSample reference, NumericSample current)
    {
        Guard.AtLeast(current, 2, "Cramér–von Mises", nameof(current));
        var (statistic, p) = CramerVonMises.Test(reference, current);
        return (statistic, p);
    }
}
