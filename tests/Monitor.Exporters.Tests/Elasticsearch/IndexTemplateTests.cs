using System.Text.Json.Nodes;
using Elastic.Clients.Elasticsearch;
using Elastic.Clients.Elasticsearch.IndexManagement;
using Elastic.Clients.Elasticsearch.Mapping;
using Monitor.Exporters.Elasticsearch;
using Serilog.Events;
using Serilog.Parsing;

namespace Monitor.Exporters.Tests.Elasticsearch;

public sealed class IndexTemplateTests
{
    public static TheoryData<string> Names => [.. IndexTemplates.Names];

    [Theory]
    [MemberData(nameof(Names))]
    public void Body_ParsedByTheOfficialClient_IsAComposableTemplateForItsPattern(string name)
    {
        using var settings = new ElasticsearchClientSettings(new Uri("http://localhost:9200"));
        var client = new ElasticsearchClient(settings);

        using var body = new MemoryStream(IndexTemplates.Body(name));
        var template = client.RequestResponseSerializer.Deserialize<IndexTemplate>(body);

        Assert.Equal(name + "-*", (string)Assert.Single(JsonNode.Parse(IndexTemplates.Body(name))!["index_patterns"]!.AsArray())!);
        var properties = template.Template!.Mappings!.Properties!;
        Assert.IsType<DateProperty>(properties["@timestamp"]);
        Assert.IsType<KeywordProperty>(properties["doc_type"]);
        Assert.Equal(1, IndexTemplates.ShippedVersion(IndexTemplates.Body(name)));
        if (name == "monitor-drift")
        {
            Assert.IsType<DoubleNumberProperty>(properties["statistic"]);
            Assert.IsType<DoubleNumberProperty>(properties["p_value"]);
            Assert.IsType<BooleanProperty>(properties["drifted"]);
            Assert.IsType<KeywordProperty>(properties["feature"]);
            Assert.IsType<DateProperty>(properties["window_end"]);
        }
        else if (name == "monitor-logs")
        {
            Assert.IsType<FlattenedProperty>(properties["fields"]);
        }
    }

    [Fact]
    public void Documents_EveryField_IsMappedInTheTemplateOfItsIndex()
    {
        var report = Some.Report();
        var docs = Documents.FromReport(report);
        docs.Add(Documents.FromAlert(Some.Alert()));
        var logEvent = new LogEvent(Some.WindowEnd, LogEventLevel.Warning, new InvalidOperationException("x"),
            new MessageTemplateParser().Parse("Lag {Lag} on {Topic}"),
            [new LogEventProperty("Lag", new ScalarValue(12)), new LogEventProperty("Topic", new ScalarValue("preds"))]);
        docs.Add(Documents.FromLogEvent(logEvent, "log-1"));
        var unmapped = new List<string>();

        foreach (var doc in docs)
        {
            var name = IndexTemplates.Names.Single(n => doc.Index.StartsWith(n + "-", StringComparison.Ordinal));
            var mappings = JsonNode.Parse(IndexTemplates.Body(name))!["template"]!["mappings"]!;
            Walk(JsonNode.Parse(doc.Source.Span)!.AsObject(), mappings["properties"]!.AsObject(), name + ":", unmapped);
        }

        Assert.Empty(unmapped);
        Assert.Equal(4, docs.Select(d => d.Index[..d.Index.LastIndexOf('-')]).Distinct().Count());
    }

    [Fact]
    public void InstalledVersion_GetResponse_ReadsMetaVersionOrMinusOne()
    {
        var response = """{"index_templates":[{"name":"monitor-drift","index_template":{"index_patterns":["monitor-drift-*"],"_meta":{"monitor_template_version":3}}}]}"""u8;

        Assert.Equal(3, IndexTemplates.InstalledVersion(response, "monitor-drift"));
        Assert.Equal(-1, IndexTemplates.InstalledVersion(response, "monitor-logs"));
        Assert.Equal(-1, IndexTemplates.InstalledVersion("""{"index_templates":[]}"""u8, "monitor-drift"));
    }

    // A field absent from the mappings is stored but not searchable (dynamic: false): every one must be declared,
    // except the open-ended performance metrics and log properties, which their templates map as a whole.
    private static void Walk(JsonObject doc, JsonObject properties, string path, List<string> unmapped)
    {
        foreach (var (key, value) in doc)
        {
            var here = path + key;
            if (here.EndsWith(":performance.metrics", StringComparison.Ordinal) || here == "monitor-logs:fields")
            {
                Assert.True(properties.ContainsKey(key), here);
                continue;
            }

            if (properties[key] is not JsonObject mapping)
            {
                unmapped.Add(here);
                continue;
            }

            foreach (var obj in Objects(value))
            {
                Walk(obj, mapping["properties"]?.AsObject() ?? [], here + ".", unmapped);
            }
        }
    }

    private static IEnumerable<JsonObject> Objects(JsonNode? value) => value switch
    {
        JsonObject o => [o],
        JsonArray a => a.OfType<JsonObject>(),
        _ => [],
    };
}
