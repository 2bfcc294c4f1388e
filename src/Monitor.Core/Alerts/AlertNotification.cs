using Monitor.Core.Evaluation;
using Monitor.Core.Rules;
using Monitor.Core.Windows;

namespace Monitor.Core.Alerts;

/// <summary>Whether a notification announces a problem or its recovery.</summary>
public enum AlertState
{
    /// <summary>The condition holds (after its <c>for_windows</c>); sent on firing and on re-notify.</summary>
    Firing,

    /// <summary>The condition stopped holding for <c>resolve_after</c> clean windows.</summary>
    Resolved,
}

/// <summary>One piece of evidence: a test on a feature (or a metric against its floor) with its thresholds.</summary>
/// <param name="Feature">Feature name, <c>prediction</c>, or a metric name for performance alerts.</param>
/// <param name="Test">The drift test, quality check, or <c>floor</c>.</param>
/// <param name="Value">The statistic, share or metric value.</param>
/// <param name="Warning">The warning threshold.</param>
/// <param name="Critical">The critical threshold.</param>
/// <param name="Severity">Which threshold it crossed.</param>
public sealed record AlertEvidence(string Feature, string Test, double Value, double? Warning, double? Critical, Severity Severity);

/// <summary>Reference and current shares per bin (or category) of one feature, for the chart in e-mails.</summary>
/// <param name="Feature">The feature.</param>
/// <param name="Labels">Bin labels (e.g. <c>(10, 25]</c>) or category names.</param>
/// <param name="Reference">Reference share per label.</param>
/// <param name="Current">Current share per label.</param>
public sealed record DistributionChart(string Feature, IReadOnlyList<string> Labels, IReadOnlyList<double> Reference, IReadOnlyList<double> Current);

/// <summary>
/// One alert message for one route (channel and targets). Written to the outbox before it is sent; delivered
/// at least once and deduplicated downstream by <see cref="IdempotencyKey"/> (model, rule, window, state).
/// </summary>
/// <param name="IdempotencyKey">Stable per (model, rule, window end, state): the same decision always yields the same key.</param>
/// <param name="Model">The model.</param>
/// <param name="ModelVersion">The model version seen in the window.</param>
/// <param name="Rule">What fired: <c>feature_drift</c>, <c>dataset_drift</c>, <c>prediction_drift</c>, <c>data_quality</c>, <c>performance</c>.</param>
/// <param name="Severity">Warning or critical.</param>
/// <param name="State">Firing or resolved.</param>
/// <param name="Window">The window that decided it.</param>
/// <param name="CreatedAt">When the decision was made (injected clock).</param>
/// <param name="Summary">One line for subjects and chat: what changed and how much.</param>
/// <param name="Evidence">The findings behind it, worst first.</param>
/// <param name="Chart">The worst drifting feature's reference vs current distribution, when known.</param>
/// <param name="Route">The route name from the rule file.</param>
/// <param name="Channel">The channel.</param>
/// <param name="Targets">Addresses or URLs.</param>
/// <param name="RunbookUrl">The runbook link.</param>
/// <param name="DashboardUrl">The dashboard link.</param>
/// <param name="BaselineId">The baseline compared with.</param>
public sealed record AlertNotification(
    string IdempotencyKey,
    string Model,
    string? ModelVersion,
    string Rule,
    Severity Severity,
    AlertState State,
    TimeRange Window,
    DateTimeOffset CreatedAt,
    string Summary,
    IReadOnlyList<AlertEvidence> Evidence,
    DistributionChart? Chart,
    string Route,
    AlertChannel Channel,
    IReadOnlyList<string> Targets,
    string? RunbookUrl,
    string? DashboardUrl,
    string? BaselineId)
{
    /// <summary>
    /// Why this notification was sent: first firing, escalation, reminder or recovery; lets templates say
    /// "escalated" or "still firing". Defaults to <see cref="AlertTransition.Fired"/>.
    /// </summary>
    public AlertTransition Transition { get; init; } = AlertTransition.Fired;
}

/// <summary>A request to a training pipeline to retrain a model, with the evidence that justified it.</summary>
/// <param name="IdempotencyKey">Stable per (model, reason, window end).</param>
/// <param name="Model">The model.</param>
/// <param name="ModelVersion">The version in production.</param>
/// <param name="Reason">Why: <c>dataset_drift</c> for N windows, <c>performance_floor</c>, or both.</param>
/// <param name="Evidence">Drifted features and breached floors.</param>
/// <param name="Windows">The windows that met the condition.</param>
/// <param name="BaselineId">The baseline compared with.</param>
/// <param name="CreatedAt">When the decision was made.</param>
/// <param name="Webhook">The pipeline's URL.</param>
/// <param name="SecretEnv">The environment variable holding the HMAC secret.</param>
public sealed record RetrainRequest(
    string IdempotencyKey,
    string Model,
    string? ModelVersion,
    string Reason,
    IReadOnlyList<AlertEvidence> Evidence,
    IReadOnlyList<TimeRange> Windows,
    string? BaselineId,
    DateTimeOffset CreatedAt,
    string Webhook,
    string? SecretEnv);
