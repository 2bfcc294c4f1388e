using Monitor.Core.Accumulators;
using Monitor.Core.Drift;
using Monitor.Core.Statistics;
using Monitor.Core.Windows;

namespace Monitor.Core.Evaluation;

/// <summary>
/// A drift test with its two thresholds, or — when <see cref="Test"/> is null — "let the registry choose by
/// sample size", resolved per window.
/// </summary>
/// <param name="Test">The test, or <see langword="null"/> for the registry default.</param>
/// <param name="Warning">The warning threshold (null: the test's default).</param>
/// <param name="Critical">The critical threshold (null: the test's default).</param>
public sealed record TestPlan(IDriftTest? Test, double? Warning, double? Critical);

/// <summary>Data-quality limits applied to one channel (shares of the window's events, in [0, 1]).</summary>
/// <param name="MaxMissingShare">Missing values.</param>
/// <param name="MaxTypeErrorShare">Wrongly typed values.</param>
/// <param name="MaxOutOfRangeShare">Numeric values outside [min, max].</param>
/// <param name="MaxUnseenShare">Categories outside the baseline's or the allowed set.</param>
public sealed record QualityPlan(double? MaxMissingShare = null, double? MaxTypeErrorShare = null, double? MaxOutOfRangeShare = null, double? MaxUnseenShare = null);

/// <summary>How one numeric channel (a feature or the prediction) is judged.</summary>
/// <param name="Name">Feature name or <c>prediction</c>.</param>
/// <param name="Role">Feature or prediction.</param>
/// <param name="Index">Its index among the layout's numeric channels.</param>
/// <param name="Reference">The baseline's values (exact or from its sketch).</param>
/// <param name="ReferenceBinCounts">The baseline's exact counts in its bins (aligned with the channel's bins).</param>
/// <param name="Tests">The tests to run.</param>
/// <param name="Quality">The quality limits.</param>
public sealed record NumericPlan(string Name, StreamRole Role, int Index, NumericSample Reference, long[]? ReferenceBinCounts, IReadOnlyList<TestPlan> Tests, QualityPlan Quality);

/// <summary>How one categorical channel is judged.</summary>
/// <param name="Name">Feature name or <c>prediction</c>.</param>
/// <param name="Role">Feature or prediction.</param>
/// <param name="Index">Its index among the layout's categorical channels.</param>
/// <param name="Reference">The baseline's category counts.</param>
/// <param name="Tests">The tests to run.</param>
/// <param name="Quality">The quality limits.</param>
public sealed record CategoricalPlan(string Name, StreamRole Role, int Index, CategoricalDistribution Reference, IReadOnlyList<TestPlan> Tests, QualityPlan Quality);

/// <summary>A performance floor: the window's metric against warning/critical limits.</summary>
/// <param name="Metric">The metric name (e.g. <c>roc_auc</c>).</param>
/// <param name="HigherIsBetter">True for floors, false for error metrics (ceilings).</param>
/// <param name="Warning">The warning limit.</param>
/// <param name="Critical">The critical limit.</param>
public sealed record FloorPlan(string Metric, bool HigherIsBetter, double? Warning, double? Critical);

/// <summary>How performance is computed and judged.</summary>
/// <param name="Kind">Binary, multiclass or regression.</param>
/// <param name="MinLabels">Fewest labelled predictions before floors are judged.</param>
/// <param name="Floors">The floors.</param>
/// <param name="Baseline">The baseline's own metric values, for deltas.</param>
/// <param name="Threshold">The decision threshold for binary scores (default 0.5).</param>
public sealed record PerformancePlan(PerformanceKind Kind, int MinLabels, IReadOnlyList<FloorPlan> Floors, IReadOnlyDictionary<string, double?> Baseline, double Threshold = 0.5);

/// <summary>
/// Everything the evaluator needs for one model, compiled once from the rule file and the baseline: each
/// channel's reference and tests, dataset-drift limits and the performance floors.
/// </summary>
/// <param name="Model">The model.</param>
/// <param name="BaselineId">The baseline's id, reported with every window.</param>
/// <param name="Numeric">Numeric channels to judge.</param>
/// <param name="Categorical">Categorical channels to judge.</param>
/// <param name="DatasetWarningShare">Share of drifted features for a warning.</param>
/// <param name="DatasetCriticalShare">Share of drifted features for critical.</param>
/// <param name="Correction">The p-value correction across features.</param>
/// <param name="Performance">Performance settings, when labels are joined.</param>
/// <param name="Registry">Resolves default tests per window.</param>
public sealed record EvaluationPlan(
    string Model,
    string? BaselineId,
    IReadOnlyList<NumericPlan> Numeric,
    IReadOnlyList<CategoricalPlan> Categorical,
    double DatasetWarningShare,
    double DatasetCriticalShare,
    Correction Correction,
    PerformancePlan? Performance,
    DriftTestRegistry Registry);
