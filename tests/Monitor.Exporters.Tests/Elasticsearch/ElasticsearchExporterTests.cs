using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Monitor.Core.Evaluation;
using Monitor.Exporters.Elasticsearch;

namespace Monitor.Exporters.Tests.Elasticsearch;

public sealed class ElasticsearchExporterTests
{
    private readonly FakeTimeProvider _time = new(Some.WindowEnd.AddMinutes(5));
    private readonly CapturingLogger _logger = new();

    [Fact]
    public async Task EnsureTemplatesAsync_CalledTwice_InstallsEachTemplateOnce()
    {
        await using var es = FakeElasticsearch.Start();
        await using var exporter = Drive.Exporter(Drive.Options(es.Url), _time, _logger);

        var first = await exporter.EnsureTemplatesAsync(CancellationToken.None);
        var second = await exporter.EnsureTemplatesAsync(CancellationToken.None);

        Assert.Equal(4, first);
        Assert.Equal(0, second);
        Assert.Equal(4, es.TemplatePuts);
        Assert.Equal(["monitor-alerts", "monitor-drift", "monitor-logs", "monitor-windows"], es.Templates.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, body) in es.Templates)
        {
            var template = JsonNode.Parse(body)!;
            Assert.Equal(name + "-*", (string)template["index_patterns"]![0]!);
            Assert.Equal("date", (string)template["template"]!["mappings"]!["properties"]!["@timestamp"]!["type"]!);
        }
    }

    [Fact]
    public async Task EnsureTemplatesAsync_ServerWithoutProductHeader_RefusesBeforeWritingAnything()
    {
        await using var es = FakeElasticsearch.Start();
        es.SendProductHeader = false;
        await using var exporter = Drive.Exporter(Drive.Options(es.Url), _time, _logger);

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => exporter.EnsureTemplatesAsync(CancellationToken.None));

        Assert.IsType<Elastic.Clients.Elasticsearch.UnsupportedProductException>(ex.InnerException);
        Assert.Equal(["GET /"], es.Requests);
        Assert.Equal(0, es.TemplatePuts);
    }

    [Fact]
    public async Task EnsureTemplatesAsync_OlderTemplateInstalled_ReplacesIt()
    {
        await using var es = FakeElasticsearch.Start();
        es.Templates["monitor-drift"] = """{"index_patterns":["monitor-drift-*"],"template":{"mappings":{}},"_meta":{"monitor_template_version":0}}""";
        await using var exporter = Drive.Exporter(Drive.Options(es.Url), _time, _logger);

        var installed = await exporter.EnsureTemplatesAsync(CancellationToken.None);

        Assert.Equal(4, installed);
        Assert.Contains("\"statistic\"", es.Templates["monitor-drift"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_TemplatesMissing_InstallsThemBeforeTheFirstBulk()
    {
        await using var es = FakeElasticsearch.Start();
        await using var exporter = Drive.Exporter(Drive.Options(es.Url), _time, _logger);
        exporter.Export(Some.Report());

        exporter.Start();
        await Drive.UntilAsync(() => exporter.Indexed == 5, exporter, _time, "5 documents indexed");

        var requests = es.Requests;
        var lastPut = requests.ToList().FindLastIndex(r => r.StartsWith("PUT /_index_template/", StringComparison.Ordinal));
        var firstBulk = requests.ToList().FindIndex(r => r == "POST /_bulk");
        Assert.InRange(lastPut, 0, firstBulk - 1);
    }

    [Fact]
    public async Task Export_Report_DriftAndWindowDocumentsCarryTheReportLineFields()
    {
        await using var es = FakeElasticsearch.Start();
        await using var exporter = Drive.Exporter(Drive.Options(es.Url), _time, _logger);
        var report = Some.Report();
        exporter.Start();

        exporter.Export(report);
        await Drive.UntilAsync(() => exporter.Indexed == 5, exporter, _time, "5 documents indexed");

        var drift = es.Stored.Where(kv => kv.Key.Index == "monitor-drift-2026.11.27").Select(kv => kv.Value).ToList();
        var windows = es.Stored.Where(kv => kv.Key.Index == "monitor-windows-2026.11.27").Select(kv => kv.Value).ToList();
        Assert.Equal(4, drift.Count);
        Assert.Single(windows);

        var expectedLines = ReportLinesOf(report);
        foreach (var doc in drift)
        {
            Assert.Equal("2026-11-27T10:00:00Z", (string)doc["@timestamp"]!);
            Assert.Equal("drift", (string)doc["doc_type"]!);
            var withoutAdded = Without(doc, "@timestamp", "doc_type");
            Assert.Contains(expectedLines, line => JsonNode.DeepEquals(line, withoutAdded));
        }

        var window = windows[0];
        Assert.Equal("window", (string)window["doc_type"]!);
        Assert.Equal("2026-11-27T10:00:00Z", (string)window["@timestamp"]!);
        Assert.True(JsonNode.DeepEquals(expectedLines[^1], Without(window, "@timestamp", "doc_type")));
        Assert.Equal(0.5, (double)window["dataset_drift"]!["share"]!);
        Assert.Equal(0.91, (double)window["performance"]!["metrics"]!["auc"]!);
        Assert.Equal("application/vnd.elasticsearch+x-ndjson;compatible-with=9", es.Bulks[0].ContentType);
        Assert.Empty(es.Faults);
    }

    [Fact]
    public async Task Export_SameReportTwice_OverwritesTheSameDocumentIds()
    {
        await using var es = FakeElasticsearch.Start();
        await using var exporter = Drive.Exporter(Drive.Options(es.Url), _time, _logger);
        exporter.Start();

        exporter.Export(Some.Report());
        await Drive.UntilAsync(() => exporter.Indexed == 5, exporter, _time, "first copy");
        exporter.Export(Some.Report());
        exporter.Export(Some.Report(revision: 1));
        await Drive.UntilAsync(() => exporter.Indexed == 15, exporter, _time, "second copy and revision");

        Assert.Equal(10, es.Stored.Count);
        var ids = es.Bulks.SelectMany(b => b.Documents).Select(d => d.Id).ToList();
        Assert.Equal(5, ids.Take(10).Distinct().Count());
        Assert.All(ids, id => Assert.Matches("^[0-9a-f]{32}$", id));
    }

    [Fact]
    public async Task Export_Alert_DocumentHasTheAlertFields()
    {
        await using var es = FakeElasticsearch.Start();
        await using var exporter = Drive.Exporter(Drive.Options(es.Url), _time, _logger);
        exporter.Start();

        exporter.Export(Some.Alert());
        await Drive.UntilAsync(() => exporter.Indexed == 1, exporter, _time, "alert indexed");

        var (key, doc) = Assert.Single(es.Stored);
        Assert.Equal("monitor-alerts-2026.11.27", key.Index);
        Assert.Equal("2026-11-27T10:01:00Z", (string)doc["@timestamp"]!);
        Assert.Equal("alert", (string)doc["doc_type"]!);
        Assert.Equal("churn", (string)doc["model"]!);
        Assert.Equal("v3", (string)doc["model_version"]!);
        Assert.Equal("feature_drift", (string)doc["rule"]!);
        Assert.Equal("critical", (string)doc["severity"]!);
        Assert.Equal("firing", (string)doc["state"]!);
        Assert.Equal("2026-11-27T09:00:00Z", (string)doc["window_start"]!);
        Assert.Equal("2026-11-27T10:00:00Z", (string)doc["window_end"]!);
        Assert.Equal("oncall", (string)doc["route"]!);
        Assert.Equal("webhook", (string)doc["channel"]!);
        Assert.Equal("churn|feature_drift|1|firing", (string)doc["idempotency_key"]!);
        Assert.StartsWith("age drifted", (string)doc["summary"]!, StringComparison.Ordinal);
        var evidence = Assert.Single(doc["evidence"]!.AsArray())!;
        Assert.Equal("age", (string)evidence["feature"]!);
        Assert.Equal(0.31, (double)evidence["value"]!);
        Assert.Equal("critical", (string)evidence["severity"]!);
        Assert.Null(doc["targets"]);
    }

    [Fact]
    public async Task Ship_PartialFailure_RetriesOnly429ItemsAndCountsAndLogs400()
    {
        await using var es = FakeElasticsearch.Start();
        await using var exporter = Drive.Exporter(Drive.Options(es.Url), _time, _logger);
        await exporter.EnsureTemplatesAsync(CancellationToken.None);
        for (var n = 0; n < 9; n++)
        {
            exporter.Export(Some.Alert(n));
        }

        // Items 0–2 are refused with 429 twice, items 3–4 with 400 always, the rest stored at once.
        var order = new List<string>();
        es.ItemStatus = (id, attempt) =>
        {
            lock (order)
            {
                if (!order.Contains(id))
                {
                    order.Add(id);
                }

                var i = order.IndexOf(id);
                return i switch
                {
                    < 3 when attempt <= 2 => 429,
                    3 or 4 => 400,
                    _ => null,
                };
            }
        };

        exporter.Start();
        await Drive.UntilAsync(() => exporter.Indexed == 7, exporter, _time, "seven documents indexed");

        Assert.Equal(2, exporter.Rejected);
        Assert.Equal(6, exporter.Retried);
        Assert.Equal(0, exporter.Dropped);
        Assert.Equal(0, exporter.BufferDepth);
        Assert.Equal(7, es.Stored.Count);
        Assert.All(order.Take(3), id => Assert.Equal(3, es.TimesReceived(id)));
        Assert.All(order.Skip(3), id => Assert.Equal(1, es.TimesReceived(id)));
        Assert.Equal(2, _logger.Count(2003));
        Assert.All(order.Skip(3).Take(2), id => Assert.Contains(_logger.Entries, e => e.Id.Id == 2003 && e.Message.Contains(id, StringComparison.Ordinal)));
        Assert.Contains(_logger.Entries, e => e.Id.Id == 2003 && e.Message.Contains("document_parsing_exception", StringComparison.Ordinal));
        Assert.Equal(2, exporter.Backoffs.Count);
        Assert.Empty(es.Faults);
    }

    [Fact]
    public async Task Ship_WholeRequest429Then503_BacksOffExponentiallyThenDelivers()
    {
        await using var es = FakeElasticsearch.Start();
        es.BulkStatus = n => n switch { 1 => 429, 2 => 503, _ => null };
        var options = Drive.Options(es.Url);
        await using var exporter = Drive.Exporter(options, _time, _logger);
        await exporter.EnsureTemplatesAsync(CancellationToken.None);
        exporter.Export(Some.Report());
        exporter.Start();

        await Drive.UntilAsync(() => exporter.IsBackingOff, "the first back-off");
        var first = exporter.Backoffs.Single();
        Assert.InRange(first, options.InitialBackoff / 2, options.InitialBackoff);

        // Less than the shortest possible wait: the retry must not have gone out.
        _time.Advance((options.InitialBackoff / 2) - TimeSpan.FromMilliseconds(1));
        Assert.True(exporter.IsBackingOff);
        Assert.Single(es.Bulks);

        await Drive.UntilAsync(() => exporter.Indexed == 5, exporter, _time, "delivery after two failures");

        var delays = exporter.Backoffs.ToList();
        Assert.Equal(2, delays.Count);
        Assert.InRange(delays[1], options.InitialBackoff, options.InitialBackoff * 2);
        Assert.Equal(3, es.Bulks.Count);
        Assert.All(es.Bulks, b => Assert.Equal(5, b.Documents.Count));
        Assert.Equal(5, es.Stored.Count);
        Assert.Contains(_logger.Entries, e => e.Id.Id == 2002 && e.Message.Contains("429", StringComparison.Ordinal));
        Assert.Contains(_logger.Entries, e => e.Id.Id == 2002 && e.Message.Contains("503", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ship_WholeRequest400_CountsAndLogsTheBatchWithoutRetrying()
    {
        await using var es = FakeElasticsearch.Start();
        es.BulkStatus = n => n == 1 ? 400 : null;
        await using var exporter = Drive.Exporter(Drive.Options(es.Url), _time, _logger);
        await exporter.EnsureTemplatesAsync(CancellationToken.None);
        exporter.Export(Some.Report());
        exporter.Start();

        await Drive.UntilAsync(() => exporter.Rejected == 5, exporter, _time, "the batch rejected");
        exporter.Export(Some.Alert());
        await Drive.UntilAsync(() => exporter.Indexed == 1, exporter, _time, "the next document indexed");

        Assert.Equal(2, es.Bulks.Count);
        Assert.Empty(exporter.Backoffs);
        Assert.Equal(1, _logger.Count(2008));
        Assert.Single(es.Stored);
    }

    [Fact]
    public async Task Start_ServerDownThenUp_DeliversEverythingBuffered()
    {
        var port = FakeElasticsearch.FreePort();
        await using var exporter = Drive.Exporter(Drive.Options(new Uri($"http://127.0.0.1:{port}/")), _time, _logger);
        exporter.Start();
        for (var hour = 1; hour <= 6; hour++)
        {
            exporter.Export(Some.Report(hour: hour));
        }

        // Three failed attempts while nobody listens.
        await Drive.UntilAsync(() => exporter.Backoffs.Count >= 3, exporter, _time, "three failed attempts");
        Assert.Equal(30, exporter.BufferDepth);

        await using var es = FakeElasticsearch.Start(port);
        await Drive.UntilAsync(() => exporter.Indexed == 30, exporter, _time, "all 30 documents after recovery");

        Assert.Equal(30, es.Stored.Count);
        Assert.Equal(0, exporter.Dropped);
        Assert.Equal(4, es.TemplatePuts);
        Assert.Contains(_logger.Entries, e => e.Id.Id == 2009);
        Assert.Empty(es.Faults);
    }

    [Fact]
    public async Task Export_BufferFull_DropsTheOldestAndCountsThem()
    {
        var port = FakeElasticsearch.FreePort();
        var options = Drive.Options(new Uri($"http://127.0.0.1:{port}/"));
        options.BufferCapacity = 10;
        await using var exporter = Drive.Exporter(options, _time, _logger);
        for (var n = 0; n < 15; n++)
        {
            exporter.Export(Some.Alert(n));
        }

        Assert.Equal(5, exporter.Dropped);
        Assert.Equal(10, exporter.BufferDepth);
        Assert.Equal(1, _logger.Count(2005));

        _time.Advance(options.DropLogInterval);
        exporter.Export(Some.Alert(15));
        Assert.Equal(6, exporter.Dropped);
        Assert.Equal(2, _logger.Count(2005));

        await using var es = FakeElasticsearch.Start(port);
        exporter.Start();
        await Drive.UntilAsync(() => exporter.Indexed == 10, exporter, _time, "the newest ten");

        var keys = es.Stored.Values.Select(d => (string)d["idempotency_key"]!).ToHashSet();
        Assert.Equal(Enumerable.Range(6, 10).Select(n => $"churn|feature_drift|{n}|firing").ToHashSet(), keys);
    }

    [Fact]
    public async Task Ship_ManyDocuments_EachBulkWithinCountAndByteBounds()
    {
        await using var es = FakeElasticsearch.Start();
        var options = Drive.Options(es.Url);
        options.MaxBulkDocuments = 7;
        options.MaxBulkBytes = 4_000;
        await using var exporter = Drive.Exporter(options, _time, _logger);
        for (var hour = 1; hour <= 12; hour++)
        {
            exporter.Export(Some.Report(hour: hour));
        }

        exporter.Start();
        await Drive.UntilAsync(() => exporter.Indexed == 60, exporter, _time, "60 documents");

        Assert.True(es.Bulks.Count >= 60 / 7);
        Assert.All(es.Bulks, b =>
        {
            Assert.InRange(b.Documents.Count, 1, 7);
            Assert.True(b.Documents.Count == 1 || b.BodyBytes <= options.MaxBulkBytes, $"bulk of {b.BodyBytes} bytes");
        });
        Assert.Contains(es.Bulks, b => b.BodyBytes > options.MaxBulkBytes / 2);
        Assert.Equal(60, es.Bulks.Sum(b => b.Documents.Count));
    }

    [Fact]
    public async Task StopAsync_DocumentsBuffered_FlushesThemBeforeReturning()
    {
        await using var es = FakeElasticsearch.Start();
        var exporter = Drive.Exporter(Drive.Options(es.Url), _time, _logger);
        exporter.Start();
        exporter.Export(Some.Report());
        exporter.Export(Some.Alert());

        await exporter.StopAsync(CancellationToken.None);

        Assert.Equal(6, exporter.Indexed);
        Assert.Equal(6, es.Stored.Count);
        Assert.Equal(0, exporter.Dropped);
        await exporter.DisposeAsync();
        await exporter.DisposeAsync();
    }

    [Fact]
    public async Task StopAsync_ServerDownPastTheDeadline_CountsUnsentAsDropped()
    {
        var options = Drive.Options(new Uri($"http://127.0.0.1:{FakeElasticsearch.FreePort()}/"));
        options.ShutdownTimeout = TimeSpan.FromSeconds(20);
        var exporter = Drive.Exporter(options, _time, _logger);
        exporter.Start();
        exporter.Export(Some.Report());
        await Drive.UntilAsync(() => exporter.IsBackingOff, "a back-off");

        var stop = exporter.StopAsync(CancellationToken.None);
        await Drive.UntilAsync(() => stop.IsCompleted, exporter, _time, "stop after the deadline");
        await stop;

        Assert.Equal(5, exporter.Dropped);
        Assert.Equal(0, exporter.BufferDepth);
        Assert.Contains(_logger.Entries, e => e.Id.Id == 2007);
        await exporter.DisposeAsync();
    }

    [Fact]
    public void Constructor_InvalidOptions_ReportsEveryProblem()
    {
        var options = new ElasticsearchExporterOptions { BufferCapacity = 0, MaxBulkBytes = -1, Username = "u" };

        var ex = Assert.Throws<ArgumentException>(() => Drive.Exporter(options, _time, _logger));

        Assert.Contains("Elasticsearch:BufferCapacity", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Elasticsearch:MaxBulkBytes", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Elasticsearch:Password", ex.Message, StringComparison.Ordinal);
    }

    private static List<JsonNode> ReportLinesOf(WindowReport report)
    {
        using var stream = new MemoryStream();
        ReportLines.Write(report, stream);
        return [.. System.Text.Encoding.UTF8.GetString(stream.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!)];
    }

    private static JsonObject Without(JsonObject doc, params string[] names)
    {
        var copy = JsonNode.Parse(doc.ToJsonString())!.AsObject();
        foreach (var name in names)
        {
            copy.Remove(name);
        }

        return copy;
    }
}
