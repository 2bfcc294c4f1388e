using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Monitor.Alerts.Channels;
using Monitor.Alerts.Outbox;
using Monitor.Core.Alerts;
using Monitor.Core.Rules;

namespace Monitor.Alerts.Tests.Channels;

/// <summary>Every HTTP channel against a real HTTP server on loopback that checks the HMAC.</summary>
public sealed class HttpChannelTests : IAsyncLifetime, IDisposable
{
    private const string Secret = "s3cr3t-hmac-key-for-tests-only";
    private readonly FakeTimeProvider _time = new(Some.Start);
    private readonly HttpReceiver _receiver = new(Poll.FreePort(), Secret);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly LogCapture _logs = new();
    private readonly HttpChannelOptions _options = new() { Secret = Secret };

    public Task InitializeAsync()
    {
        _receiver.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    public void Dispose()
    {
        _http.Dispose();
        _logs.Dispose();
    }

    private static Delivery For(AlertNotification n, string target) => new(ChannelNames.Of(n.Channel), target, n.IdempotencyKey, n, null);

    [Fact]
    public async Task Webhook_Alert_PostsSignedSchemaV1Json()
    {
        var channel = new WebhookChannel(_http, _options, _time, _logs.For<WebhookChannel>());
        var alert = Some.Alert();

        var result = await channel.SendAsync(For(alert, _receiver.Url("/hook")), CancellationToken.None);

        Assert.Equal(DeliveryResult.Ok(200), result);
        var r = Assert.Single(_receiver.Requests);
        Assert.Equal("POST", r.Method);
        Assert.StartsWith("application/json", r.ContentType, StringComparison.Ordinal);
        Assert.True(r.SignatureValid);
        Assert.Equal(Some.Start.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), r.Timestamp);
        Assert.Equal(alert.IdempotencyKey, r.IdempotencyKey);
        var j = r.Json;
        Assert.Equal(1, j.GetProperty("schema_version").GetInt32());
        Assert.Equal("alert", j.GetProperty("type").GetString());
        Assert.Equal(alert.IdempotencyKey, j.GetProperty("idempotency_key").GetString());
        Assert.Equal("fraud", j.GetProperty("model").GetString());
        Assert.Equal("3.1.0", j.GetProperty("model_version").GetString());
        Assert.Equal("feature_drift", j.GetProperty("rule").GetString());
        Assert.Equal("critical", j.GetProperty("severity").GetString());
        Assert.Equal("firing", j.GetProperty("state").GetString());
        Assert.Equal("2026-11-28T06:00:00Z", j.GetProperty("window").GetProperty("start").GetString());
        Assert.Equal("2026-11-28T07:00:00Z", j.GetProperty("window").GetProperty("end").GetString());
        var e0 = j.GetProperty("evidence")[0];
        Assert.Equal("amount", e0.GetProperty("feature").GetString());
        Assert.Equal("psi", e0.GetProperty("test").GetString());
        Assert.Equal(0.4182, e0.GetProperty("value").GetDouble());
        Assert.Equal(0.25, e0.GetProperty("critical").GetDouble());
        Assert.Equal(4, j.GetProperty("chart").GetProperty("labels").GetArrayLength());
        Assert.Equal(alert.RunbookUrl, j.GetProperty("runbook_url").GetString());
        Assert.Equal(alert.DashboardUrl, j.GetProperty("dashboard_url").GetString());
        Assert.Equal(alert.BaselineId, j.GetProperty("baseline_id").GetString());
    }

    [Fact]
    public async Task Webhook_WrongSecretAtReceiver_SignatureDoesNotVerify()
    {
        var channel = new WebhookChannel(_http, new HttpChannelOptions { Secret = "another" }, _time, _logs.For<WebhookChannel>());
        await channel.SendAsync(For(Some.Alert(), _receiver.Url("/hook")), CancellationToken.None);
        Assert.False(Assert.Single(_receiver.Requests).SignatureValid);
    }

    [Fact]
    public void Signature_KnownVector_MatchesIndependentHmac()
    {
        // hmac.new(b"key", b"1700000000.{}", hashlib.sha256).hexdigest() in Python 3.11.
        Assert.Equal("sha256=9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae", WebhookSignature.Compute("key", 1_700_000_000, "{}"u8));
        Assert.True(WebhookSignature.Verify("key", 1_700_000_000, "{}"u8, "sha256=9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae"));
        Assert.False(WebhookSignature.Verify("key", 1_700_000_001, "{}"u8, WebhookSignature.Compute("key", 1_700_000_000, "{}"u8)));
    }

