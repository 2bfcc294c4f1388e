using System.Globalization;
using System.Net;
using Monitor.IntegrationTests.Support;
using Xunit.Abstractions;

namespace Monitor.IntegrationTests;

/// <summary>The daemon in-process against the embedded broker: window counts, drift, performance, metrics and readiness.</summary>
[Collection(EndToEndRun.Name)]
public sealed class EndToEndTests(EndToEndFixture run, ITestOutputHelper output)
{
    [Fact]
    public void Windows_ProducedTraffic_CountsExactlyWhatWasProducedPerWindow()
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"closing event acknowledged → window report in the API: {run.CloseToApi.TotalMilliseconds:F0} ms; → all labels back-filled: {run.CloseToLabelled.TotalMilliseconds:F0} ms"));
        var expected = Infrastructure.Expected(run.Events);
        var reported = run.Reports.Where(r => r.Events > 0).ToDictionary(Infrastructure.Index, r => r);
        Assert.Equal(expected.Keys.Order(), reported.Keys.Order());
        foreach (var (window, count) in expected)
        {
            Assert.True(reported[window].Final);
            Assert.Equal(count, reported[window].Events);
        }
    }

    [Fact]
    public void Windows_DriftInWindowsTwoAndThree_FlaggedExactlyThere()
    {
        foreach (var report in run.Reports.Where(r => r.Events > 0))
        {
            int window = Infrastructure.Index(report);
            bool drifted = EndToEndFixture.DriftedWindows.Contains(window);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"window {window}: severity {report.Severity}, drifted features {report.DriftedFeatures}, {string.Join(", ", report.Tests.Select(t => $"{t.Feature}/{t.Test}={t.Statistic:F4}{(t.Drifted ? "!" : "")}"))}"));
            foreach (var test in report.Tests)
            {
                Assert.True(test.Drifted == drifted, $"window {window}: {test.Feature}/{test.Test} drifted={test.Drifted} (statistic {test.Statistic}), expected {drifted}");
            }

            Assert.Equal(drifted, report.DriftedFeatures > 0);
            Assert.Equal(drifted, report.Severity != "none");
        }
    }

    [Fact]
    public void Windows_LabelsProduced_PerformanceOnEveryWindowWithEveryLabel()
    {
        foreach (var report in run.Reports.Where(r => r.Events > 0))
        {
            Assert.Equal(report.Events, report.Labelled);
        }
    }

    [Fact]
    public async Task Metrics_AfterWindows_DriftScoreEqualsTheApisLatestWindow()
    {
        var (status, latestBody) = await Infrastructure.GetAsync(run.BaseUrl + "/api/models/shop/windows/latest");
        Assert.Equal(HttpStatusCode.OK, status);
        var latest = run.Reports.Single(r => Infrastructure.Index(r) == EndToEndFixture.Windows - 1);
        Assert.Contains(latest.Start.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture), latestBody, StringComparison.Ordinal);

        var (metricsStatus, metrics) = await Infrastructure.GetAsync(run.BaseUrl + "/metrics");
        Assert.Equal(HttpStatusCode.OK, metricsStatus);
        var scores = Infrastructure.Samples(metrics, "monitor_feature_drift_score");
        int compared = 0;
        foreach (var test in latest.Tests)
        {
            string key = scores.Keys.Single(k => k.Contains("model=\"shop\"", StringComparison.Ordinal)
                && k.Contains($"feature=\"{test.Feature}\"", StringComparison.Ordinal) && k.Contains($"test=\"{test.Test}\"", StringComparison.Ordinal));
            Assert.NotNull(test.Statistic);
            Assert.Equal(test.Statistic!.Value, scores[key], 12);
            compared++;
        }

        Assert.Equal(4, compared); // the two features, the prediction and the label (label drift)
        Assert.Equal((double)latest.Events, Assert.Single(Infrastructure.Samples(metrics, "monitor_window_events")).Value);
    }

    [Fact]
    public async Task Metrics_OperationalFamilies_MatchWhatHappened()
    {
        string metrics = await Deadline.PollAsync(TimeSpan.FromSeconds(30), "monitor_alerts_sent_total equal to the deliveries received", async () =>
        {
            var (_, text) = await Infrastructure.GetAsync(run.BaseUrl + "/metrics");
            double sent = Infrastructure.Samples(text, "monitor_alerts_sent_total").GetValueOrDefault("{channel=\"webhook\"}");
            return (sent == run.AlertsDelivered, text, $"{sent} sent, {run.AlertsDelivered} received");
        });
        Assert.True(run.AlertsDelivered >= 2, $"{run.AlertsDelivered} deliveries: expected a firing and a resolved notification at least");
        Assert.Equal(0, Assert.Single(Infrastructure.Samples(metrics, "monitor_outbox_depth")).Value);
        var deadLetters = Infrastructure.Samples(metrics, "monitor_dead_letters_total");
        Assert.Equal(1, Assert.Single(deadLetters, kv => kv.Key.Contains("reason=\"invalid_json\"", StringComparison.Ordinal)).Value);
        Assert.Equal(1, Infrastructure.Samples(metrics, "monitor_decode_errors_total").Values.Sum());
        Assert.True(Infrastructure.Samples(metrics, "monitor_alerts_firing").Count > 0);

        var decoded = Infrastructure.Samples(metrics, "monitor_events_decoded_total");
        Assert.Equal(run.Events.Count + 1, decoded["{topic=\"shop.predictions\"}"]); // the traffic and the closing event
        Assert.Equal(run.Events.Count, decoded["{topic=\"shop.labels\"}"]);
        var consumed = Infrastructure.Samples(metrics, "monitor_events_consumed_total");
        Assert.Equal(run.Events.Count + 2, consumed["{topic=\"shop.predictions\"}"]); // plus the dead letter

        // Everything read is checkpointed within a second, so the lag behind the committed offsets drains to zero.
        await Deadline.PollAsync(TimeSpan.FromSeconds(30), "monitor_consumer_lag 0 on every partition", async () =>
        {
            var (_, text) = await Infrastructure.GetAsync(run.BaseUrl + "/metrics");
            var lag = Infrastructure.Samples(text, "monitor_consumer_lag");
            return (lag.Count == 2 && lag.Values.All(v => v == 0), true, string.Join(", ", lag.Select(kv => $"{kv.Key}={kv.Value}")));
        });
    }

    [Fact]
    public async Task Readyz_ConnectedDaemon_Is200()
    {
        var (status, body) = await Infrastructure.GetAsync(run.BaseUrl + "/readyz");
        Assert.True(status == HttpStatusCode.OK, body);
        Assert.Equal(HttpStatusCode.OK, (await Infrastructure.GetAsync(run.BaseUrl + "/healthz")).Status);
    }
}
