using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Monitor.IntegrationTests.Support;
using Monitor.Kafka.Embedded;
using Monitor.Worker.Daemon;

namespace Monitor.IntegrationTests;

/// <summary>
/// One run of the real daemon (<see cref="DaemonHost"/> with the daemon's services, in this process) against the embedded
/// broker over TCP: six one-minute windows of 300 predictions with labels, windows 2 and 3 drifted, then one event seven
/// minutes in that closes window 5. Alert deliveries go to a receiver mapped on the daemon's own HTTP endpoint.
/// </summary>
public sealed class EndToEndFixture : IAsyncLifetime, IDisposable
{
    public const int Windows = 6;
    public const int PerWindow = 300;
    public static readonly IReadOnlySet<int> DriftedWindows = new HashSet<int> { 2, 3 };

    private readonly string _folder = Directory.CreateTempSubdirectory("monitor-it-e2e-").FullName;
    private EmbeddedKafkaCluster? _cluster;
    private WebApplication? _app;
    private int _alerts;

    internal IReadOnlyList<ShopEvent> Events { get; } = ShopModel.Traffic(seed: 42, Windows, PerWindow, DriftedWindows);

    internal string BaseUrl { get; private set; } = string.Empty;

    internal IReadOnlyList<WindowView> Reports { get; private set; } = [];

    /// <summary>From the broker's acknowledgement of the event that closes the last window to its report in the API.</summary>
    internal TimeSpan CloseToApi { get; private set; }

    /// <summary>From the same acknowledgement until every window shows all its labels (back-fills included).</summary>
    internal TimeSpan CloseToLabelled { get; private set; }

    internal int AlertsDelivered => Volatile.Read(ref _alerts);

    public async Task InitializeAsync()
    {
        _cluster = new EmbeddedKafkaCluster();
        Infrastructure.CreateTopics(_cluster);
        int port = Infrastructure.FreePort();
        BaseUrl = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}");
        string rules = ShopModel.Write(_folder, allowedLateness: "5s", alertWebhook: BaseUrl + "/test/alerts");
        var settings = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["Monitor:Rules"] = rules,
            ["Monitor:StateDirectory"] = Path.Combine(_folder, "state"),
            ["Monitor:HttpUrl"] = BaseUrl,
            ["Monitor:Kafka:BootstrapServers"] = _cluster.BootstrapServers,
            ["Monitor:Kafka:GroupId"] = "monitor-it-e2e",
            ["Monitor:Kafka:CheckpointInterval"] = "00:00:01",
            ["Alerts:Http:Secret"] = "integration-secret",
        };
        _app = DaemonHost.Build([], DaemonServices.Add, settings);
        _app.MapPost("/test/alerts", () =>
        {
            Interlocked.Increment(ref _alerts);
            return Results.Ok();
        });
        await _app.StartAsync();
        await Deadline.PollAsync(TimeSpan.FromSeconds(30), "/readyz 200 after start", async () =>
        {
            var (status, body) = await Infrastructure.GetAsync(BaseUrl + "/readyz");
            return (status == HttpStatusCode.OK, true, body);
        });

        using var producer = Infrastructure.Producer(_cluster.BootstrapServers);
        Infrastructure.Produce(producer, Events, labels: true);
        // Windows 0–4 close as the traffic passes them; window 5 needs an event after its end plus the lateness.
        await Deadline.PollAsync(TimeSpan.FromSeconds(60), "windows 0–4 reported", async () =>
        {
            var reports = await Infrastructure.WindowsAsync(BaseUrl);
            return (reports.Count(r => Infrastructure.Index(r) < Windows - 1) == Windows - 1, true, $"{reports.Count} windows");
        });

        // One undecodable record: dead-lettered with its reason, counted, and no window changes.
        producer.Produce(ShopModel.Predictions, new Confluent.Kafka.Message<string, byte[]> { Key = "bad", Value = "not json"u8.ToArray() });
        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        var closer = ShopModel.Single("closer", ShopModel.Start + TimeSpan.FromMinutes(Windows + 1));
        Infrastructure.Produce(producer, [closer], labels: false);
        var clock = Stopwatch.StartNew();
        await Deadline.PollAsync(TimeSpan.FromSeconds(30), "window 5 reported", async () =>
        {
            var reports = await Infrastructure.WindowsAsync(BaseUrl);
            return (reports.Any(r => Infrastructure.Index(r) == Windows - 1), true, $"{reports.Count} windows");
        });
        CloseToApi = clock.Elapsed;

        Reports = await Deadline.PollAsync(TimeSpan.FromSeconds(60), "every window labelled (back-fills)", async () =>
        {
            var reports = await Infrastructure.WindowsAsync(BaseUrl);
            bool done = reports.Count >= Windows && reports.All(r => r.Labelled == r.Events);
            return (done, reports, string.Join(", ", reports.Select(r => $"{Infrastructure.Index(r)}: {r.Labelled}/{r.Events}")));
        });
        CloseToLabelled = clock.Elapsed;
        await Deadline.PollAsync(TimeSpan.FromSeconds(30), "an alert delivered to the webhook receiver", () =>
            Task.FromResult((AlertsDelivered > 0, true, $"{AlertsDelivered} deliveries")));
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    /// <summary>After <see cref="DisposeAsync"/> stopped the daemon: the broker and the files.</summary>
    public void Dispose()
    {
        _cluster?.Dispose();
        _cluster = null;
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}

/// <summary>The end-to-end run is shared by the tests that read its results (one daemon run, several assertions).</summary>
[CollectionDefinition(Name)]
public sealed class EndToEndRun : ICollectionFixture<EndToEndFixture>
{
    public const string Name = "end-to-end daemon run";
}
