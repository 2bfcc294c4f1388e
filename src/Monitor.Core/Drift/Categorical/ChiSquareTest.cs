namespace Monitor.Core.Drift.Categorical;

/// <summary>
/// Pearson's chi-square test of homogeneity on the 2×K table [reference counts; current counts] over the union
/// of categories, with K − 1 degrees of freedom; as scipy <c>stats.chi2_contingency(table, correction=False)</c>.
/// </summary>
/// <remarks>
/// <para>No Yates continuity correction, also for K = 2 (where scipy applies it by default): the statistic is then
/// the same Pearson sum for every K, so it does not jump when a third category appears; for K = 2 it equals z²
/// of <see cref="ZTestProportions"/>, so the two default small-sample tests agree; and the correction is known
/// to be over-conservative, while at window sizes Monitor sees it changes little anyway.</para>
/// <para>K = 1 (one category on both sides) has 0 degrees of freedom and nothing to test: statistic 0,
/// p-value 1 (as scipy). An unseen category (current only) is one more column with reference count 0; its
/// expected counts are positive because its column total is, so no special case is needed. Expected counts
/// below 5 make the chi-square approximation rough; Monitor reports the p-value regardless.
/// <see cref="CategoricalDistribution.OtherCategory"/> is an ordinary category.</para>
/// </remarks>
public sealed class ChiSquareTest : ICategoricalDriftTest
{
    /// <summary>The name rule files use: <c>chisquare</c>.</summary>
    public const string TestName = "chisquare";

    /// <inheritdoc />
    public string Name => TestName;

    /// <inheritdoc />
    public FeatureKind Kind => FeatureKind.Categorical;

    /// <inheritdoc />
    public ThresholdKind ThresholdKind => ThresholdKind.PValueBelow;

    /// <summary>Drift when p &lt; 0.05.</summary>
    public double DefaultThreshold => 0.05;

    /// <inheritdoc />
    public ICategoricalDriftDetector Fit(CategoricalDistribution reference)
    {
        CategoricalStatistics.RequireObservations(reference, nameof(reference));
        return new ChiSquareDetector(reference);
    }
}

/// <summary>A <see cref="ChiSquareTest"/> fitted to one reference distribution.</summary>
internal sealed class ChiSquareDetector(CategoricalDistribution reference) : ICategoricalDriftDetector
{
    public DriftResult Evaluate(CategoricalDistribution current, double threshold)
    {
        CategoricalStatistics.RequireObservations(current, nameof(current));
        CategoricalStatistics.RequireThreshold(threshold, ThresholdKind.PValueBelow);
        var (_, r, c) = CategoricalDistribution.Align(reference, current, out _);
        double statistic = CategoricalStatistics.ChiSquare(r, c, out double pValue, out _);
        return DriftResult.Decide(ChiSquareTest.TestName, statistic, pValue, threshold, ThresholdKind.PValueBelow);
    }
}
