namespace Monitor.Core.Drift.Categorical;

/// <summary>
/// Hellinger distance between the category proportions, √(½ Σ (√p − √q)²): in [0, 1], symmetric, 1 for
/// disjoint supports.
/// </summary>
/// <remarks>
/// No epsilon is needed (square roots of zero are fine). An unseen category (current only) contributes q / 2
/// to the squared distance, a missing one p / 2. <see cref="CategoricalDistribution.OtherCategory"/> is an
/// ordinary category.
/// </remarks>
public sealed class CategoricalHellingerTest : ICategoricalDriftTest
{
    /// <summary>The name rule files use: <c>hellinger</c>.</summary>
    public const string TestName = "hellinger";

    /// <inheritdoc />
    public string Name => TestName;

    /// <inheritdoc />
    public FeatureKind Kind => FeatureKind.Categorical;

    /// <inheritdoc />
    public ThresholdKind ThresholdKind => ThresholdKind.StatisticAbove;

    /// <summary>Drift when the distance is &gt; 0.1.</summary>
    public double DefaultThreshold => 0.1;

    /// <inheritdoc />
    public ICategoricalDriftDetector Fit(CategoricalDistribution reference)
    {
        CategoricalStatistics.RequireObservations(reference, nameof(reference));
        return new CategoricalHellingerDetector(reference);
    }
}

/// <summary>A <see cref="CategoricalHellingerTest"/> fitted to one reference distribution.</summary>
internal sealed class CategoricalHellingerDetector(CategoricalDistribution reference) : ICategoricalDriftDetector
{
    public DriftResult Evaluate(CategoricalDistribution current, double threshold)
    {
        CategoricalStatistics.RequireObservations(current, nameof(current));
        CategoricalStatistics.RequireThreshold(threshold, ThresholdKind.StatisticAbove);
        var (_, r, c) = CategoricalDistribution.Align(reference, current, out _);
        return DriftResult.Decide(CategoricalHellingerTest.TestName, CategoricalStatistics.Hellinger(r, c), null, threshold, ThresholdKind.StatisticAbove);
    }
}
