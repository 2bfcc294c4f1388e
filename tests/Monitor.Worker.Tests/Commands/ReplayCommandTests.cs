using System.Text.Json;
using Monitor.Core.Drift;
using Monitor.Worker.Commands;
using Monitor.Worker.Demo;

namespace Monitor.Worker.Tests.Commands;

/// <summary>
/// Replay end to end: training rows → <c>monitor baseline build</c> → twelve hourly windows of traffic with a
/// drift injected in hours 6–8 → <c>monitor replay</c>. Drift must show in exactly the injected windows.
/// </summary>
public sealed class ReplayCommandTests : IDisposable
{
    private const string Rules = """
        model: { name: fraud }
        task: binary_classification
        topics: { predictions: fraud.predictions, labels: fraud.labels, dead_letter: fraud.dead-letter }
        features:
          - { name: amount, kind: numeric, tests: { psi: { warning: 0.1, critical: 0.25 }, wasserstein_norm: { warning: 0.1, critical: 0.25 } } }
          - { name: age, kind: numeric, tests: { psi: { warning: 0.1, critical: 0.25 } } }
          - { name: account_age_days, kind: numeric, tests: { psi: { warning: 0.1, critical: 0.25 } } }
          - { name: tx_per_day, kind: numeric, tests: { jensenshannon: { warning: 0.1, critical: 0.2 } } }
          - { name: distance_km, kind: numeric, tests: { wasserstein_norm: { warning: 0.1, critical: 0.3 } } }
          - { name: score, kind: numeric, path: features.risk_score, tests: { psi: { warning: 0.1, critical: 0.25 } } }
          - { name: country, kind: categorical, tests: { jensenshannon: { warning: 0.1, critical: 0.2 } } }
          - { name: device, kind: categorical, tests: { hellinger: { warning: 0.1, critical: 0.2 } } }
          - { name: merchant_category, kind: categorical, tests: { psi: { warning: 0.1, critical: 0.25 } } }
        prediction_drift: { tests: { psi: { warning: 0.1, critical: 0.25 } } }
        window: { size: 1h, allowed_lateness: 5m }
        baseline: { kind: file, path: fraud-baseline.json }
        dataset_drift: { warning_share: 0.3, critical_share: 0.5, correction: bh }
        performance:
          label_join_ttl: 1d
          min_labels: 100
          floors: { roc_auc: { warning: 0.7, critical: 0.6 } }
        """;

    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("monitor-replay-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Replay_TrafficWithInjectedDrift_FlagsExactlyTheInjectedWindows()
    {
        string rules = Write("fraud.yaml", Rules);
        var training = new FraudTraffic(seed: 1, driftStart: DateTimeOffset.MaxValue);
        string trainingFile = WriteLines("training.jsonl", Enumerable.Range(0, 20_000).Select(i => training.NextTrainingRow(T0.AddDays(-7).AddSeconds(i))));
        var log = new StringWriter();
        var output = new StringWriter();

        int built = BaselineCommand.Build(DriftTestRegistry.Default, TimeProvider.System, trainingFile, rules, Path.Combine(_dir, "fraud-baseline.json"), output, log);
        Assert.True(built == 0, log.ToString());

        var traffic = new FraudTraffic(seed: 2, driftStart: T0.AddHours(6), driftEnd: T0.AddHours(9));
        var events = Enumerable.Range(0, 12 * 1500).Select(i => traffic.Next(T0.AddSeconds(i * 2.4))).ToList();
        string predictions = WriteLines("predictions.jsonl", events.Select(e => e.Prediction));
        string labels = WriteLines("labels.jsonl", events.OrderBy(e => e.LabelTime).Select(e => e.Label));
        string reports = Path.Combine(_dir, "reports.jsonl");

        int replayed = ReplayCommand.Run(DriftTestRegistry.Default, rules, predictions, labels, null, reports, exact: false, log);

        Assert.True(replayed == 0, log.ToString());
        var lines = File.ReadLines(reports).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var windows = lines.Where(l => l.GetProperty("feature").ValueKind == JsonValueKind.Null && l.GetProperty("revision").GetInt32() == 0).ToList();
        Assert.Equal(12, windows.Count);
        foreach (var window in windows)
        {
            var start = DateTimeOffset.Parse(window.GetProperty("window_start").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            int hour = (int)(start - T0).TotalHours;
            bool injected = hour is >= 6 and < 9;
            var drifted = lines
                .Where(l => l.GetProperty("feature").ValueKind == JsonValueKind.String && l.GetProperty("window_start").GetString() == window.GetProperty("window_start").GetString()
                    && l.GetProperty("revision").GetInt32() == 0 && l.GetProperty("drifted").GetBoolean())
                .Select(l => l.GetProperty("feature").GetString())
                .ToHashSet();
            if (injected)
            {
                Assert.Superset(new HashSet<string?> { "amount", "account_age_days", "distance_km", "country", "device" }, drifted);
                Assert.Equal("critical", window.GetProperty("dataset_drift").GetProperty("severity").GetString());
            }
            else
            {
                Assert.True(drifted.Count == 0, $"hour {hour}: unexpected drift in {string.Join(", ", drifted)}");
                Assert.Equal("none", window.GetProperty("dataset_drift").GetProperty("severity").GetString());
            }

            Assert.Equal(1500, window.GetProperty("events").GetInt64());
        }

        Assert.Contains("18000 predictions", log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_RollingBaseline_ComparesEachWindowWithThePreviousOne()
    {
        string rules = Write("fraud-rolling.yaml", Rules.Replace("baseline: { kind: file, path: fraud-baseline.json }", "baseline: { kind: rolling, windows: 1 }", StringComparison.Ordinal));
        var traffic = new FraudTraffic(seed: 3, driftStart: T0.AddHours(3), driftEnd: T0.AddHours(4));
        var events = Enumerable.Range(0, 6 * 1500).Select(i => traffic.Next(T0.AddSeconds(i * 2.4))).ToList();
        string predictions = WriteLines("predictions.jsonl", events.Select(e => e.Prediction));
        string reports = Path.Combine(_dir, "rolling.jsonl");
        var log = new StringWriter();

        int code = ReplayCommand.Run(DriftTestRegistry.Default, rules, predictions, null, null, reports, exact: false, log);

        Assert.True(code == 0, log.ToString());
        var lines = File.ReadLines(reports).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var severityByHour = lines
            .Where(l => l.GetProperty("feature").ValueKind == JsonValueKind.Null)
            .ToDictionary(
                l => (int)(DateTimeOffset.Parse(l.GetProperty("window_start").GetString()!, System.Globalization.CultureInfo.InvariantCulture) - T0).TotalHours,
                l => l.TryGetProperty("dataset_drift", out var d) ? d.GetProperty("severity").GetString() : null);
        var baselines = lines.Where(l => l.TryGetProperty("baseline_id", out _)).Select(l => l.GetProperty("baseline_id").GetString()).Distinct().Count();

        // Hour 0 has no reference yet; hour 3 jumps away from hour 2 and hour 4 jumps back from hour 3.
        Assert.Equal("none,none,critical,critical,none", string.Join(",", new[] { 1, 2, 3, 4, 5 }.Select(h => severityByHour[h])));
        Assert.DoesNotContain(lines, l => l.GetProperty("feature").ValueKind == JsonValueKind.String && l.GetProperty("window_start").GetString()!.StartsWith("2026-11-27T00:", StringComparison.Ordinal));
        Assert.Equal(5, baselines);
    }

    [Fact]
    public void Replay_LabelsArrivingBeforeWindowsClose_ReportLabelDriftWhereTheFraudRateChanged()
    {
        string rules = Write("fraud.yaml", Rules);
        var training = new FraudTraffic(seed: 1, driftStart: DateTimeOffset.MaxValue);
        string trainingFile = WriteLines("training.jsonl", Enumerable.Range(0, 20_000).Select(i => training.NextTrainingRow(T0.AddDays(-7).AddSeconds(i))));
        var log = new StringWriter();
        Assert.Equal(0, BaselineCommand.Build(DriftTestRegistry.Default, TimeProvider.System, trainingFile, rules, Path.Combine(_dir, "fraud-baseline.json"), new StringWriter(), log));
        var traffic = new FraudTraffic(seed: 4, driftStart: T0.AddHours(2), driftEnd: T0.AddHours(3), labelDelay: (TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(4)));
        var events = Enumerable.Range(0, 4 * 3000).Select(i => traffic.Next(T0.AddSeconds(i * 1.2))).ToList();
        string predictions = WriteLines("predictions.jsonl", events.Select(e => e.Prediction));
        string labels = WriteLines("labels.jsonl", events.OrderBy(e => e.LabelTime).Select(e => e.Label));
        string reports = Path.Combine(_dir, "labels-report.jsonl");

        Assert.Equal(0, ReplayCommand.Run(DriftTestRegistry.Default, rules, predictions, labels, null, reports, exact: false, log));

        var labelLines = File.ReadLines(reports).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(l => l.GetProperty("feature").ValueKind == JsonValueKind.String && l.GetProperty("feature").GetString() == "label" && l.GetProperty("revision").GetInt32() == 0)
            .ToDictionary(l => (int)(DateTimeOffset.Parse(l.GetProperty("window_start").GetString()!, System.Globalization.CultureInfo.InvariantCulture) - T0).TotalHours);
        Assert.Equal("label", labelLines[0].GetProperty("role").GetString());
        Assert.Equal("jensenshannon", labelLines[0].GetProperty("test").GetString());
        Assert.True(labelLines[0].GetProperty("n_current").GetInt64() > 2_500, "most labels join before the window closes");
        double before = labelLines[1].GetProperty("statistic").GetDouble();
        double during = labelLines[2].GetProperty("statistic").GetDouble();
        Assert.True(during > 3 * before, $"label drift {during} during the drift vs {before} before");
        Assert.False(labelLines[1].GetProperty("drifted").GetBoolean());
    }

    [Fact]
    public void Replay_MissingBaseline_FailsNamingTheFileAndTheFix()
    {
        string rules = Write("fraud.yaml", Rules);
        string predictions = WriteLines("predictions.jsonl", []);
        var log = new StringWriter();

        int code = ReplayCommand.Run(DriftTestRegistry.Default, rules, predictions, null, null, "-", exact: false, log);

        Assert.Equal(1, code);
        Assert.Contains("fraud-baseline.json", log.ToString(), StringComparison.Ordinal);
        Assert.Contains("monitor baseline build", log.ToString(), StringComparison.Ordinal);
    }

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private string WriteLines(string name, IEnumerable<byte[]> lines)
    {
        string path = Path.Combine(_dir, name);
        using var stream = File.Create(path);
        foreach (var line in lines)
        {
            stream.Write(line);
            stream.WriteByte((byte)'\n');
        }

        return path;
    }
}
