using System.Globalization;
using Monitor.Core.Evaluation;
using Monitor.Core.Ingest;
using Monitor.Core.Rules;

namespace Monitor.Exporters.Prometheus;

/// <summary>
/// Maps Monitor's enums to the bounded label values listed in docs/metrics.md, so no label can take a value
/// outside that list (an event id or a free-form message never becomes a label).
/// </summary>
internal static class LabelValues
{
    /// <summary>The version label when events carry no model version.</summary>
    public const string AnyVersion = "any";

    /// <summary>Every value the <c>reason</c> label can take.</summary>
    public static readonly IReadOnlyList<string> DecodeReasons =
    [
        "invalid_json", "not_an_object", "too_deep", "too_large", "bad_timestamp", "missing_event_id", "missing_model", "missing_label", "unknown_model",
    ];

    /// <summary>Every value the <c>status</c> label of retrain requests can take.</summary>
    public static readonly IReadOnlyList<string> RetrainStatuses = ["2xx", "4xx", "5xx", "error"];

    /// <summary>The <c>reason</c> label of a failed decode. <see cref="DecodeOutcome.OtherModel"/> is reported as
    /// <c>unknown_model</c>: the daemon counts it only when no model on the topic accepted the message.</summary>
    public static string Reason(DecodeOutcome outcome) => outcome switch
    {
        DecodeOutcome.InvalidJson => "invalid_json",
        DecodeOutcome.NotAnObject => "not_an_object",
        DecodeOutcome.TooDeep => "too_deep",
        DecodeOutcome.TooLarge => "too_large",
        DecodeOutcome.BadTimestamp => "bad_timestamp",
        DecodeOutcome.MissingEventId => "missing_event_id",
        DecodeOutcome.MissingModel => "missing_model",
        DecodeOutcome.MissingLabel => "missing_label",
        DecodeOutcome.OtherModel => "unknown_model",
        DecodeOutcome.Ok => throw new ArgumentException("A decoded message is not a decode error.", nameof(outcome)),
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "Unknown decode outcome."),
    };

    /// <summary>The <c>channel</c> label.</summary>
    public static string Channel(AlertChannel channel) => channel switch
    {
        AlertChannel.Email => "email",
        AlertChannel.Webhook => "webhook",
        AlertChannel.Slack => "slack",
        AlertChannel.Alertmanager => "alertmanager",
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, "Unknown alert channel."),
    };

    /// <summary>The <c>severity</c> label of firing alerts.</summary>
    public static string Severity(AlertSeverity severity) => severity switch
    {
        AlertSeverity.Warning => "warning",
        AlertSeverity.Critical => "critical",
        _ => throw new ArgumentOutOfRangeException(nameof(severity), severity, "Unknown alert severity."),
    };

    /// <summary>The value of <c>monitor_feature_drift_severity</c>: 0 none, 1 warning, 2 critical.</summary>
    public static double SeverityValue(Severity severity) => severity switch
    {
        Monitor.Core.Evaluation.Severity.None => 0,
        Monitor.Core.Evaluation.Severity.Warning => 1,
        Monitor.Core.Evaluation.Severity.Critical => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(severity), severity, "Unknown severity."),
    };

    /// <summary>The HTTP status class of a retrain webhook call; <see langword="null"/> (no response) and
    /// anything outside 2xx/4xx/5xx is <c>error</c>.</summary>
    public static string StatusClass(int? httpStatus) => httpStatus switch
    {
        >= 200 and < 300 => "2xx",
        >= 400 and < 500 => "4xx",
        >= 500 and < 600 => "5xx",
        _ => "error",
    };

    /// <summary>The <c>partition</c> label.</summary>
    public static string Partition(int partition) =>
        partition >= 0
            ? partition.ToString(CultureInfo.InvariantCulture)
            : throw new ArgumentOutOfRangeException(nameof(partition), partition, "A Kafka partition is never negative.");
}
