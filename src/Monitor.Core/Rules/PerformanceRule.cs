namespace Monitor.Core.Rules;

/// <summary>Performance monitoring once ground truth joins (<c>performance</c>).</summary>
public sealed record PerformanceRule
{
    /// <summary>
    /// How long a prediction waits for its label before it counts as unlabelled (<c>label_join_ttl</c>, default 7d);
    /// windows are back-filled as late labels arrive within it.
    /// </summary>
    public TimeSpan LabelJoinTtl { get; init; } = TimeSpan.FromDays(7);

    /// <summary>The fewest labelled predictions a window needs before its metrics are judged (<c>min_labels</c>, default 100).</summary>
    public int MinLabels { get; init; } = 100;

    /// <summary>The floors (or, for error metrics, ceilings) per metric (<c>floors</c>).</summary>
    public IReadOnlyList<MetricFloor> Floors { get; init; } = [];
}

/// <summary>
/// Warning and critical limits of one metric (an entry of <c>performance.floors</c>). For metrics where higher is
/// better they are floors (critical ≤ warning); for error metrics (log loss, MAE, ...) they are ceilings
/// (critical ≥ warning). See <see cref="PerformanceMetrics"/>.
/// </summary>
public sealed record MetricFloor
{
    /// <summary>The metric's name (the mapping key, e.g. <c>roc_auc</c>).</summary>
    public required string Metric { get; init; }

    /// <summary>The warning limit; at least one of warning and critical is required.</summary>
    public double? Warning { get; init; }

    /// <summary>The critical limit.</summary>
    public double? Critical { get; init; }
}
