namespace Monitor.Core.Drift;

/// <summary>The outcome of one drift test on one feature for one window.</summary>
/// <param name="Test">The registry name of the test (e.g. <c>ks</c>, <c>psi</c>).</param>
/// <param name="Statistic">The test statistic or distance.</param>
/// <param name="PValue">The p-value where the test defines one, otherwise <see langword="null"/>.</param>
/// <param name="Threshold">The threshold the decision used (read according to <paramref name="ThresholdKind"/>).</param>
/// <param name="ThresholdKind">Whether <paramref name="Threshold"/> bounds the statistic or the p-value.</param>
/// <param name="Drifted">Whether the threshold was crossed.</param>
/// <param name="Mode">Exact, or estimated from a sketch.</param>
/// <param name="ErrorBound">For sketch results, the absolute bound on the statistic's error; otherwise <see langword="null"/>.</param>
public sealed record DriftResult(
    string Test,
    double Statistic,
    double? PValue,
    double Threshold,
    ThresholdKind ThresholdKind,
    bool Drifted,
    EstimateMode Mode = EstimateMode.Exact,
    double? ErrorBound = null)
{
    /// <summary>Builds a result whose <see cref="Drifted"/> flag follows from the threshold rule.</summary>
    public static DriftResult Decide(string test, double statistic, double? pValue, double threshold, ThresholdKind kind)
    {
        bool drifted = kind switch
        {
            ThresholdKind.StatisticAbove => statistic > threshold,
            ThresholdKind.PValueBelow => pValue is { } p && p < threshold,
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown threshold kind."),
        };
        return new DriftResult(test, statistic, pValue, threshold, kind, drifted);
    }
}
