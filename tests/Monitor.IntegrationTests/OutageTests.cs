using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Monitor.IntegrationTests.Support;
using Monitor.Kafka.Embedded;
using Xunit.Abstractions;

namespace Monitor.IntegrationTests;

/// <summary>
/// Alert delivery through the whole daemon across a receiver outage and a SIGKILL: alerts decided while the webhook
/// receiver answers 503 wait in the outbox on disk, survive the kill, and are delivered by the restarted process once
/// the receiver is back, each idempotency key exactly once and every request signed.
/// </summary>
public sealed class OutageTests(ITestOutputHelper output) : IDisposable
{
    private const string Secret = "outage-secret";
    private const string AlertsPath = "/alerts";
    private static readonly IReadOnlySet<int> DriftedWindows = new HashSet<int> { 1, 3 };

    private readonly string _folder = Directory.CreateTempSubdirectory("monitor-it-outage-").FullName;

    [Fact]
    public async Task Alerts_ReceiverDownAcrossSigkillAndRestart_EveryDecidedKeyDeliveredExactlyOnce()
    {
        var clock = Stopwatch.StartNew();
        using var cluster = new EmbeddedKafkaCluster();
        Infrastructure.CreateTopics(cluster);
        using var receiver = new WebhookReceiver(Secret, down: true);
        string rules = ShopModel.Write(_folder, allowedLateness: "5s", alertWebhook: receiver.Url + AlertsPath);
        string state = Path.Combine(_folder, "state");
        var events = ShopModel.Traffic(seed: 11, windows: 6, perWindow: 300, DriftedWindows, idPrefix: "o");
        string url = string.Empty;

        MonitorProcess StartChild()
        {
            url = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Infrastructure.FreePort()}");
            return MonitorProcess.Start(_folder, "run",
                $"--Monitor:Rules={rules}",
                $"--Monitor:Kafka:BootstrapServers={cluster.BootstrapServers}",
                $"--Monitor:StateDirectory={state}",
                $"--Monitor:HttpUrl={url}",
                "--Monitor:Kafka:GroupId=monitor-it-outage",
                "--Monitor:Kafka:CheckpointInterval=00:00:01",
                "--Monitor:Kafka:Settings:session.timeout.ms=6000",
                "--Monitor:Kafka:Settings:heartbeat.interval.ms=500",
                $"--Alerts:Http:Secret={Secret}",
                // Short backoff so that the restarted process retries within the test, not minutes later.
                "--Alerts:Outbox:BaseDelay=00:00:00.5",
                "--Alerts:Outbox:MaxDelay=00:00:02");
        }

