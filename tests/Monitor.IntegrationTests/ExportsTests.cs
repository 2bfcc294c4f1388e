using System.Text.Json;
using System.Text.RegularExpressions;
using Monitor.IntegrationTests.Support;
using Xunit.Abstractions;

namespace Monitor.IntegrationTests;

/// <summary>
/// The shipped dashboards and alerting rules only use what the live daemon exports: every metric name in the Grafana
/// dashboards and rules/prometheus is a family on a real /metrics (after windows and alerts), and every Elasticsearch
/// field the Kibana objects use is mapped by the index templates.
/// </summary>
[Collection(EndToEndRun.Name)]
public sealed partial class ExportsTests(EndToEndFixture run, ITestOutputHelper output)
{
    private static readonly string[] HistogramSuffixes = ["_bucket", "_sum", "_count"];

    private static string Exports => Path.Combine(AppContext.BaseDirectory, "exports");

    [Fact]
    public async Task Metrics_EveryNameUsedByDashboardsAndAlertRules_IsExportedByTheLiveDaemon()
    {
        var used = UsedMetricNames();
        Assert.True(used.Count >= 15, $"only {used.Count} metric names found in the dashboards and rules: parsing is broken");
        var (_, exposition) = await Infrastructure.GetAsync(run.BaseUrl + "/metrics");
        var families = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match m in TypeLine().Matches(exposition))
        {
            families[m.Groups[1].Value] = m.Groups[2].Value;
        }

        var missing = new List<string>();
        var withoutSeries = new List<string>();
        foreach (var (name, where) in used.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            string family = name;
            foreach (var suffix in HistogramSuffixes)
            {
                if (name.EndsWith(suffix, StringComparison.Ordinal) && families.GetValueOrDefault(name[..^suffix.Length]) == "histogram")
                {
                    family = name[..^suffix.Length];
                }
            }

            // A family counts as exported when its HELP and TYPE lines are there, with or without samples yet.
            if (!families.ContainsKey(family) || !exposition.Contains($"# HELP {family} ", StringComparison.Ordinal))
            {
                missing.Add($"{name} (used in {where})");
            }
            else if (!Regex.IsMatch(exposition, "^" + Regex.Escape(family) + @"(_bucket|_sum|_count)?[{ ]", RegexOptions.Multiline))
            {
                withoutSeries.Add(name);
            }
        }

