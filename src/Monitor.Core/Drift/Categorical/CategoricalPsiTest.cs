namespace Monitor.Core.Drift.Categorical;

/// <summary>
/// Population stability index over category proportions: Σ (q − p)·ln(q / p), p the reference share and q the
/// current share of each category of the union. Symmetric, ≥ 0, 0 for equal proportions.
/// </summary>
/// <remarks>
/// Proportions are floored at <see cref="Epsilon"/> (1e-4, as numeric PSI floors empty bins) and not
/// renormalised. An unseen category (in the current window only) therefore contributes (q − 1e-4)·ln(q / 1e-4):
/// a 5 % unseen share alone gives ≈ 0.31, above the default threshold, which is what a new category in
/// production should do. A category missing from the current window contributes symmetrically.
/// <see cref="CategoricalDistribution.OtherCategory"/> is an ordinary category.
/// </remarks>
public sealed class CategoricalPsiTest : ICategoricalDriftTest
{
    /// <summary>The name rule files use: <c>psi</c>.</summary>
    public const string TestName = "psi";

    /// <summary>The floor applied to every proportion before the logarithm (1e-4, as numeric PSI).</summary>
    public const double Epsilon = CategoricalStatistics.ProportionFloor;

    /// <inheritdoc />
    public string Name => TestName;

    /// <inheritdoc />
    public FeatureKind Kind => FeatureKind.Categorical;

    /// <inheritdoc />
    public ThresholdKind ThresholdKind => ThresholdKind.StatisticAbove;

    /// <summary>Drift when PSI &gt; 0.2, the customary "significant shift" level (0.1–0.2 is usually read as moderate).</summary>
    public double DefaultThreshold => 0.2;

    /// <inheritdoc />
    public ICategoricalDriftDetector Fit(CategoricalDistribution reference)
    {
        CategoricalStatistics.RequireObservations(reference, nameof(reference));
        return new CategoricalPsiDetector(reference);
    }
}

/// <summary>A <see cref="CategoricalPsiTest"/> fitted to one reference distribution.</summary>
internal sealed class CategoricalPsiDetector(CategoricalDistribution reference) : ICategoricalDriftDetector
{
    public DriftResult Evaluate(CategoricalDistribution current, double threshold)
    {
        CategoricalStatistics.RequireObservations(current, nameof(current));
        CategoricalStatistics.RequireThreshold(threshold, ThresholdKind.StatisticAbove);
        var (_, r, c) = CategoricalDistribution.Align(reference, current, out _);
        return DriftResult.Decide(CategoricalPsiTest.TestName, CategoricalStatistics.Psi(r, c), null, threshold, ThresholdKind.StatisticAbove);
    }
}
