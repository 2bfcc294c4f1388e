namespace Monitor.Core.Drift.Categorical;

/// <summary>
/// Kullback–Leibler divergence KL(reference ‖ current) in nats over category proportions, as scipy
/// <c>stats.entropy(p, q)</c> on proportions floored at <see cref="Epsilon"/>. Not symmetric, unbounded, ≥ 0.
/// </summary>
/// <remarks>
/// Both proportion vectors are floored at 1e-4 (the PSI floor) and renormalised, as <c>scipy.stats.entropy</c>
/// renormalises its inputs; without the floor a category missing from the current window would make the
/// divergence infinite. The reference weights each term, so an unseen category (current only) enters with the
/// floored weight 1e-4 and mainly through the lower current shares of the other categories: KL(ref ‖ cur) is
/// less sensitive to new categories than to vanished ones; use PSI or Jensen–Shannon when new categories matter.
/// <see cref="CategoricalDistribution.OtherCategory"/> is an ordinary category.
/// </remarks>
public sealed class CategoricalKlDivergenceTest : ICategoricalDriftTest
{
    /// <summary>The name rule files use: <c>kl</c>.</summary>
    public const string TestName = "kl";

    /// <summary>The floor applied to every proportion before the logarithm (1e-4, as numeric PSI).</summary>
    public const double Epsilon = CategoricalStatistics.ProportionFloor;

    /// <inheritdoc />
    public string Name => TestName;

    /// <inheritdoc />
    public FeatureKind Kind => FeatureKind.Categorical;

    /// <inheritdoc />
    public ThresholdKind ThresholdKind => ThresholdKind.StatisticAbove;

    /// <summary>Drift when KL &gt; 0.1 nats.</summary>
    public double DefaultThreshold => 0.1;

    /// <inheritdoc />
    public ICategoricalDriftDetector Fit(CategoricalDistribution reference)
    {
        CategoricalStatistics.RequireObservations(reference, nameof(reference));
        return new CategoricalKlDivergenceDetector(reference);
    }
}

/// <summary>A <see cref="CategoricalKlDivergenceTest"/> fitted to one reference distribution.</summary>
internal sealed class CategoricalKlDivergenceDetector(CategoricalDistribution reference) : ICategoricalDriftDetector
{
    public DriftResult Evaluate(CategoricalDistribution current, double threshold)
    {
        CategoricalStatistics.RequireObservations(current, nameof(current));
        CategoricalStatistics.RequireThreshold(threshold, ThresholdKind.StatisticAbove);
        var (_, r, c) = CategoricalDistribution.Align(reference, current, out _);
        return DriftResult.Decide(CategoricalKlDivergenceTest.TestName, CategoricalStatistics.KlDivergence(r, c), null, threshold, ThresholdKind.StatisticAbove);
    }
}