        output.WriteLine($"{used.Count} names used; families exported without a series in this run: {(withoutSeries.Count == 0 ? "none" : string.Join(", ", withoutSeries))}");
        Assert.True(missing.Count == 0, "not exported by the daemon:\n" + string.Join("\n", missing));
        // Only families this run has nothing for may lack samples: no p-value test in the model, retraining off,
        // no failed delivery, no Elasticsearch configured.
        string[] idle = ["monitor_feature_drift_p_value", "monitor_retrain_requests_total", "monitor_alerts_failed_total", "monitor_elasticsearch_dropped_total", "monitor_elasticsearch_buffer_depth"];
        Assert.Empty(withoutSeries.Except(idle, StringComparer.Ordinal));
    }

    [Fact]
    public void Kibana_EveryFieldUsed_IsMappedByTheIndexTemplates()
    {
        var mappings = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(Path.Combine(Exports, "templates"), "*.json"))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            var fields = new HashSet<string>(StringComparer.Ordinal);
            Flatten(doc.RootElement.GetProperty("template").GetProperty("mappings").GetProperty("properties"), string.Empty, fields);
            foreach (var pattern in doc.RootElement.GetProperty("index_patterns").EnumerateArray())
            {
                mappings[pattern.GetString()!] = fields;
            }
        }

        var objects = new Dictionary<(string Type, string Id), JsonElement>();
        foreach (var line in File.ReadAllLines(Path.Combine(Exports, "kibana", "monitor.ndjson")).Where(l => l.Length > 0))
        {
            var o = JsonDocument.Parse(line).RootElement.Clone();
            objects[(o.GetProperty("type").GetString()!, o.GetProperty("id").GetString()!)] = o;
        }

        var problems = new List<string>();
        int checkedFields = 0;
        var patternOfView = objects.Where(o => o.Key.Type == "index-pattern")
            .ToDictionary(o => o.Key.Id, o => o.Value.GetProperty("attributes").GetProperty("title").GetString()!, StringComparer.Ordinal);
        foreach (var ((type, id), o) in objects)
        {
            var a = o.GetProperty("attributes");
            string? pattern = null;
            var used = new HashSet<string>(StringComparer.Ordinal);
            if (type == "index-pattern")
            {
                pattern = a.GetProperty("title").GetString();
                used.Add(a.GetProperty("timeFieldName").GetString()!);
                using var formats = JsonDocument.Parse(a.GetProperty("fieldFormatMap").GetString()!);
                used.UnionWith(formats.RootElement.EnumerateObject().Select(p => p.Name));
            }
            else if (type is "search" or "visualization")
            {
                pattern = PatternOf(o, objects, patternOfView);
                if (a.TryGetProperty("columns", out var columns))
                {
                    used.UnionWith(columns.EnumerateArray().Select(c => c.GetString()!));
                }

                if (a.TryGetProperty("sort", out var sort))
                {
                    used.UnionWith(sort.EnumerateArray().Select(s => s[0].GetString()!));
                }

                using var source = JsonDocument.Parse(a.GetProperty("kibanaSavedObjectMeta").GetProperty("searchSourceJSON").GetString()!);
                if (source.RootElement.TryGetProperty("query", out var query) && query.TryGetProperty("query", out var text) && text.ValueKind == JsonValueKind.String)
                {
                    used.UnionWith(QueryField().Matches(text.GetString()!).Select(m => m.Groups[1].Value));
                }

                if (type == "visualization")
                {
                    using var vis = JsonDocument.Parse(a.GetProperty("visState").GetString()!);
                    foreach (var agg in vis.RootElement.GetProperty("aggs").EnumerateArray())
                    {
                        if (agg.GetProperty("params").TryGetProperty("field", out var field))
                        {
                            used.Add(field.GetString()!);
                        }
                    }
                }
            }

            if (pattern is null)
            {
                if (type is "search" or "visualization")
                {
                    problems.Add($"{type} {id}: no data view");
                }

                continue;
            }

            if (!mappings.TryGetValue(pattern, out var mapped))
            {
                problems.Add($"{type} {id}: no index template for {pattern}");
                continue;
            }

            foreach (var field in used)
            {
                checkedFields++;
                if (!Mapped(field, mapped))
                {
                    problems.Add($"{type} {id}: field {field} is not mapped by the {pattern} template");
                }
            }
        }

        output.WriteLine($"{checkedFields} field uses in {objects.Count} Kibana objects checked against {mappings.Count} index templates");
        Assert.True(checkedFields >= 20, $"only {checkedFields} field uses found: parsing is broken");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary><c>monitor_*</c> names in the dashboards and alerting rules, minus recording-rule outputs, with one file each uses it.</summary>
    private static Dictionary<string, string> UsedMetricNames()
    {
        var files = Directory.GetFiles(Path.Combine(Exports, "grafana"), "*.json").Concat(Directory.GetFiles(Path.Combine(Exports, "prometheus"), "*.yml")).Order(StringComparer.Ordinal).ToList();
        var recorded = new HashSet<string>(StringComparer.Ordinal);
        var used = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            string text = File.ReadAllText(file);
            recorded.UnionWith(RecordLine().Matches(text).Select(m => m.Groups[1].Value));
            foreach (Match m in MetricName().Matches(text))
            {
                used.TryAdd(m.Value, Path.GetFileName(file));
            }
        }

        foreach (var name in recorded)
        {
            used.Remove(name);
        }

        return used;
    }

    private static string? PatternOf(JsonElement o, Dictionary<(string, string), JsonElement> objects, Dictionary<string, string> patternOfView)
    {
        var refs = o.GetProperty("references").EnumerateArray().ToDictionary(r => r.GetProperty("name").GetString()!, r => r.GetProperty("id").GetString()!, StringComparer.Ordinal);
        if (o.GetProperty("attributes").TryGetProperty("savedSearchRefName", out var search) && refs.TryGetValue(search.GetString()!, out var searchId)
            && objects.TryGetValue(("search", searchId), out var saved))
        {
            return PatternOf(saved, objects, patternOfView);
        }

        return refs.TryGetValue("kibanaSavedObjectMeta.searchSourceJSON.index", out var view) ? patternOfView.GetValueOrDefault(view) : null;
    }

    /// <summary>Dotted paths of a mapping; multi-fields as <c>name.sub</c>; an object with <c>dynamic: true</c> as <c>name.*</c>.</summary>
    private static void Flatten(JsonElement properties, string prefix, HashSet<string> fields)
    {
        foreach (var p in properties.EnumerateObject())
        {
            string name = prefix + p.Name;
            fields.Add(name);
            if (p.Value.TryGetProperty("properties", out var inner))
            {
                Flatten(inner, name + ".", fields);
            }

            if (p.Value.TryGetProperty("fields", out var multi))
            {
                Flatten(multi, name + ".", fields);
            }

            if (p.Value.TryGetProperty("dynamic", out var dynamic) && dynamic.ValueKind == JsonValueKind.True)
            {
                fields.Add(name + ".*");
            }
        }
    }

    private static bool Mapped(string field, HashSet<string> mapped) =>
        mapped.Contains(field) || mapped.Any(m => m.EndsWith(".*", StringComparison.Ordinal) && field.StartsWith(m[..^1], StringComparison.Ordinal));

    [GeneratedRegex(@"^# TYPE (monitor_[a-z0-9_]+) ([a-z]+)$", RegexOptions.Multiline)]
    private static partial Regex TypeLine();

    // Same rule as tests/dashboards/consistency.py: not preceded by a name character, so recording rules (monitor:…) never match.
    [GeneratedRegex(@"(?<![A-Za-z0-9_:])monitor_[a-z0-9_]+")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"^\s*-?\s*record:\s*([A-Za-z0-9_:]+)", RegexOptions.Multiline)]
    private static partial Regex RecordLine();

    [GeneratedRegex(@"([A-Za-z_@][A-Za-z0-9_.@*]*)\s*:")]
    private static partial Regex QueryField();
}