        var child = StartChild();
        string firstOutput = string.Empty;
        try
        {
            using var producer = Infrastructure.Producer(cluster.BootstrapServers);
            await WaitReadyAsync(url, child);

            // Windows 0–3: windows 0–2 close (window 1 fires, window 2 resolves) while the receiver answers 503.
            Infrastructure.Produce(producer, events.Where(e => e.Window <= 3), labels: true);
            string before = await Deadline.PollAsync(TimeSpan.FromSeconds(30), "alerts pending in the outbox after failed attempts", async () =>
            {
                var (_, metrics) = await Infrastructure.GetAsync(url + "/metrics");
                double depth = Infrastructure.Samples(metrics, "monitor_outbox_depth").Values.Sum();
                double failed = Infrastructure.Samples(metrics, "monitor_alerts_failed_total").Values.Sum();
                string s = string.Create(CultureInfo.InvariantCulture, $"outbox depth {depth}, {failed} failed attempts");
                return (depth > 0 && failed > 0, s, s);
            });

            // Killed only once a checkpoint holds every record read (lag 0 means the checkpoint's offsets were committed):
            // that checkpoint also holds the alert policies after windows 0–2, so the restarted process does not decide
            // their alerts again and only the outbox on disk can deliver them.
            const int Records = 4 * 300 * 2;
            await Deadline.PollAsync(TimeSpan.FromSeconds(30), "every record read and checkpointed (consumer lag 0)", async () =>
            {
                var (_, metrics) = await Infrastructure.GetAsync(url + "/metrics");
                double consumed = Infrastructure.Samples(metrics, "monitor_events_consumed_total").Values.Sum();
                var lag = Infrastructure.Samples(metrics, "monitor_consumer_lag");
                bool done = consumed == Records && lag.Count >= 2 && lag.Values.All(v => v == 0);
                return (done, true, string.Create(CultureInfo.InvariantCulture, $"{consumed} of {Records} records read, lag {string.Join(", ", lag.Values)}"));
            });
            child.KillHard();
            firstOutput = child.Output;
            child.Dispose();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{clock.Elapsed.TotalSeconds:F1} s: SIGKILL with {before}; receiver saw {receiver.Calls.Count} attempts, none accepted"));
            Assert.Empty(receiver.Accepted(AlertsPath));
            Assert.NotEmpty(receiver.Calls);

            // Windows 4–5 while the daemon is down (window 3 closes, window 4 resolves it), then the receiver comes back.
            Infrastructure.Produce(producer, events.Where(e => e.Window >= 4), labels: true);
            receiver.Down = false;
            child = StartChild();

            var expected = ExpectedKeys();
            await Deadline.PollAsync(TimeSpan.FromSeconds(45), "every expected alert key delivered and the outbox drained", async () =>
            {
                Assert.False(child.HasExited, "monitor run exited:\n" + child.Output);
                var (_, metrics) = await Infrastructure.GetAsync(url + "/metrics");
                double depth = Infrastructure.Samples(metrics, "monitor_outbox_depth").Values.Sum();
                var keys = receiver.Accepted(AlertsPath).Select(c => c.Key).ToHashSet();
                bool done = expected.IsSubsetOf(keys!) && depth == 0;
                return (done, true, string.Create(CultureInfo.InvariantCulture, $"{keys.Count} of {expected.Count} keys delivered, outbox depth {depth}"));
            });
            await child.StopAsync(TimeSpan.FromSeconds(20));

            var accepted = receiver.Accepted(AlertsPath);
            foreach (var group in accepted.GroupBy(c => c.Key).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                output.WriteLine($"{group.Count()}× {group.Key}");
            }

            // Exactly once: no key accepted twice, none missing, none unexpected.
            Assert.All(accepted.GroupBy(c => c.Key), g => Assert.Single(g));
            Assert.Equal(expected.Order(StringComparer.Ordinal), accepted.Select(c => c.Key!).Order(StringComparer.Ordinal));

            // What the daemon decided, as written to the outbox on disk: the same keys, all delivered.
            var items = OutboxItems(Path.Combine(state, "outbox", "items"));
            Assert.Equal(expected.Order(StringComparer.Ordinal), items.Select(i => i.Key).Order(StringComparer.Ordinal));
            Assert.All(items, i => Assert.Equal("delivered", i.State));

            // Every request, refused or accepted, was signed with the secret and carried its key in header and body.
            Assert.All(receiver.Calls, c =>
            {
                Assert.True(c.SignatureValid, $"signature of {c.Key} does not verify");
                Assert.Equal(c.Key, c.BodyKey);
            });
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{receiver.Calls.Count} requests, {accepted.Count} accepted, {expected.Count} keys; test took {clock.Elapsed.TotalSeconds:F1} s"));
        }
        catch
        {
            output.WriteLine("first child's output:\n" + (firstOutput.Length > 0 ? firstOutput : child.Output));
            output.WriteLine("last child's output:\n" + child.Output);
            throw;
        }
        finally
        {
            child.Dispose();
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    /// <summary>
    /// Each drifted window fires feature, prediction and dataset drift (critical: PSI ≈ 2, every feature drifted) and the
    /// clean window after it resolves all three (<c>resolve_after: 1</c>); keys as docs/alerting.md defines them.
    /// </summary>
    private static HashSet<string> ExpectedKeys()
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (int w in DriftedWindows)
        {
            foreach (string rule in new[] { "feature_drift", "prediction_drift", "dataset_drift" })
            {
                keys.Add(Key(rule, w, "firing:critical"));
                keys.Add(Key(rule, w + 1, "resolved"));
            }
        }

        return keys;
    }

    private static string Key(string rule, int window, string state) =>
        string.Create(CultureInfo.InvariantCulture, $"{ShopModel.Name}|{rule}|test-receiver|{ShopModel.Start + TimeSpan.FromMinutes(window + 1):O}|{state}");

    private static List<(string Key, string State)> OutboxItems(string directory) =>
        Directory.GetFiles(directory, "*.json").Select(path =>
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            return (doc.RootElement.GetProperty("idempotency_key").GetString()!, doc.RootElement.GetProperty("state").GetString()!);
        }).ToList();

    private static async Task WaitReadyAsync(string url, MonitorProcess child) =>
        await Deadline.PollAsync(TimeSpan.FromSeconds(60), "child /readyz 200", async () =>
        {
            Assert.False(child.HasExited, "monitor run exited:\n" + child.Output);
            var (status, body) = await Infrastructure.GetAsync(url + "/readyz");
            return (status == HttpStatusCode.OK, true, body);
        });
}
