using Monitor.Core.Drift;
using Monitor.Core.Windows;

namespace Monitor.Core.Evaluation;

/// <summary>How bad a finding is.</summary>
public enum Severity
{
    /// <summary>Within thresholds.</summary>
    None,

    /// <summary>The warning threshold was crossed.</summary>
    Warning,

    /// <summary>The critical threshold was crossed.</summary>
    Critical,
}

/// <summary>Everything Monitor concluded about one window of one model.</summary>
/// <param name="Model">The model.</param>
/// <param name="ModelVersion">The model version seen in the window's events (the last one), if any.</param>
/// <param name="BaselineId">The baseline the window was compared with.</param>
/// <param name="Window">The window's time range.</param>
/// <param name="Final">Closed (true) or provisional (false).</param>
/// <param name="Revision">0 for the first report; n for the n-th performance back-fill.</param>
/// <param name="Events">Prediction events in the window.</param>
/// <param name="Features">Drift and quality per feature, and for the prediction (role <see cref="StreamRole.Prediction"/>).</param>
/// <param name="Dataset">The share of drifted features.</param>
/// <param name="Performance">Performance once labels joined; <see langword="null"/> for models without labels.</param>
public sealed record WindowReport(
    string Model,
    string? ModelVersion,
    string? BaselineId,
    TimeRange Window,
    bool Final,
    int Revision,
    long Events,
    IReadOnlyList<FeatureReport> Features,
    DatasetDriftReport? Dataset,
    PerformanceReport? Performance)
{
    /// <summary>The most severe finding anywhere in the report.</summary>
    public Severity Severity
    {
        get
        {
            var s = Dataset?.Severity ?? Severity.None;
            foreach (var f in Features)
            {
                s = Max(s, f.Severity);
            }

            return Max(s, Performance?.Severity ?? Severity.None);
        }
    }

    internal static Severity Max(Severity a, Severity b) => a >= b ? a : b;
}

/// <summary>Drift tests and data quality of one feature (or of the prediction) in one window.</summary>
/// <param name="Feature">The feature name, or <c>prediction</c>.</param>
/// <param name="Kind">Numeric or categorical.</param>
/// <param name="Role">Feature or prediction.</param>
/// <param name="Count">Valid values in the window.</param>
/// <param name="Missing">Null or absent values.</param>
/// <param name="TypeErrors">Values of the wrong type.</param>
/// <param name="OutOfRange">Numeric values outside the rule's range.</param>
/// <param name="Unseen">Categorical values outside the baseline's (or the allowed) categories.</param>
/// <param name="Mode">Whether the window's values were held exactly or in a sketch.</param>
/// <param name="Tests">Each configured drift test's outcome (empty when the window had no valid values).</param>
/// <param name="Quality">Data-quality checks with their limits.</param>
/// <param name="Distribution">Reference and current shares per bin or category (for charts), when a baseline exists.</param>
public sealed record FeatureReport(
    string Feature,
    FeatureKind Kind,
    StreamRole Role,
    long Count,
    long Missing,
    long TypeErrors,
    long OutOfRange,
    long Unseen,
    EstimateMode Mode,
    IReadOnlyList<TestOutcome> Tests,
    IReadOnlyList<QualityCheck> Quality,
    FeatureDistribution? Distribution = null)
{
    /// <summary>Whether any test found drift at warning level or above.</summary>
    public bool Drifted => Tests.Any(t => t.Drifted);

    /// <summary>The most severe test or quality finding.</summary>
    public Severity Severity => Tests.Select(t => t.Severity).Concat(Quality.Select(q => q.Severity)).DefaultIfEmpty(Severity.None).Max();
}

