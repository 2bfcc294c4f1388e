namespace Monitor.Core.Drift.Categorical;

/// <summary>
/// Jensen–Shannon distance between the category proportions, base 2 (as scipy
/// <c>spatial.distance.jensenshannon(p, q, base=2)</c>): the square root of the JS divergence, in [0, 1],
/// symmetric, and 1 exactly for disjoint supports. It is the default categorical test for large windows
/// because it is bounded and does not grow with sample size.
/// </summary>
/// <remarks>
/// No epsilon is needed: every term is p·ln(p/m) with m = (p + q)/2, and m &gt; 0 wherever p &gt; 0. An unseen
/// category (in the current window only) contributes q/2 to the base-2 divergence (q·ln 2 / 2 nats), a missing one p/2.
/// <see cref="CategoricalDistribution.OtherCategory"/> is an ordinary category.
/// </remarks>
public sealed class CategoricalJensenShannonTest : ICategoricalDriftTest
{
    /// <summary>The name rule files use: <c>jensenshannon</c>.</summary>
    public const string TestName = "jensenshannon";

    /// <inheritdoc />
    public string Name => TestName;

    /// <inheritdoc />
    public FeatureKind Kind => FeatureKind.Categorical;

    /// <inheritdoc />
    public ThresholdKind ThresholdKind => ThresholdKind.StatisticAbove;

    /// <summary>Drift when the distance is &gt; 0.1 (a divergence of 0.01 bits).</summary>
    public double DefaultThreshold => 0.1;

    /// <inheritdoc />
    public ICategoricalDriftDetector Fit(CategoricalDistribution reference)
    {
        CategoricalStatistics.RequireObservations(reference, nameof(reference));
        return new CategoricalJensenShannonDetector(reference);
    }
}

/// <summary>A <see cref="CategoricalJensenShannonTest"/> fitted to one reference distribution.</summary>
internal sealed class CategoricalJensenShannonDetector(CategoricalDistribution reference) : ICategoricalDriftDetector
{
    public DriftResult Evaluate(CategoricalDistribution current, double threshold)
    {
        CategoricalStatistics.RequireObservations(current, nameof(current));
        CategoricalStatistics.RequireThreshold(threshold, ThresholdKind.StatisticAbove);
        var (_, r, c) = CategoricalDistribution.Align(reference, current, out _);
        return DriftResult.Decide(CategoricalJensenShannonTest.TestName, CategoricalStatistics.JensenShannon(r, c), null, threshold, ThresholdKind.StatisticAbove);
    }
}
