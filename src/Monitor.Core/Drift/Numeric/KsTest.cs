namespace Monitor.Core.Drift.Numeric;

/// <summary>
/// The two-sample Kolmogorov–Smirnov test as scipy 1.10 <c>ks_2samp(reference, current, method='auto')</c>
/// (see <see cref="KolmogorovSmirnov"/>). In sketch mode the statistic is within ε_ref + ε_cur of the exact
/// one and the result carries that bound.
/// </summary>
public sealed class KsTest : INumericDriftTest
{
    /// <inheritdoc />
    public string Name => "ks";

    /// <inheritdoc />
    public FeatureKind Kind => FeatureKind.Numeric;

    /// <inheritdoc />
    public ThresholdKind ThresholdKind => ThresholdKind.PValueBelow;

    /// <summary>0.05 (drift when the p-value is below it).</summary>
    public double DefaultThreshold => 0.05;

    /// <inheritdoc />
    public INumericDriftDetector Fit(NumericSample reference)
    {
        Guard.NotEmpty(reference, nameof(reference));
        return new SampleDriftDetector(Name, reference, ThresholdKind, Compute, ksErrorBound: true);
    }

    private static (double Statistic, double? PValue) Compute(NumericSample reference, NumericSample current)
    {
        double d = KolmogorovSmirnov.Statistic(reference, current);
        var (statistic, p) = KolmogorovSmirnov.StatisticAndPValue(d, reference.Count, current.Count);
        return (statistic, p);
    }
}