/// <summary>One drift test's outcome on one feature.</summary>
/// <param name="Test">The registry name.</param>
/// <param name="Statistic">The statistic or distance.</param>
/// <param name="PValue">The raw p-value where defined.</param>
/// <param name="AdjustedPValue">The p-value after the rule's multiple-testing correction across features (null when uncorrected or undefined).</param>
/// <param name="ThresholdKind">Whether thresholds bound the statistic or the p-value.</param>
/// <param name="Warning">The warning threshold.</param>
/// <param name="Critical">The critical threshold; <see langword="null"/> when the rule sets a warning tier only.</param>
/// <param name="Severity">Which threshold was crossed.</param>
/// <param name="Mode">Exact, or estimated from a sketch.</param>
/// <param name="Bound">For sketch results, the bound on the statistic's absolute error, where one is known.</param>
/// <param name="ReferenceCount">Observations in the reference.</param>
/// <param name="CurrentCount">Observations in the window.</param>
public sealed record TestOutcome(
    string Test,
    double Statistic,
    double? PValue,
    double? AdjustedPValue,
    ThresholdKind ThresholdKind,
    double Warning,
    double? Critical,
    Severity Severity,
    EstimateMode Mode,
    double? Bound,
    long ReferenceCount,
    long CurrentCount)
{
    /// <summary>Whether the warning threshold (or a stricter one) was crossed.</summary>
    public bool Drifted => Severity != Severity.None;
}

/// <summary>One data-quality check (a share against its limit).</summary>
/// <param name="Check">The check: <c>missing_share</c>, <c>type_error_share</c>, <c>out_of_range_share</c>, <c>unseen_share</c>.</param>
/// <param name="Value">The observed share in [0, 1].</param>
/// <param name="Limit">The configured limit, or <see langword="null"/> when only reported.</param>
/// <param name="Severity">Warning when the limit is exceeded.</param>
public sealed record QualityCheck(string Check, double Value, double? Limit, Severity Severity);

/// <summary>Dataset drift: how many of the features drifted.</summary>
/// <param name="Features">Features with at least one test result.</param>
/// <param name="Drifted">Features with a drifted test.</param>
/// <param name="Share">Drifted / features.</param>
/// <param name="WarningShare">The warning limit on the share.</param>
/// <param name="CriticalShare">The critical limit on the share.</param>
/// <param name="Correction">The p-value correction used across features.</param>
/// <param name="Severity">Which limit the share reached.</param>
public sealed record DatasetDriftReport(int Features, int Drifted, double Share, double WarningShare, double CriticalShare, string Correction, Severity Severity);

/// <summary>Performance of the model on the labelled predictions of one window.</summary>
/// <param name="Labelled">Predictions with a joined label (all of them, sampled or not).</param>
/// <param name="Coverage">Labelled / events.</param>
/// <param name="Exact">Whether metrics use every labelled pair (false: a uniform sample).</param>
/// <param name="Metrics">Metric name → value (null where undefined, e.g. AUC with one class).</param>
/// <param name="Floors">Each configured floor's outcome.</param>
/// <param name="Judged">Whether enough labels joined to judge the floors.</param>
public sealed record PerformanceReport(
    long Labelled,
    double Coverage,
    bool Exact,
    IReadOnlyDictionary<string, double?> Metrics,
    IReadOnlyList<FloorOutcome> Floors,
    bool Judged)
{
    /// <summary>The most severe floor outcome.</summary>
    public Severity Severity => Floors.Select(f => f.Severity).DefaultIfEmpty(Severity.None).Max();
}

/// <summary>One metric against its floor (or ceiling, for error metrics).</summary>
/// <param name="Metric">The metric.</param>
/// <param name="Value">The window's value; null where undefined.</param>
/// <param name="Baseline">The baseline's value, when the baseline had labels.</param>
/// <param name="HigherIsBetter">Whether the limits are floors (true) or ceilings (false).</param>
/// <param name="Warning">The warning limit.</param>
/// <param name="Critical">The critical limit.</param>
/// <param name="Severity">Which limit was breached.</param>
public sealed record FloorOutcome(string Metric, double? Value, double? Baseline, bool HigherIsBetter, double? Warning, double? Critical, Severity Severity);

/// <summary>Reference and current shares over the same bins (numeric) or categories (categorical).</summary>
/// <param name="Labels">Bin labels such as <c>(10, 25]</c>, or category names (the largest ten, then <c>__other__</c>).</param>
/// <param name="Reference">The reference's share per label.</param>
/// <param name="Current">The window's share per label.</param>
public sealed record FeatureDistribution(IReadOnlyList<string> Labels, IReadOnlyList<double> Reference, IReadOnlyList<double> Current)
{
    /// <summary>The most categories shown before the rest is summed into <c>__other__</c>.</summary>
    public const int MaxCategories = 10;
}
