using System.Text.RegularExpressions;
using Monitor.Core.Ingest;
using Monitor.Core.Rules;
using Monitor.Exporters.Prometheus;
using Prometheus;

namespace Monitor.Exporters.Tests.Prometheus;

/// <summary>docs/metrics.md is the catalogue: the exporter must define exactly its families, types and labels.</summary>
public sealed partial class MetricsCatalogueTests
{
    private static readonly HashSet<string> BoundedLabels =
        ["model", "version", "feature", "test", "metric", "check", "severity", "topic", "partition", "reason", "channel", "status", "le"];

    [Fact]
    public async Task Exposition_HasExactlyTheCataloguesFamiliesAndTypes()
    {
        var catalogue = Catalogue.Read();
        var x = await Exposition.Of(Exercised());

        Assert.Equal(catalogue.Keys.Order(StringComparer.Ordinal), x.Types.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, family) in catalogue)
        {
            Assert.True(family.Type == x.Types[name], $"{name}: catalogue says {family.Type}, exporter says {x.Types[name]}");
            Assert.False(string.IsNullOrWhiteSpace(x.Help[name]), $"{name} has no help text");
        }
    }

    [Fact]
    public async Task Exposition_EveryFamilyCarriesExactlyTheCataloguesLabels()
    {
        var catalogue = Catalogue.Read();
        var x = await Exposition.Of(Exercised());

        foreach (var (name, family) in catalogue)
        {
            var samples = x.Samples.Where(s => s.Name == name || (family.Type == "histogram" && s.Name.StartsWith(name + "_", StringComparison.Ordinal))).ToList();
            Assert.True(samples.Count > 0, $"{name} has no sample after exercising every method");
            foreach (var s in samples)
            {
                var labels = s.Labels.Keys.Where(k => k != "le").Order(StringComparer.Ordinal);
                Assert.True(family.Labels.Order(StringComparer.Ordinal).SequenceEqual(labels),
                    $"{s.Name}: labels [{string.Join(", ", s.Labels.Keys)}], catalogue [{string.Join(", ", family.Labels)}]");
            }
        }
    }

    [Fact]
    public async Task Exposition_LabelsAreBoundedToTheCataloguesValues()
    {
        var doc = Catalogue.Text();
        var reasons = ListAfter(doc, "reason: ");
        var statuses = ListAfter(doc, "status class (");
        var checks = ListAfter(doc, "share per check: ");
        var x = await Exposition.Of(Exercised());

        Assert.Equal(reasons.Order(StringComparer.Ordinal), LabelValues.DecodeReasons.Order(StringComparer.Ordinal));
        Assert.Equal(statuses.Order(StringComparer.Ordinal), LabelValues.RetrainStatuses.Order(StringComparer.Ordinal));
        foreach (var s in x.Samples)
        {
            Assert.All(s.Labels.Keys, k => Assert.Contains(k, BoundedLabels));
            AssertIn(s, "reason", reasons);
            AssertIn(s, "status", statuses);
            AssertIn(s, "check", checks);
            AssertIn(s, "severity", ["warning", "critical"]);
            AssertIn(s, "channel", ["email", "webhook", "slack", "alertmanager"]);
        }

        Assert.Contains(x.Samples, s => s.Labels.ContainsKey("reason"));
    }

    [Fact]
    public async Task Promtool_CheckMetrics_ReportsNoProblems()
    {
        await PrometheusTools.EnsureInstalledAsync();
        var x = await Exposition.Of(Exercised());

        var (code, output) = await PrometheusTools.RunAsync(PrometheusTools.Promtool, ["check", "metrics"], x.Text, TimeSpan.FromSeconds(30));

        Assert.True(code == 0 && output.Trim().Length == 0, $"promtool check metrics (exit {code}):\n{output}");
    }

    [Fact]
    public async Task Promtool_CheckMetrics_FlagsABadName()
    {
        await PrometheusTools.EnsureInstalledAsync();

        var (code, output) = await PrometheusTools.RunAsync(PrometheusTools.Promtool, ["check", "metrics"],
            "# HELP monitor_lag_ms Lag.\n# TYPE monitor_lag_ms counter\nmonitor_lag_ms 1\n", TimeSpan.FromSeconds(30));

        Assert.NotEqual(0, code);
        Assert.Contains("_total", output, StringComparison.Ordinal);
    }

    /// <summary>A registry on which every public method has run, so every family has samples.</summary>
    internal static MonitorMetrics Exercised()
    {
        var m = new MonitorMetrics(Metrics.NewCustomRegistry());
        m.Publish(Some.Report(), Some.Start.AddHours(2));
        m.BaselineCreated("fraud", Some.Start, Some.Start.AddHours(2));
        m.AlertsFiring("fraud", AlertSeverity.Warning, 1);
        m.AlertsFiring("fraud", AlertSeverity.Critical, 0);
        m.EventsConsumed("fraud.predictions", 10);
        m.EventsDecoded("fraud.predictions", 9);
        foreach (var outcome in Enum.GetValues<DecodeOutcome>().Where(o => o != DecodeOutcome.Ok))
        {
            m.DecodeError("fraud.predictions", outcome);
            m.DeadLetter("fraud.predictions", outcome);
        }

        m.LateEvents("fraud", 1);
        m.LabelsJoined("fraud", 2);
        m.LabelsExpired("fraud", 1);
        m.ConsumerLag("fraud.predictions", 0, 5);
        m.LastEventTimestamp("fraud", Some.Start);
        m.ObserveEvaluation("fraud", 0.3);
        m.ObserveCheckpoint(0.05);
        foreach (var channel in Enum.GetValues<AlertChannel>())
        {
            m.AlertSent(channel);
            m.AlertFailed(channel);
        }

        m.OutboxDepth(2);
        foreach (int? status in new int?[] { 200, 404, 500, null })
        {
            m.RetrainRequest("fraud", status);
        }

        m.ElasticsearchDropped(3);
        m.ElasticsearchBufferDepth(7);
        m.ExactMemory("fraud", 1 << 20, 64 << 20, 2);
        return m;
    }

    private static void AssertIn(Sample s, string label, IReadOnlyCollection<string> allowed)
    {
        if (s.Labels.TryGetValue(label, out var v))
        {
            Assert.True(allowed.Contains(v), $"{s.Name}: {label}=\"{v}\" is not in the catalogue's list [{string.Join(", ", allowed)}]");
        }
    }

    /// <summary>The comma-separated list that follows <paramref name="marker"/> up to the closing parenthesis or line end.</summary>
    private static List<string> ListAfter(string doc, string marker)
    {
        int i = doc.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(i >= 0, $"docs/metrics.md no longer says '{marker}'");
        var rest = doc[(i + marker.Length)..];
        int end = rest.IndexOfAny([')', '\n', '|']);
        return [.. rest[..end].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];
    }

    internal sealed record Family(string Type, IReadOnlyList<string> Labels);

    /// <summary>Reads the two tables of docs/metrics.md: model results (all gauges) and operational (with a type column).</summary>
    internal static partial class Catalogue
    {
        public static string Text()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var path = Path.Combine(dir.FullName, "docs", "metrics.md");
                if (File.Exists(path))
                {
                    return File.ReadAllText(path);
                }
            }

            throw new FileNotFoundException("docs/metrics.md not found above the test's directory.");
        }

        public static Dictionary<string, Family> Read()
        {
            var families = new Dictionary<string, Family>(StringComparer.Ordinal);
            bool operational = false;
            foreach (var line in Text().Split('\n'))
            {
                if (line.StartsWith("## ", StringComparison.Ordinal))
                {
                    operational = line.Contains("Operational", StringComparison.Ordinal);
                }

                var m = Row().Match(line);
                if (!m.Success)
                {
                    continue;
                }

                var cells = line.Split('|', StringSplitOptions.TrimEntries)[1..^1];
                string type = operational ? cells[1] : "gauge";
                string labels = operational ? cells[2] : cells[1];
                families.Add(m.Groups[1].Value, new Family(type, labels == "(none)" ? [] : labels.Split(',', StringSplitOptions.TrimEntries)));
            }

            Assert.True(families.Count >= 30, $"Only {families.Count} families read from docs/metrics.md");
            return families;
        }

        [GeneratedRegex(@"^\| `((?:monitor|process)_[a-z_]+)` \|")]
        private static partial Regex Row();
    }
}
