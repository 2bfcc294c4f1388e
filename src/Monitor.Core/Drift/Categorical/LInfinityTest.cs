namespace Monitor.Core.Drift.Categorical;

/// <summary>
/// L-infinity distance: the largest absolute change of any category's share, max |p − q|, in [0, 1]. Easy to
/// explain ("no category moved by more than 10 points") and insensitive to the number of categories.
/// </summary>
/// <remarks>
/// An unseen category (current only) has reference share 0, so it counts with its full current share; a
/// missing one with its full reference share. <see cref="CategoricalDistribution.OtherCategory"/> is an
/// ordinary category.
/// </remarks>
public sealed class LInfinityTest : ICategoricalDriftTest
{
    /// <summary>The name rule files use: <c>linf</c>.</summary>
    public const string TestName = "linf";

    /// <inheritdoc />
    public string Name => TestName;

    /// <inheritdoc />
    public FeatureKind Kind => FeatureKind.Categorical;

    /// <inheritdoc />
    public ThresholdKind ThresholdKind => ThresholdKind.StatisticAbove;

    /// <summary>Drift when some category's share moved by more than 0.1 (10 percentage points).</summary>
    public double DefaultThreshold => 0.1;

    /// <inheritdoc />
    public ICategoricalDriftDetector Fit(CategoricalDistribution reference)
    {
        CategoricalStatistics.RequireObservations(reference, nameof(reference));
        return new LInfinityDetector(reference);
    }
}

/// <summary>A <see cref="LInfinityTest"/> fitted to one reference distribution.</summary>
internal sealed class LInfinityDetector(CategoricalDistribution reference) : ICategoricalDriftDetector
{
    public DriftResult Evaluate(CategoricalDistribution current, double threshold)
    {
        CategoricalStatistics.RequireObservations(current, nameof(current));
        CategoricalStatistics.RequireThreshold(threshold, ThresholdKind.StatisticAbove);
        var (_, r, c) = CategoricalDistribution.Align(reference, current, out _);
        return DriftResult.Decide(LInfinityTest.TestName, CategoricalStatistics.LInfinity(r, c), null, threshold, ThresholdKind.StatisticAbove);
    }
}
