using System.Globalization;
using System.Text.Json;
using Monitor.Alerts.Channels;
using Monitor.Alerts.Outbox;
using Monitor.Core.Alerts;
using Monitor.Core.Rules;
using Monitor.Core.Windows;

namespace Monitor.Alerts.Tests.Channels;

/// <summary>
/// <see cref="AlertmanagerChannel"/> against a real Alertmanager 0.25: what Monitor posts is accepted, keeps its
/// labels and annotations, resolves through <c>endsAt</c>, and can be routed on the <c>route</c> label to a receiver.
/// </summary>
public sealed class AlertmanagerRealTests : IAsyncLifetime, IDisposable
{
    private const string HookPath = "/am-hook";
    private const string ResolvedSeries = "alertmanager_alerts_received_total{status=\"resolved\",version=\"v2\"}";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    private readonly HttpReceiver _hook = new(Poll.FreePort(), secret: null);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly LogCapture _logs = new();
    private AlertmanagerServer? _am;

    private AlertmanagerServer Am => _am ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        _hook.Start();
        // Only alerts whose route label is "oncall" reach the webhook; group_wait/group_interval are short so a
        // resolved notification follows within about a second.
        string config = $"""
            route:
              receiver: blackhole
              group_by: ['alertname', 'model']
              group_wait: 1s
              group_interval: 1s
              repeat_interval: 1h
              routes:
                - receiver: hook
                  matchers: ['route="oncall"', 'severity="critical"']
            receivers:
              - name: blackhole
              - name: hook
                webhook_configs:
                  - url: '{_hook.Url(HookPath)}'
                    send_resolved: true
            """;
        _am = await AlertmanagerServer.StartAsync(config);
    }

    public async Task DisposeAsync()
    {
        if (_am is not null)
        {
            await _am.DisposeAsync();
        }

        await _hook.DisposeAsync();
    }

    public void Dispose()
    {
        _http.Dispose();
        _logs.Dispose();
    }

    [Fact]
    public async Task SendAsync_Firing_AlertmanagerListsActiveAlertWithLabelsAnnotationsAndRoute()
    {
        var now = Now();
        var firing = Firing(now);
        var channel = Channel();

        var result = await channel.SendAsync(For(firing), CancellationToken.None);

        Assert.True(result.Delivered, result.Error + "\n" + Am.LogText);
        Assert.Equal(200, result.StatusCode);
        var a = await SingleAlertAsync("active=true");
        Assert.Equal(
            new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["alertname"] = "MonitorFeatureDrift", ["model"] = "fraud", ["rule"] = "feature_drift", ["severity"] = "critical", ["route"] = "oncall",
            },
            Strings(a.GetProperty("labels")));
        var annotations = Strings(a.GetProperty("annotations"));
        Assert.Equal(firing.Summary, annotations["summary"]);
        Assert.Equal(AlertText.PlainText(firing), annotations["description"]);
        Assert.Equal(firing.RunbookUrl, annotations["runbook_url"]);
        Assert.Equal(firing.DashboardUrl, annotations["dashboard_url"]);
        Assert.Equal("3.1.0", annotations["model_version"]);
        Assert.Equal(firing.Window.ToString(), annotations["window"]);
        Assert.Equal(firing.IdempotencyKey, annotations["idempotency_key"]);
        Assert.Equal(7, annotations.Count);
        Assert.Equal(firing.DashboardUrl, a.GetProperty("generatorURL").GetString());
        Assert.Equal(firing.Window.Start, Time(a, "startsAt"));
        // No endsAt was sent: Alertmanager applies its resolve_timeout (5 min by default) from when it received the alert.
        Assert.InRange(Time(a, "endsAt"), now.AddMinutes(4), now.AddMinutes(6));
        Assert.Equal("active", a.GetProperty("status").GetProperty("state").GetString());
        Assert.Equal("hook", Assert.Single(a.GetProperty("receivers").EnumerateArray().ToList()).GetProperty("name").GetString());
    }

    [Fact]
    public async Task SendAsync_ResolvedAfterFiring_AlertmanagerCountsItResolvedAndNoLongerListsIt()
    {
        var now = Now();
        var firing = Firing(now);
        var channel = Channel();
        Assert.True((await channel.SendAsync(For(firing), CancellationToken.None)).Delivered, Am.LogText);
        string fingerprint = (await SingleAlertAsync("active=true")).GetProperty("fingerprint").GetString()!;
        Assert.Equal(0.0, await Am.MetricAsync(ResolvedSeries));

        var resolved = Resolved(firing, now);
        var result = await channel.SendAsync(For(resolved), CancellationToken.None);

        Assert.True(result.Delivered, result.Error + "\n" + Am.LogText);
        Assert.Equal(1.0, await Am.MetricAsync(ResolvedSeries));
        // Alertmanager's API lists only alerts whose endsAt is still ahead, whatever the active/inactive filters say:
        // the alert that was active a moment ago is gone because its endsAt has passed.
        await Poll.UntilAsync(async () => (await Am.AlertsAsync("active=true&silenced=true&inhibited=true&unprocessed=true")).Count == 0, Deadline, "the resolved alert to leave the active list");
        Assert.DoesNotContain(await Am.AlertsAsync("active=false"), x => x.GetProperty("fingerprint").GetString() == fingerprint);
    }

    [Fact]
    public async Task Outbox_FiringThenResolved_AlertmanagerNotifiesRoutedReceiverFiringThenResolvedAsOneAlert()
    {
        var now = Now();
        var firing = Firing(now);
        var resolved = Resolved(firing, now);
        string dir = Directory.CreateTempSubdirectory("outbox-").FullName;
        await using var outbox = new FileOutbox(new OutboxOptions { Directory = dir, JitterSeed = 1 }, [Channel()], TimeProvider.System, _logs.For<FileOutbox>());

        Assert.Equal(1, outbox.Enqueue(firing));
        outbox.StartDue();
        await outbox.WhenIdleAsync();
        Assert.Equal(OutboxItemState.Delivered, outbox.GetState(ChannelNames.Alertmanager, firing.IdempotencyKey, Am.BaseUrl));
        var fired = await NotificationAsync("firing");

        Assert.Equal(1, outbox.Enqueue(resolved));
        outbox.StartDue();
        await outbox.WhenIdleAsync();
        Assert.Equal(OutboxItemState.Delivered, outbox.GetState(ChannelNames.Alertmanager, resolved.IdempotencyKey, Am.BaseUrl));
        var recovered = await NotificationAsync("resolved");

        Assert.Equal("hook", fired.GetProperty("receiver").GetString());
        var firingAlert = Assert.Single(fired.GetProperty("alerts").EnumerateArray().ToList());
        var resolvedAlert = Assert.Single(recovered.GetProperty("alerts").EnumerateArray().ToList());
        Assert.Equal("firing", firingAlert.GetProperty("status").GetString());
        Assert.Equal("resolved", resolvedAlert.GetProperty("status").GetString());
        Assert.Equal(firingAlert.GetProperty("fingerprint").GetString(), resolvedAlert.GetProperty("fingerprint").GetString());
        Assert.Equal(Strings(firingAlert.GetProperty("labels")), Strings(resolvedAlert.GetProperty("labels")));
        Assert.Equal("oncall", resolvedAlert.GetProperty("labels").GetProperty("route").GetString());
        Assert.Equal(firing.Window.Start, Time(resolvedAlert, "startsAt"));
        Assert.Equal(resolved.CreatedAt, Time(resolvedAlert, "endsAt"));
        Assert.Equal(resolved.IdempotencyKey, resolvedAlert.GetProperty("annotations").GetProperty("idempotency_key").GetString());
    }

    // Alertmanager compares with its own clock, so these alerts are stamped with the real time, cut to whole seconds
    // (the resolution Monitor sends).
    private static DateTimeOffset Now()
    {
        var t = TimeProvider.System.GetUtcNow();
        return new DateTimeOffset(t.Ticks - (t.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }

    private AlertNotification Firing(DateTimeOffset now)
    {
        var end = now.AddMinutes(-1);
        string key = "fraud|feature_drift|" + end.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return Some.Alert(key: key + "|firing", channel: AlertChannel.Alertmanager, targets: [Am.BaseUrl]) with
        {
            Window = new TimeRange(end.AddHours(-1), end),
            CreatedAt = now.AddSeconds(-30),
        };
    }

    private static AlertNotification Resolved(AlertNotification firing, DateTimeOffset now) =>
        firing with { IdempotencyKey = firing.IdempotencyKey.Replace("|firing", "|resolved", StringComparison.Ordinal), State = AlertState.Resolved, CreatedAt = now };

    private AlertmanagerChannel Channel() =>
        new(_http, new HttpChannelOptions { Secret = "s3cr3t-hmac-key-for-tests-only" }, TimeProvider.System, _logs.For<AlertmanagerChannel>());

    private Delivery For(AlertNotification n) => new(ChannelNames.Alertmanager, Am.BaseUrl, n.IdempotencyKey, n, null);

    private async Task<JsonElement> SingleAlertAsync(string query)
    {
        List<JsonElement> alerts = [];
        await Poll.UntilAsync(async () => (alerts = await Am.AlertsAsync(query)).Count > 0, Deadline, "the alert in GET /api/v2/alerts\n" + Am.LogText);
        return Assert.Single(alerts);
    }

    private async Task<JsonElement> NotificationAsync(string status)
    {
        HttpReceiver.Received? hit = null;
        await Poll.UntilAsync(
            () => (hit = _hook.Requests.FirstOrDefault(r => r.Path == HookPath && r.Json.GetProperty("status").GetString() == status)) is not null,
            Deadline,
            $"a {status} notification from Alertmanager at {HookPath}");
        return hit!.Json;
    }

    private static SortedDictionary<string, string> Strings(JsonElement o) =>
        new(o.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal), StringComparer.Ordinal);

    private static DateTimeOffset Time(JsonElement o, string name) =>
        DateTimeOffset.Parse(o.GetProperty(name).GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
