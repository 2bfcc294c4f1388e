using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Confluent.Kafka;
using Monitor.Kafka.Embedded;

namespace Monitor.IntegrationTests.Support;

/// <summary>A drift test's result in a window report, as the API shows it.</summary>
internal sealed record TestView(string Feature, string Test, double? Statistic, bool Drifted);

/// <summary>A window report as the API shows it (the fields the tests assert on).</summary>
internal sealed record WindowView(DateTimeOffset Start, DateTimeOffset End, bool Final, long Events, string Severity, int DriftedFeatures, long? Labelled, IReadOnlyList<TestView> Tests);

/// <summary>Loopback ports, the embedded broker's topics, a plain producer and the daemon's HTTP API.</summary>
internal static class Infrastructure
{
    public static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The model's topics; one partition for the event streams keeps event time in order, so no event is late.</summary>
    public static void CreateTopics(EmbeddedKafkaCluster cluster, int partitions = 1)
    {
        cluster.SetInitialRebalanceDelay(TimeSpan.Zero);
        cluster.CreateTopic(ShopModel.Predictions, partitions);
        cluster.CreateTopic(ShopModel.Labels, partitions);
        cluster.CreateTopic(ShopModel.DeadLetters, 1);
        cluster.CreateTopic("monitor.dead-letters", 1);
    }

    /// <summary>An ordinary producer: only <c>bootstrap.servers</c> points at the cluster.</summary>
    public static IProducer<string, byte[]> Producer(string bootstrapServers) =>
        new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = bootstrapServers })
            .SetLogHandler(static (_, _) => { })
            .Build();

    /// <summary>Produces the predictions (and, when asked, the labels) of <paramref name="events"/> and waits until Kafka acknowledged all.</summary>
    public static void Produce(IProducer<string, byte[]> producer, IEnumerable<ShopEvent> events, bool labels)
    {
        var failures = new List<string>();
        void Report(DeliveryReport<string, byte[]> r)
        {
            if (r.Error.IsError)
            {
                lock (failures)
                {
                    failures.Add(r.Error.ToString());
                }
            }
        }

        foreach (var e in events)
        {
            producer.Produce(ShopModel.Predictions, new Message<string, byte[]> { Key = e.EventId, Value = e.Prediction }, Report);
            if (labels)
            {
                producer.Produce(ShopModel.Labels, new Message<string, byte[]> { Key = e.EventId, Value = e.Label }, Report);
            }
        }

        if (producer.Flush(TimeSpan.FromSeconds(30)) > 0)
        {
            throw new TimeoutException("producer: messages still in flight after 30 s");
        }

        Assert.Empty(failures);
    }

    public static async Task<(HttpStatusCode Status, string Body)> GetAsync(string url)
    {
        using var response = await Http.GetAsync(url);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public static async Task<IReadOnlyList<WindowView>> WindowsAsync(string baseUrl)
    {
        var (status, body) = await GetAsync($"{baseUrl}/api/models/{ShopModel.Name}/windows");
        if (status != HttpStatusCode.OK)
        {
            throw new HttpRequestException($"windows: HTTP {(int)status} {body}");
        }

        using var doc = JsonDocument.Parse(body);
        var windows = new List<WindowView>();
        foreach (var w in doc.RootElement.EnumerateArray())
        {
            var tests = new List<TestView>();
            foreach (var f in w.GetProperty("features").EnumerateArray())
            {
                foreach (var t in f.GetProperty("tests").EnumerateArray())
                {
                    var s = t.GetProperty("statistic");
                    tests.Add(new TestView(f.GetProperty("feature").GetString()!, t.GetProperty("test").GetString()!,
                        s.ValueKind == JsonValueKind.Number ? s.GetDouble() : null, t.GetProperty("drifted").GetBoolean()));
                }
            }

            long? labelled = w.TryGetProperty("performance", out var p) && p.ValueKind == JsonValueKind.Object ? p.GetProperty("labelled").GetInt64() : null;
            int drifted = w.TryGetProperty("dataset_drift", out var d) && d.ValueKind == JsonValueKind.Object ? d.GetProperty("drifted").GetInt32() : 0;
            windows.Add(new WindowView(
                DateTimeOffset.Parse(w.GetProperty("window_start").GetString()!, CultureInfo.InvariantCulture),
                DateTimeOffset.Parse(w.GetProperty("window_end").GetString()!, CultureInfo.InvariantCulture),
                w.GetProperty("final").GetBoolean(),
                w.GetProperty("events").GetInt64(),
                w.GetProperty("severity").GetString()!,
                drifted,
                labelled,
                tests));
        }

        return windows;
    }

    /// <summary>Window index (minutes from <see cref="ShopModel.Start"/>) of a report.</summary>
    public static int Index(WindowView w) => (int)(w.Start - ShopModel.Start).TotalMinutes;

    /// <summary>Events produced per window index.</summary>
    public static Dictionary<int, long> Expected(IEnumerable<ShopEvent> events) =>
        events.GroupBy(e => e.Window).ToDictionary(g => g.Key, g => (long)g.Count());

    /// <summary>The sample values of <paramref name="family"/> in a Prometheus text exposition, keyed by the label set text.</summary>
    public static Dictionary<string, double> Samples(string exposition, string family)
    {
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in exposition.Split('\n'))
        {
            if (line.StartsWith(family, StringComparison.Ordinal) && line.Length > family.Length && line[family.Length] is '{' or ' ')
            {
                int space = line.LastIndexOf(' ');
                string labels = line[family.Length..space];
                samples[labels] = double.Parse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture);
            }
        }

        return samples;
    }
}
