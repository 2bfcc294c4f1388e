namespace Monitor.Core.Drift;

/// <summary>How a drift test's threshold is compared with its result.</summary>
public enum ThresholdKind
{
    /// <summary>Drift when the statistic (a distance or effect size) is strictly greater than the threshold.</summary>
    StatisticAbove,

    /// <summary>Drift when the p-value is strictly less than the threshold (a significance level).</summary>
    PValueBelow,
}
