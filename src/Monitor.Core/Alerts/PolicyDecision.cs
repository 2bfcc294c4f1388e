using Monitor.Core.Evaluation;

namespace Monitor.Core.Alerts;

/// <summary>Which step of an alert's life a notification announces.</summary>
public enum AlertTransition
{
    /// <summary>The alert started firing (or is announced for the first time after a silence or cooldown).</summary>
    Fired,

    /// <summary>A firing alert became more severe (warning to critical); sent at once, cooldown notwithstanding.</summary>
    Escalated,

    /// <summary>A reminder that the alert is still firing (<c>renotify_interval</c>).</summary>
    Renotified,

    /// <summary>The alert resolved after <c>resolve_after</c> clean windows.</summary>
    Resolved,
}

/// <summary>Why a notification that the policy decided on was not sent.</summary>
public enum SuppressionReason
{
    /// <summary>The same alert was sent to the same route less than <c>cooldown</c> ago.</summary>
    Cooldown,

    /// <summary>A silence covers the model and rule.</summary>
    Silence,
}

/// <summary>A notification the policy held back, kept so that suppressed alerts can be counted and logged.</summary>
/// <param name="Notification">What would have been sent.</param>
/// <param name="Reason">Why it was not.</param>
public sealed record SuppressedNotification(AlertNotification Notification, SuppressionReason Reason);

/// <summary>What <see cref="AlertPolicy.Observe"/> decided for one report: what to send now, and what was held back.</summary>
/// <param name="Notifications">One per route whose alert fired, escalated, re-notified or resolved; to be written to the outbox.</param>
/// <param name="RetrainRequests">At most one retrain request.</param>
/// <param name="Suppressed">Notifications withheld by a cooldown or a silence (state still changed).</param>
public sealed record PolicyDecision(
    IReadOnlyList<AlertNotification> Notifications,
    IReadOnlyList<RetrainRequest> RetrainRequests,
    IReadOnlyList<SuppressedNotification> Suppressed)
{
    /// <summary>Nothing to send (e.g. for a provisional report).</summary>
    public static PolicyDecision Empty { get; } = new([], [], []);

    /// <summary>Whether there is anything to send.</summary>
    public bool IsEmpty => Notifications.Count == 0 && RetrainRequests.Count == 0;
}

/// <summary>An alert that is firing on one route.</summary>
/// <param name="Rule">The condition.</param>
/// <param name="Route">The route.</param>
/// <param name="Severity">The severity of its latest bad window.</param>
/// <param name="Since">Start of the first bad window of the episode.</param>
/// <param name="Announced">Whether on-call was told (false while a silence or cooldown held it back).</param>
public sealed record FiringAlert(string Rule, string Route, Severity Severity, DateTimeOffset? Since, bool Announced);

/// <summary>The alert condition names (the <c>rule</c> of a notification and of a silence).</summary>
public static class AlertRuleNames
{
    /// <summary>Any input feature's drift test at or above the route's severity; all such features grouped into one alert.</summary>
    public const string FeatureDrift = "feature_drift";

    /// <summary>A drift test on the prediction stream.</summary>
    public const string PredictionDrift = "prediction_drift";

    /// <summary>The share of drifted features reached the dataset drift limits.</summary>
    public const string DatasetDrift = "dataset_drift";

    /// <summary>A performance floor (or ceiling) breached, once enough labels joined to judge it.</summary>
    public const string Performance = "performance";

    /// <summary>A data-quality share (missing, type errors, out of range, unseen) above its limit.</summary>
    public const string DataQuality = "data_quality";

    /// <summary>All conditions, in the order the policy evaluates them.</summary>
    public static IReadOnlyList<string> All { get; } = [FeatureDrift, PredictionDrift, DatasetDrift, Performance, DataQuality];
}
