using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Monitor.Core.Alerts;
using Monitor.Core.Drift;
using Monitor.Core.Evaluation;
using Monitor.Core.Rules;
using Monitor.Core.Windows;
using Monitor.Exporters.Elasticsearch;

namespace Monitor.Exporters.Tests.Elasticsearch;

/// <summary>A logger that keeps every entry for assertions.</summary>
public sealed class CapturingLogger : ILogger<ElasticsearchExporter>
{
    public ConcurrentQueue<(LogLevel Level, EventId Id, string Message)> Entries { get; } = new();

    public int Count(int eventId) => Entries.Count(e => e.Id.Id == eventId);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((logLevel, eventId, formatter(state, exception)));
}

/// <summary>Values that don't matter to a test, and reports whose shape does.</summary>
public static class Some
{
    public static readonly DateTimeOffset WindowEnd = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);

    public static TimeRange Window(int hour = 10) =>
        new(new DateTimeOffset(2026, 11, 27, hour - 1, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 27, hour, 0, 0, TimeSpan.Zero));

    public static TestOutcome Test(string name, double statistic, Severity severity = Severity.None) =>
        new(name, statistic, 0.2, null, ThresholdKind.StatisticAbove, 0.1, 0.25, severity, EstimateMode.Exact, null, 1000, 500);

    public static FeatureReport Feature(string name, params TestOutcome[] tests) =>
        new(name, FeatureKind.Numeric, StreamRole.Feature, 500, 3, 0, 1, 0, EstimateMode.Exact, tests,
            [new QualityCheck("missing_share", 0.006, 0.05, Severity.None)]);

    /// <summary>Two features with two tests each: four drift documents and one window document.</summary>
    public static WindowReport Report(string model = "churn", int hour = 10, int revision = 0) =>
        new(model, "v3", "base-1", Window(hour), true, revision, 503,
            [Feature("age", Test("psi", 0.31, Severity.Critical), Test("ks", 0.08)), Feature("income", Test("psi", 0.02), Test("ks", 0.03))],
            new DatasetDriftReport(2, 1, 0.5, 0.3, 0.6, "none", Severity.Warning),
            new PerformanceReport(400, 0.8, true, new Dictionary<string, double?> { ["auc"] = 0.91, ["f1"] = null },
                [new FloorOutcome("auc", 0.91, 0.93, true, 0.9, 0.85, Severity.None)], true));

    public static AlertNotification Alert(int n = 1, string route = "oncall") =>
        new($"churn|feature_drift|{n}|firing", "churn", "v3", "feature_drift", Severity.Critical, AlertState.Firing, Window(),
            WindowEnd.AddMinutes(1), $"age drifted (psi 0.31) #{n}",
            [new AlertEvidence("age", "psi", 0.31, 0.1, 0.25, Severity.Critical)], null, route, AlertChannel.Webhook,
            ["https://hooks.example/x"], "https://runbooks.example/drift", null, "base-1");
}

/// <summary>Polls with a deadline, moving fake time past any back-off the exporter waits in.</summary>
public static class Drive
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    public static async Task UntilAsync(Func<bool> condition, ElasticsearchExporter exporter, FakeTimeProvider time, string what)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < Deadline, $"Timed out waiting for: {what}");
            if (exporter.IsBackingOff)
            {
                time.Advance(TimeSpan.FromMinutes(2));
            }

            await Task.Delay(5);
        }
    }

    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < Deadline, $"Timed out waiting for: {what}");
            await Task.Delay(5);
        }
    }

    public static ElasticsearchExporterOptions Options(Uri endpoint) => new()
    {
        Endpoint = endpoint,
        InitialBackoff = TimeSpan.FromSeconds(1),
        MaxBackoff = TimeSpan.FromSeconds(30),
        RequestTimeout = TimeSpan.FromSeconds(5),
    };

    public static ElasticsearchExporter Exporter(ElasticsearchExporterOptions options, FakeTimeProvider time, CapturingLogger logger, int seed = 7) =>
        new(options, time, logger, new Random(seed));
}
