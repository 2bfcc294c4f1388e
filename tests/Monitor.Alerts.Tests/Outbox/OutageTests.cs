using Microsoft.Extensions.Time.Testing;
using Monitor.Alerts.Channels;
using Monitor.Alerts.Outbox;
using Monitor.Core.Rules;

namespace Monitor.Alerts.Tests.Outbox;

/// <summary>
/// Receivers and the SMTP server down while alerts pile up, the outbox restarted in between: after recovery every
/// (key, target) arrives exactly once, and a healthy target is served while the others are down.
/// Backoff runs on a fake clock; only network waits are real.
/// </summary>
public sealed class OutageTests : IDisposable
{
    private const string Secret = "outage-test-secret";
    private readonly string _dir = Directory.CreateTempSubdirectory("outbox-outage-").FullName;
    private readonly FakeTimeProvider _time = new(Some.Start);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly LogCapture _logs = new();

    public void Dispose()
    {
        _http.Dispose();
        _logs.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private FileOutbox Open(int smtpPort)
    {
        var http = new HttpChannelOptions { Secret = Secret };
        INotificationChannel[] channels =
        [
            new WebhookChannel(_http, http, _time, _logs.For<WebhookChannel>()),
            new SlackChannel(_http, http, _time, _logs.For<SlackChannel>()),
            new AlertmanagerChannel(_http, http, _time, _logs.For<AlertmanagerChannel>()),
            new RetrainChannel(_http, http, _time, _logs.For<RetrainChannel>()),
            new EmailChannel(new EmailOptions { Host = "127.0.0.1", Port = smtpPort, Security = SmtpSecurity.None }, _logs.For<EmailChannel>()),
        ];
        return new FileOutbox(new OutboxOptions { Directory = _dir, JitterSeed = 2026, AttemptTimeout = TimeSpan.FromSeconds(20) }, channels, _time, _logs.For<FileOutbox>());
    }

    private static async Task PassAsync(FileOutbox outbox)
    {
        outbox.StartDue();
        await outbox.WhenIdleAsync();
    }

    [Fact]
    public async Task Outbox_ReceiversDownAcrossRestart_EachKeyDeliveredExactlyOncePerTargetAfterRecovery()
    {
        int smtpPort = Poll.FreePort(), apiPort = Poll.FreePort();
        await using var healthy = new HttpReceiver(Poll.FreePort(), Secret);
        healthy.Start();
        await using var down = new HttpReceiver(Poll.FreePort(), Secret);
        var alerts = new[]
        {
            Some.Alert(key: "k1", targets: [down.Url("/hook"), healthy.Url("/hook")]),
            Some.Alert(key: "k2", targets: [down.Url("/hook")]),
            Some.Alert(key: "k3", channel: AlertChannel.Slack, targets: [down.Url("/slack")]),
            Some.Alert(key: "k4", channel: AlertChannel.Alertmanager, targets: [down.Url("/")]),
            Some.Alert(key: "k5", channel: AlertChannel.Email, targets: ["oncall@example.com", "sre@example.com"]),
        };
        var retrain = Some.Retrain(down.Url("/retrain"), key: "r1");

        await using (var first = Open(smtpPort))
        {
            Assert.Equal(7, alerts.Sum(first.Enqueue));
            Assert.True(first.Enqueue(retrain));
            await PassAsync(first);

            // The healthy target got its copy in the same pass in which every other target failed.
            Assert.Equal(1, healthy.AcceptedCount("/hook", "k1"));
            Assert.Equal(7, first.Depth);
            Assert.Equal(1, first.GetStats(ChannelNames.Webhook).Failed);
            Assert.Equal(2, first.GetStats(ChannelNames.Email).Failed);

            _time.Advance(TimeSpan.FromMinutes(1));
            await PassAsync(first);
            Assert.Equal(7, first.Depth);
        }

        await using (var second = Open(smtpPort))
        {
            Assert.Equal(7, second.Depth);
            Assert.Equal(0, alerts.Sum(second.Enqueue));
            Assert.False(second.Enqueue(retrain));

            down.Start();
            await using var smtp = await Smtp4dev.StartAsync(smtpPort, apiPort);
            await Poll.UntilAsync(async () =>
            {
                _time.Advance(TimeSpan.FromMinutes(15));
                await PassAsync(second);
                return second.Depth == 0;
            }, TimeSpan.FromSeconds(60), "the outbox to drain");

            Assert.All(second.GetStats(), s => Assert.Equal(0, s.Dead));
            List<(string Id, string Subject, string[] To)> mails = [];
            await Poll.UntilAsync(async () => (mails = await smtp.MessagesAsync()).Count >= 2, TimeSpan.FromSeconds(30), "two e-mails");

            await using (var third = Open(smtpPort))
            {
                Assert.Equal(0, third.Depth);
                Assert.Equal(0, alerts.Sum(third.Enqueue));
                Assert.False(third.Enqueue(retrain));
                _time.Advance(TimeSpan.FromHours(1));
                Assert.Equal(0, third.StartDue());
            }

            mails = await smtp.MessagesAsync();
            Assert.Equal(["oncall@example.com", "sre@example.com"], mails.SelectMany(m => m.To).Order(StringComparer.Ordinal));
            Assert.All(mails, m => Assert.StartsWith("[CRITICAL] fraud: feature drift", m.Subject, StringComparison.Ordinal));
        }

        Assert.Equal(1, down.AcceptedCount("/hook", "k1"));
        Assert.Equal(1, down.AcceptedCount("/hook", "k2"));
        Assert.Equal(1, down.AcceptedCount("/slack", "k3"));
        Assert.Equal(1, down.AcceptedCount("/api/v2/alerts", "k4"));
        Assert.Equal(1, down.AcceptedCount("/retrain", "r1"));
        Assert.Equal(5, down.Requests.Count);
        Assert.All(down.Requests, r => Assert.True(r.SignatureValid));
        Assert.Single(healthy.Requests);
        // The shared webhook target kept enqueue order after the restart.
        Assert.Equal(["k1", "k2"], down.Requests.Where(r => r.Path == "/hook").Select(r => r.IdempotencyKey));
    }

    [Fact]
    public async Task Outbox_TargetAcceptsButNeverAnswers_HealthyTargetDeliveredWithoutWaiting()
    {
        using var blackhole = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        blackhole.Start();
        string stuck = $"http://127.0.0.1:{((System.Net.IPEndPoint)blackhole.LocalEndpoint).Port}/hook";
        await using var healthy = new HttpReceiver(Poll.FreePort(), Secret);
        healthy.Start();
        var sw = System.Diagnostics.Stopwatch.StartNew();

        await using (var outbox = Open(1))
        {
            outbox.Enqueue(Some.Alert(key: "k1", targets: [stuck, healthy.Url("/hook")]));
            outbox.Enqueue(Some.Alert(key: "k2", channel: AlertChannel.Slack, targets: [healthy.Url("/slack")]));
            Assert.Equal(3, outbox.StartDue());

            await Poll.UntilAsync(() => healthy.Requests.Count == 2, TimeSpan.FromSeconds(10), "the healthy targets");
            // The receiver records a request before its answer reaches the outbox: wait for the outbox to see both.
            await Poll.UntilAsync(() => outbox.Depth == 1, TimeSpan.FromSeconds(10), "the healthy deliveries recorded");
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10));
            Assert.Equal(OutboxItemState.Pending, outbox.GetState(ChannelNames.Webhook, "k1", stuck));
            Assert.Equal(1, outbox.Depth);
        }

        // Shutdown cancelled the stuck send without counting it as an attempt; the item resumes on the next start.
        await using var reopened = Open(1);
        Assert.Equal(1, reopened.Depth);
        Assert.Equal(0, reopened.GetStats(ChannelNames.Webhook).Failed);
    }
}
