using Microsoft.Extensions.Time.Testing;
using Monitor.Exporters.Elasticsearch;
using Serilog;

namespace Monitor.Exporters.Tests.Elasticsearch;

public sealed class ElasticsearchLogSinkTests
{
    private readonly FakeTimeProvider _time = new(Some.WindowEnd);
    private readonly CapturingLogger _logger = new();

    [Fact]
    public async Task Emit_EventsWithPropertiesAndException_ArriveAsLogDocuments()
    {
        await using var es = FakeElasticsearch.Start();
        await using var exporter = Drive.Exporter(Drive.Options(es.Url), _time, _logger);
        exporter.Start();
        using (var log = new LoggerConfiguration()
                   .MinimumLevel.Debug()
                   .Enrich.WithProperty("Instance", "monitor-0")
                   .WriteTo.Sink(new ElasticsearchLogSink(exporter))
                   .CreateLogger())
        {
            log.Information("Window of {Model} closed with {Events} events", "churn", 503);
            log.Error(new InvalidOperationException("decoder broke"), "Decode failed for {Topic} at {Offsets}", "preds", new[] { 4L, 7L });
        }

        await Drive.UntilAsync(() => exporter.Indexed == 2, exporter, _time, "two log documents");

        var docs = es.Stored.Where(kv => kv.Key.Index.StartsWith("monitor-logs-", StringComparison.Ordinal)).Select(kv => kv.Value).ToList();
        Assert.Equal(2, docs.Count);
        var info = docs.Single(d => (string)d["level"]! == "Information");
        Assert.Equal("log", (string)info["doc_type"]!);
        Assert.Equal("Window of \"churn\" closed with 503 events", (string)info["message"]!);
        Assert.Equal("Window of {Model} closed with {Events} events", (string)info["message_template"]!);
        Assert.Equal("churn", (string)info["fields"]!["Model"]!);
        Assert.Equal(503, (int)info["fields"]!["Events"]!);
        Assert.Equal("monitor-0", (string)info["fields"]!["Instance"]!);
        Assert.Null(info["exception"]);
        Assert.EndsWith("Z", (string)info["@timestamp"]!, StringComparison.Ordinal);

        var error = docs.Single(d => (string)d["level"]! == "Error");
        Assert.Contains("decoder broke", (string)error["exception"]!, StringComparison.Ordinal);
        Assert.Equal(7, (long)error["fields"]!["Offsets"]![1]!);
        Assert.Empty(es.Faults);
    }

    [Fact]
    public async Task Emit_LogBufferFull_DropsOldestLogsButKeepsFindings()
    {
        var options = Drive.Options(new Uri($"http://127.0.0.1:{FakeElasticsearch.FreePort()}/"));
        options.LogBufferCapacity = 3;
        await using var exporter = Drive.Exporter(options, _time, _logger);
        var sink = new ElasticsearchLogSink(exporter);
        exporter.Export(Some.Report());
        using (var log = new LoggerConfiguration().WriteTo.Sink(sink).CreateLogger())
        {
            for (var i = 0; i < 8; i++)
            {
                log.Information("Line {Number}", i);
            }
        }

        Assert.Equal(5, exporter.Dropped);
        Assert.Equal(5 + 3, exporter.BufferDepth);
    }
}