    [Fact]
    public async Task Slack_Alert_PostsTextAndBlocksWithLinks()
    {
        var channel = new SlackChannel(_http, _options, _time, _logs.For<SlackChannel>());
        var alert = Some.Alert(channel: AlertChannel.Slack);

        var result = await channel.SendAsync(For(alert, _receiver.Url("/services/T000/B000/XXXX")), CancellationToken.None);

        Assert.True(result.Delivered);
        var r = Assert.Single(_receiver.Requests);
        Assert.True(r.SignatureValid);
        var j = r.Json;
        Assert.Equal("[CRITICAL] fraud: feature drift — amount, country (window 06:00–07:00Z)", j.GetProperty("text").GetString());
        var blocks = j.GetProperty("blocks").EnumerateArray().ToList();
        Assert.Equal("header", blocks[0].GetProperty("type").GetString());
        Assert.Contains("*amount* psi = `0.4182`", blocks[2].GetProperty("text").GetProperty("text").GetString(), StringComparison.Ordinal);
        string context = blocks[3].GetProperty("elements")[0].GetProperty("text").GetString()!;
        Assert.Contains("<https://runbooks.example.com/fraud-drift|Runbook>", context, StringComparison.Ordinal);
        Assert.Contains("|Dashboard>", context, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alertmanager_FiringThenResolved_PostsV2AlertsWithLabelsAndEndsAtOnlyWhenResolved()
    {
        var channel = new AlertmanagerChannel(_http, _options, _time, _logs.For<AlertmanagerChannel>());
        var firing = Some.Alert(channel: AlertChannel.Alertmanager);
        var resolved = firing with { IdempotencyKey = "resolved-key", State = AlertState.Resolved, CreatedAt = Some.Start.AddHours(2) };

        Assert.True((await channel.SendAsync(For(firing, _receiver.Url("/")), CancellationToken.None)).Delivered);
        Assert.True((await channel.SendAsync(For(resolved, _receiver.Url("/api/v2/alerts")), CancellationToken.None)).Delivered);

        var requests = _receiver.Requests.ToList();
        Assert.All(requests, r => Assert.Equal("/api/v2/alerts", r.Path));
        var a = Assert.Single(requests[0].Json.EnumerateArray().ToList());
        var labels = a.GetProperty("labels");
        Assert.Equal("MonitorFeatureDrift", labels.GetProperty("alertname").GetString());
        Assert.Equal("fraud", labels.GetProperty("model").GetString());
        Assert.Equal("feature_drift", labels.GetProperty("rule").GetString());
        Assert.Equal("critical", labels.GetProperty("severity").GetString());
        Assert.Equal(firing.Summary, a.GetProperty("annotations").GetProperty("summary").GetString());
        Assert.Equal(firing.RunbookUrl, a.GetProperty("annotations").GetProperty("runbook_url").GetString());
        Assert.Equal("2026-11-28T06:00:00Z", a.GetProperty("startsAt").GetString());
        Assert.False(a.TryGetProperty("endsAt", out _));
        var b = requests[1].Json[0];
        Assert.Equal("2026-11-28T09:00:05Z", b.GetProperty("endsAt").GetString());
        Assert.Equal(labels.GetRawText(), b.GetProperty("labels").GetRawText());
    }

    [Fact]
    public async Task Retrain_SecretFromRequestEnv_PostsSignedRequestAndKeepsStatus()
    {
        string env = "MONITOR_TEST_RETRAIN_SECRET_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(env, Secret);
        try
        {
            _receiver.StatusByPath["/retrain"] = 202;
            var channel = new RetrainChannel(_http, new HttpChannelOptions(), _time, _logs.For<RetrainChannel>());
            string dir = Directory.CreateTempSubdirectory("outbox-").FullName;
            await using (var outbox = new FileOutbox(new OutboxOptions { Directory = dir, JitterSeed = 1 }, [channel], _time, _logs.For<FileOutbox>()))
            {
                outbox.Enqueue(Some.Retrain(_receiver.Url("/retrain"), secretEnv: env));
                outbox.StartDue();
                await outbox.WhenIdleAsync();
            }

            var r = Assert.Single(_receiver.Requests);
            Assert.True(r.SignatureValid);
            var j = r.Json;
            Assert.Equal(1, j.GetProperty("schema_version").GetInt32());
            Assert.Equal("fraud", j.GetProperty("model").GetString());
            Assert.Equal("3.1.0", j.GetProperty("version").GetString());
            Assert.Equal("dataset_drift", j.GetProperty("reason").GetString());
            Assert.Equal(3, j.GetProperty("evidence").GetArrayLength());
            Assert.Equal(2, j.GetProperty("windows").GetArrayLength());
            Assert.Equal("fraud-3.1.0-2026-11-01", j.GetProperty("baseline_id").GetString());
            Assert.Equal(Some.Retrain("x").IdempotencyKey, j.GetProperty("idempotency_key").GetString());
            Assert.Equal(Some.Retrain("x").IdempotencyKey, r.IdempotencyKey);
            var item = JsonDocument.Parse(await File.ReadAllBytesAsync(Directory.GetFiles(Path.Combine(dir, "items"), "*.json").Single())).RootElement;
            Assert.Equal(202, item.GetProperty("last_status").GetInt32());
            Assert.Equal("delivered", item.GetProperty("state").GetString());
            Assert.Contains(_logs.Lines, l => l.Contains("answered 202", StringComparison.Ordinal));
            Directory.Delete(dir, recursive: true);
        }
        finally
        {
            Environment.SetEnvironmentVariable(env, null);
        }
    }

    [Theory]
    [InlineData(503, false, true)]
    [InlineData(429, false, true)]
    [InlineData(400, false, false)]
    [InlineData(404, false, false)]
    [InlineData(204, true, false)]
    public async Task Webhook_ResponseStatus_ClassifiedAsDeliveredRetryableOrPermanent(int status, bool delivered, bool retryable)
    {
        _receiver.StatusByPath["/hook"] = status;
        var channel = new WebhookChannel(_http, _options, _time, _logs.For<WebhookChannel>());

        var result = await channel.SendAsync(For(Some.Alert(), _receiver.Url("/hook")), CancellationToken.None);

        Assert.Equal(delivered, result.Delivered);
        Assert.Equal(retryable, result.Retryable);
        Assert.Equal(status, result.StatusCode);
    }

    [Fact]
    public async Task Outbox_FailuresAndSuccesses_NeverLogTheSecretOrTheUrlToken()
    {
        string env = "MONITOR_TEST_SECRET_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(env, Secret);
        try
        {
            var options = new HttpChannelOptions { SecretEnv = env };
            _receiver.StatusByPath["/services/T1/B1/tokentokentoken"] = 500;
            string dir = Directory.CreateTempSubdirectory("outbox-").FullName;
            await using (var outbox = new FileOutbox(
                new OutboxOptions { Directory = dir, JitterSeed = 1 },
                [new WebhookChannel(_http, options, _time, _logs.For<WebhookChannel>()), new SlackChannel(_http, options, _time, _logs.For<SlackChannel>()),
                 new RetrainChannel(_http, new HttpChannelOptions { Secret = Secret }, _time, _logs.For<RetrainChannel>())],
                _time,
                _logs.For<FileOutbox>()))
            {
                outbox.Enqueue(Some.Alert(targets: [_receiver.Url("/hook?token=tokentokentoken")]));
                outbox.Enqueue(Some.Alert(channel: AlertChannel.Slack, targets: [_receiver.Url("/services/T1/B1/tokentokentoken"), "http://127.0.0.1:1/refused"]));
                outbox.Enqueue(Some.Retrain(_receiver.Url("/retrain"), secretEnv: "MONITOR_TEST_UNSET_" + Guid.NewGuid().ToString("N")));
                outbox.StartDue();
                await outbox.WhenIdleAsync();
                Assert.Equal(1, outbox.GetStats(ChannelNames.Webhook).Sent);
                Assert.Equal(2, outbox.GetStats(ChannelNames.Slack).Failed);
            }

            Assert.All(_receiver.Requests, r => Assert.True(r.SignatureValid));
            Assert.NotEmpty(_logs.Lines);
            Assert.Contains(_logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("HTTP 500", StringComparison.Ordinal));
            Assert.DoesNotContain(Secret, _logs.All, StringComparison.Ordinal);
            Assert.DoesNotContain("tokentokentoken", _logs.All, StringComparison.Ordinal);
            foreach (string f in Directory.GetFiles(Path.Combine(dir, "items")))
            {
                Assert.DoesNotContain(Secret, await File.ReadAllTextAsync(f), StringComparison.Ordinal);
            }

            Directory.Delete(dir, recursive: true);
        }
        finally
        {
            Environment.SetEnvironmentVariable(env, null);
        }
    }

    [Theory]
    [InlineData("ftp://example.com/hook")]
    [InlineData("not a url")]
    public async Task Webhook_TargetNotAnHttpUrl_PermanentFailureWithoutRequest(string target)
    {
        var channel = new WebhookChannel(_http, _options, _time, _logs.For<WebhookChannel>());

        var result = await channel.SendAsync(For(Some.Alert(), target), CancellationToken.None);

        Assert.False(result.Delivered);
        Assert.False(result.Retryable);
        Assert.Empty(_receiver.Requests);
    }
}
