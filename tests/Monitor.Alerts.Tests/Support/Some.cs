using Monitor.Core.Alerts;
using Monitor.Core.Evaluation;
using Monitor.Core.Rules;
using Monitor.Core.Windows;

namespace Monitor.Alerts.Tests;

/// <summary>Values that don't matter to a test, and builders for the ones that do.</summary>
internal static class Some
{
    public static readonly DateTimeOffset Start = new(2026, 11, 28, 7, 0, 5, TimeSpan.Zero);

    public static readonly TimeRange Window = new(new DateTimeOffset(2026, 11, 28, 6, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 28, 7, 0, 0, TimeSpan.Zero));

    public static IReadOnlyList<AlertEvidence> Evidence =>
    [
        new AlertEvidence("amount", "psi", 0.4182, 0.1, 0.25, Severity.Critical),
        new AlertEvidence("country", "jensenshannon", 0.1834, 0.1, 0.2, Severity.Warning),
        new AlertEvidence("amount", "ks", 0.2123, 0.1, 0.2, Severity.Critical),
    ];

    public static DistributionChart Chart => new("amount", ["(0, 10]", "(10, 25]", "(25, 100]", "(100, inf)"], [0.4, 0.3, 0.2, 0.1], [0.1, 0.2, 0.3, 0.4]);

    public static AlertNotification Alert(
        string key = "fraud|feature_drift|2026-11-28T07:00:00Z|firing",
        AlertChannel channel = AlertChannel.Webhook,
        IReadOnlyList<string>? targets = null,
        AlertState state = AlertState.Firing,
        Severity severity = Severity.Critical) =>
        new(
            IdempotencyKey: key,
            Model: "fraud",
            ModelVersion: "3.1.0",
            Rule: "feature_drift",
            Severity: severity,
            State: state,
            Window: Window,
            CreatedAt: Start,
            Summary: "2 features drifted: amount PSI 0.418 (critical ≥ 0.25), country JS 0.183",
            Evidence: Evidence,
            Chart: Chart,
            Route: "oncall",
            Channel: channel,
            Targets: targets ?? ["http://127.0.0.1:1/hook"],
            RunbookUrl: "https://runbooks.example.com/fraud-drift",
            DashboardUrl: "https://grafana.example.com/d/monitor?var-model=fraud",
            BaselineId: "fraud-3.1.0-2026-11-01");

    public static RetrainRequest Retrain(string webhook, string key = "fraud|retrain|dataset_drift|2026-11-28T07:00:00Z", string? secretEnv = null) =>
        new(
            IdempotencyKey: key,
            Model: "fraud",
            ModelVersion: "3.1.0",
            Reason: "dataset_drift",
            Evidence: Evidence,
            Windows: [Window, new TimeRange(Window.Start.AddHours(-1), Window.Start)],
            BaselineId: "fraud-3.1.0-2026-11-01",
            CreatedAt: Start,
            Webhook: webhook,
            SecretEnv: secretEnv);
}
