using System.Globalization;
using System.Net;
using System.Text.Json;
using Monitor.IntegrationTests.Support;
using Monitor.Kafka.Embedded;
using Xunit.Abstractions;

namespace Monitor.IntegrationTests;

/// <summary>
/// The retrain webhook through the whole daemon: a window with critical dataset drift calls the pipeline once, its
/// answer shows in <c>/api/models</c> and <c>monitor_retrain_requests_total</c>, and a second drifted window within
/// <c>min_interval</c> does not call again.
/// </summary>
public sealed class RetrainTests(ITestOutputHelper output) : IDisposable
{
    private const string SecretVariable = "SHOP_RETRAIN_SECRET";
    private const string Secret = "retrain-secret";

    private readonly string _folder = Directory.CreateTempSubdirectory("monitor-it-retrain-").FullName;

    [Fact]
    public async Task Retrain_DriftedTwiceWithinMinInterval_CallsOnceAndShowsTheAnswer()
    {
        using var cluster = new EmbeddedKafkaCluster();
        Infrastructure.CreateTopics(cluster);
        using var receiver = new WebhookReceiver(Secret, down: false, new Dictionary<string, int> { ["/retrain"] = 202 });
        string rules = ShopModel.Write(_folder, allowedLateness: "5s", alertWebhook: receiver.Url + "/alerts", retrain: $"""
            retrain:
              conditions: {"{"} dataset_drift_windows: 1 {"}"}
              webhook: {receiver.Url}/retrain
              secret_env: {SecretVariable}
              min_interval: 1h

            """);
        // Windows 1 and 3 drift (critical dataset drift: every feature drifted); the event at +6 min closes window 4.
        var events = ShopModel.Traffic(seed: 5, windows: 5, perWindow: 300, new HashSet<int> { 1, 3 }, idPrefix: "r");
        string url = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Infrastructure.FreePort()}");
        using var child = MonitorProcess.Start(_folder, new Dictionary<string, string> { [SecretVariable] = Secret }, "run",
            $"--Monitor:Rules={rules}",
            $"--Monitor:Kafka:BootstrapServers={cluster.BootstrapServers}",
            $"--Monitor:StateDirectory={Path.Combine(_folder, "state")}",
            $"--Monitor:HttpUrl={url}",
            "--Monitor:Kafka:GroupId=monitor-it-retrain",
            $"--Alerts:Http:SecretEnv={SecretVariable}");
        try
        {
            await Deadline.PollAsync(TimeSpan.FromSeconds(60), "child /readyz 200", async () =>
            {
                Assert.False(child.HasExited, "monitor run exited:\n" + child.Output);
                var (status, body) = await Infrastructure.GetAsync(url + "/readyz");
                return (status == HttpStatusCode.OK, true, body);
            });
            using var producer = Infrastructure.Producer(cluster.BootstrapServers);
            Infrastructure.Produce(producer, events, labels: true);
            Infrastructure.Produce(producer, [ShopModel.Single("closer", ShopModel.Start + TimeSpan.FromMinutes(6))], labels: false);

            // Window 4 resolves window 3's alerts: its report comes after window 3's, so any retrain request window 3 could
            // cause is in the outbox by then; an empty outbox means it was also sent.
            string resolvedAfterSecondDrift = string.Create(CultureInfo.InvariantCulture, $"shop|dataset_drift|test-receiver|{ShopModel.Start + TimeSpan.FromMinutes(5):O}|resolved");
            string metrics = await Deadline.PollAsync(TimeSpan.FromSeconds(45), "window 4's resolve delivered and the outbox drained", async () =>
            {
                Assert.False(child.HasExited, "monitor run exited:\n" + child.Output);
                var (_, text) = await Infrastructure.GetAsync(url + "/metrics");
                double depth = Infrastructure.Samples(text, "monitor_outbox_depth").Values.Sum();
                bool resolved = receiver.Accepted("/alerts").Any(c => c.Key == resolvedAfterSecondDrift);
                return (resolved && depth == 0, text, string.Create(CultureInfo.InvariantCulture, $"resolve delivered: {resolved}, outbox depth {depth}, {receiver.Calls.Count} requests"));
            });

            // Both drifted windows met the condition (critical dataset drift) ...
            var windows = await Infrastructure.WindowsAsync(url);
            Assert.Equal("critical", Assert.Single(windows, w => Infrastructure.Index(w) == 1).Severity);
            Assert.Equal("critical", Assert.Single(windows, w => Infrastructure.Index(w) == 3).Severity);

            // ... but the pipeline was called once, for window 1, signed with the secret from secret_env.
            var call = Assert.Single(receiver.Calls, c => c.Path == "/retrain");
            string key = string.Create(CultureInfo.InvariantCulture, $"shop|retrain|dataset_drift|{ShopModel.Start + TimeSpan.FromMinutes(2):O}");
            Assert.Equal(key, call.Key);
            Assert.Equal(key, call.BodyKey);
            Assert.True(call.SignatureValid, "the retrain request's signature does not verify with the secret_env secret");
            Assert.Equal(202, call.Answered);

            var (_, models) = await Infrastructure.GetAsync(url + "/api/models");
            output.WriteLine("/api/models: " + models);
            using var doc = JsonDocument.Parse(models);
            var shop = Assert.Single(doc.RootElement.EnumerateArray(), m => m.GetProperty("model").GetString() == ShopModel.Name);
            var last = shop.GetProperty("last_retrain");
            Assert.Equal(JsonValueKind.Object, last.ValueKind);
            Assert.Equal(202, last.GetProperty("status").GetInt32());
            Assert.Equal("dataset_drift", last.GetProperty("reason").GetString());
            Assert.Equal(key, last.GetProperty("idempotency_key").GetString());

            var retrains = Infrastructure.Samples(metrics, "monitor_retrain_requests_total");
            output.WriteLine("monitor_retrain_requests_total: " + string.Join(", ", retrains.Select(kv => kv.Key + " " + kv.Value.ToString(CultureInfo.InvariantCulture))));
            Assert.Equal(1, Assert.Single(retrains).Value);
            Assert.Equal("{model=\"shop\",status=\"2xx\"}", Assert.Single(retrains).Key);
            await child.StopAsync(TimeSpan.FromSeconds(20));
        }
        catch
        {
            output.WriteLine("child's output:\n" + child.Output);
            throw;
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
