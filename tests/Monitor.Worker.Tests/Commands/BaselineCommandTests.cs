using System.Globalization;
using System.Text;
using System.Text.Json;
using Monitor.Core.Baselines;
using Monitor.Core.Drift;
using Monitor.Worker.Commands;
using Monitor.Worker.Demo;
using Monitor.Worker.Tests.Io;
using Parquet.Schema;

namespace Monitor.Worker.Tests.Commands;

/// <summary>
/// <c>monitor baseline build</c> from Parquet (the same profile as from the same rows in CSV) and from a past
/// window of logged traffic (<c>--from</c>/<c>--to</c>: exactly the rows in range).
/// </summary>
public sealed class BaselineCommandTests : IDisposable
{
    private const string Rules = """
        model: { name: fraud }
        task: binary_classification
        topics: { predictions: fraud.predictions, labels: fraud.labels, dead_letter: fraud.dead-letter }
        features:
          - { name: amount, kind: numeric, tests: { psi: { warning: 0.1, critical: 0.25 } } }
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
        performance:
          label_join_ttl: 1d
          min_labels: 100
          floors: { roc_auc: { warning: 0.7, critical: 0.6 } }
        """;

    private static readonly DateTimeOffset Start = new(2026, 11, 18, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(1440); // 600 events over ten days; 120 steps = 2 days
    private const string From = "2026-11-20T00:00:00Z";
    private const string To = "2026-11-27T00:00:00Z";

    private readonly string _dir = Directory.CreateTempSubdirectory("monitor-baseline-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task Build_ParquetInput_EqualsTheProfileOfTheSameRowsAsCsv(bool sketches, bool window)
    {
        // exact_limit 100 < 600 rows turns every numeric channel into a sketch: the file is then read twice.
        string rules = Write("fraud.yaml", sketches ? Rules + "\nsketch: { exact_limit: 100 }\n" : Rules);
        var rows = TrainingRows(600);
        string parquet = Path.Combine(_dir, "train.parquet");
        await WriteParquetAsync(parquet, rows);
        string csv = Write("train.csv", Csv(rows));

        var (fromParquet, parquetLog) = BuildOk(rules, parquet, window);
        var (fromCsv, _) = BuildOk(rules, csv, window);

        Assert.Equal(window ? 420 : 600, fromParquet.Source.Rows);
        Assert.Equal(fromCsv.Source.Rows, fromParquet.Source.Rows);
        Assert.Equal(Json(fromCsv.Numeric), Json(fromParquet.Numeric));
        Assert.Equal(Json(fromCsv.Categorical), Json(fromParquet.Categorical));
        Assert.Equal(Json(fromCsv.Performance), Json(fromParquet.Performance));
        Assert.Equal("v7", fromParquet.ModelVersion);
        Assert.Equal(window ? "window" : "file", fromParquet.Source.Kind);
        Assert.Empty(parquetLog);

        // The comparison covers what it should: nulls, a null string, sketches when asked, performance.
        Assert.True(fromParquet.Numeric["age"].Missing > 0);
        Assert.Equal(window ? 0 : 1, fromParquet.Categorical["country"].Missing);
        Assert.Equal(sketches, fromParquet.Numeric["amount"].Sketch is not null);
        Assert.Equal(fromParquet.Numeric["amount"].Count, fromParquet.Numeric["amount"].BinCounts.Sum());
        Assert.NotNull(fromParquet.Performance?["roc_auc"]);
        Assert.Equal(10, fromParquet.Numeric[BaselineProfile.PredictionChannel].BinCounts.Length);
    }

    [Fact]
    public void Build_PastWindowOfAPredictionLog_KeepsExactlyTheRowsInRange()
    {
        string rules = Write("fraud.yaml", Rules);
        var traffic = new FraudTraffic(seed: 11, driftStart: DateTimeOffset.MaxValue);
        var events = Enumerable.Range(0, 600).Select(i => traffic.Next(Start + (i * Step))).ToList();
        var lines = events.Select(e => e.Prediction).ToList();
        lines.Insert(300, Encoding.UTF8.GetBytes("""{"features":{"amount":10},"prediction":{"score":0.5}}"""));
        lines.Insert(100, Encoding.UTF8.GetBytes("""{"timestamp":"last tuesday","features":{"amount":10},"prediction":{"score":0.5}}"""));
        string log = WriteLines("predictions.jsonl", lines);
        var from = DateTimeOffset.Parse(From, CultureInfo.InvariantCulture);
        var to = DateTimeOffset.Parse(To, CultureInfo.InvariantCulture);
        var inRange = events.Where(e => e.Timestamp >= from && e.Timestamp < to).ToList();
        string only = WriteLines("in-range.jsonl", inRange.Select(e => e.Prediction));
        var output = new StringWriter();
        var error = new StringWriter();

        int code = BaselineCommand.Build(DriftTestRegistry.Default, TimeProvider.System, log, rules, Path.Combine(_dir, "window.json"), output, error, From, To);
        var (reference, _) = BuildOk(rules, only, window: false);

        Assert.True(code == 0, error.ToString());
        var windowed = Load("window.json");
        Assert.Equal(420, inRange.Count);
        Assert.Equal(Start + (120 * Step), inRange[0].Timestamp); // the window's first instant is inside...
        Assert.Equal(Start + (540 * Step), events[540].Timestamp); // ...its last is not
        Assert.DoesNotContain(events[540], inRange);
        Assert.Equal(420, windowed.Source.Rows);
        Assert.Equal(reference.Source.Rows, windowed.Source.Rows);
        Assert.Equal(Json(reference.Numeric), Json(windowed.Numeric));
        Assert.Equal(Json(reference.Categorical), Json(windowed.Categorical));
        Assert.Equal("window", windowed.Source.Kind);
        Assert.Equal("predictions.jsonl [2026-11-20T00:00:00Z, 2026-11-27T00:00:00Z)", windowed.Source.Description);
        Assert.Contains("from 420 rows", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("180 rows outside [2026-11-20T00:00:00Z, 2026-11-27T00:00:00Z)", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("2 rows rejected (bad_timestamp 2)", output.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(From, null, "--from and --to go together")]
    [InlineData(null, To, "--from and --to go together")]
    [InlineData(To, From, "is not after --from")]
    [InlineData("next week", To, "--from 'next week' is not an ISO-8601 instant")]
    public void Build_BadWindow_FailsWithTheProblemAndNoProfile(string? from, string? to, string message)
    {
        string rules = Write("fraud.yaml", Rules);
        string input = WriteLines("predictions.jsonl", [new FraudTraffic(1, DateTimeOffset.MaxValue).Next(Start).Prediction]);
        var error = new StringWriter();

        int code = BaselineCommand.Build(DriftTestRegistry.Default, TimeProvider.System, input, rules, Path.Combine(_dir, "out.json"), new StringWriter(), error, from, to);

        Assert.Equal(1, code);
        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "out.json")));
    }

    [Fact]
    public void Build_WindowTheLogDoesNotCover_FailsSayingWhatWasSeen()
    {
        string rules = Write("fraud.yaml", Rules);
        var traffic = new FraudTraffic(seed: 3, driftStart: DateTimeOffset.MaxValue);
        string input = WriteLines("predictions.jsonl", Enumerable.Range(0, 10).Select(i => traffic.Next(Start.AddDays(-30) + (i * Step)).Prediction)
            .Append(Encoding.UTF8.GetBytes("""{"features":{"amount":1}}""")));
        var error = new StringWriter();

        int code = BaselineCommand.Build(DriftTestRegistry.Default, TimeProvider.System, input, rules, Path.Combine(_dir, "out.json"), new StringWriter(), error, From, To);

        Assert.Equal(1, code);
        Assert.Contains("no rows in [2026-11-20T00:00:00Z, 2026-11-27T00:00:00Z) (10 outside it, 1 without a parseable timestamp at 'timestamp')", error.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "out.json")));
    }

    [Fact]
    public async Task Build_ParquetWithANestedColumn_BuildsAndWarnsNamingTheColumn()
    {
        string rules = Write("fraud.yaml", Rules);
        string path = Path.Combine(_dir, "nested.parquet");
        var tags = new ListField("tags", typeof(string));
        var item = (DataField)tags.Item;
        await ParquetTestFile.WriteAsync(path,
        [
            new(new DataField<double?>("amount"), new double?[] { 10, 20, 30 }),
            new(new DataField<double?>("prediction.score"), new double?[] { 0.1, 0.2, 0.3 }),
        ], [3], [tags], (group, _, _) =>
            group.WriteAsync(item, ["a", "b", "c", "d"], new[] { 0, 1, 0, 0 }));
        var output = new StringWriter();
        var error = new StringWriter();

        int code = BaselineCommand.Build(DriftTestRegistry.Default, TimeProvider.System, path, rules, Path.Combine(_dir, "out.json"), output, error);

        Assert.True(code == 0, error.ToString());
        string warning = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("warning: nested.parquet: column 'tags'", warning, StringComparison.Ordinal);
        var profile = Load("out.json");
        Assert.Equal(3, profile.Source.Rows);
        Assert.Equal(3, profile.Numeric["amount"].Count);
        Assert.Equal(3, profile.Numeric[BaselineProfile.PredictionChannel].Count);
    }

    [Theory]
    [InlineData("not parquet at all")]
    [InlineData("PAR1 a magic number and nothing else PAR1")]
    public void Build_CorruptParquet_FailsNamingTheFileWithoutAStackTrace(string content)
    {
        string rules = Write("fraud.yaml", Rules);
        string path = Write("broken.parquet", content);
        var output = new StringWriter();
        var error = new StringWriter();

        int code = BaselineCommand.Build(DriftTestRegistry.Default, TimeProvider.System, path, rules, Path.Combine(_dir, "out.json"), output, error);

        Assert.Equal(1, code);
        string message = error.ToString();
        Assert.Contains("broken.parquet", message, StringComparison.Ordinal);
        Assert.Contains("not a readable Parquet file", message, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", message, StringComparison.Ordinal);
        Assert.Single(message.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(File.Exists(Path.Combine(_dir, "out.json")));
    }

    private (BaselineProfile Profile, string Log) BuildOk(string rules, string input, bool window)
    {
        string name = Path.GetFileName(input) + (window ? ".window" : string.Empty) + ".baseline.json";
        var output = new StringWriter();
        var error = new StringWriter();
        int code = BaselineCommand.Build(DriftTestRegistry.Default, TimeProvider.System, input, rules, Path.Combine(_dir, name), output, error,
            window ? From : null, window ? To : null);
        Assert.True(code == 0, error.ToString());
        return (Load(name), error.ToString());
    }

    private BaselineProfile Load(string name)
    {
        using var stream = File.OpenRead(Path.Combine(_dir, name));
        return BaselineProfile.Load(stream, name);
    }

    private static string Json<T>(T value) => JsonSerializer.Serialize(value);

    private sealed record TrainingRow(
        DateTime Timestamp, double Amount, double? Age, double AccountAge, double TxPerDay, double Distance, double RiskScore,
        string? Country, string Device, string Merchant, double Score, int PredictedLabel, int Label, string Version);

    private static List<TrainingRow> TrainingRows(int count)
    {
        var traffic = new FraudTraffic(seed: 7, driftStart: DateTimeOffset.MaxValue);
        var rows = new List<TrainingRow>(count);
        for (int i = 0; i < count; i++)
        {
            var e = traffic.Next(Start + (i * Step));
            using var prediction = JsonDocument.Parse(e.Prediction);
            using var label = JsonDocument.Parse(e.Label);
            var f = prediction.RootElement.GetProperty("features");
            var p = prediction.RootElement.GetProperty("prediction");
            rows.Add(new TrainingRow(
                e.Timestamp.UtcDateTime,
                f.GetProperty("amount").GetDouble(),
                f.GetProperty("age").ValueKind == JsonValueKind.Null ? null : f.GetProperty("age").GetDouble(),
                f.GetProperty("account_age_days").GetDouble(),
                f.GetProperty("tx_per_day").GetDouble(),
                f.GetProperty("distance_km").GetDouble(),
                f.GetProperty("risk_score").GetDouble(),
                i == 5 ? null : f.GetProperty("country").GetString(), // one null string (row 5 lies before the window)
                f.GetProperty("device").GetString()!,
                f.GetProperty("merchant_category").GetString()!,
                p.GetProperty("score").GetDouble(),
                p.GetProperty("label").GetInt32(),
                label.RootElement.GetProperty("label").GetInt32(),
                // Not numeric: a CSV cell "7" becomes a JSON number, and a numeric model_version on the second row
                // trips EventDecoder.ReadVersion (ValueTextEquals on a number token), which is outside this test's scope.
                "v" + prediction.RootElement.GetProperty("model_version").GetString()));
        }

        Assert.Contains(rows, r => r.Age is null);
        return rows;
    }

    private static Task WriteParquetAsync(string path, List<TrainingRow> rows) => ParquetTestFile.WriteAsync(path,
    [
        new(new DataField<DateTime>("timestamp"), rows.Select(r => r.Timestamp).ToArray()),
        new(new DataField<double?>("amount"), rows.Select(r => (double?)r.Amount).ToArray()),
        new(new DataField<double?>("age"), rows.Select(r => r.Age).ToArray()),
        new(new DataField<double>("account_age_days"), rows.Select(r => r.AccountAge).ToArray()),
        new(new DataField<double?>("tx_per_day"), rows.Select(r => (double?)r.TxPerDay).ToArray()),
        new(new DataField<double?>("distance_km"), rows.Select(r => (double?)r.Distance).ToArray()),
        new(new DataField<double?>("features.risk_score"), rows.Select(r => (double?)r.RiskScore).ToArray()),
        new(new DataField<string>("country"), rows.Select(r => r.Country).ToArray()),
        new(new DataField<string>("device"), rows.Select(r => (string?)r.Device).ToArray()),
        new(new DataField<string>("merchant_category"), rows.Select(r => (string?)r.Merchant).ToArray()),
        new(new DataField<double?>("prediction.score"), rows.Select(r => (double?)r.Score).ToArray()),
        new(new DataField<int>("prediction.label"), rows.Select(r => r.PredictedLabel).ToArray()),
        new(new DataField<int?>("label"), rows.Select(r => (int?)r.Label).ToArray()),
        new(new DataField<string>("model_version"), rows.Select(r => (string?)r.Version).ToArray()),
    ], [250, 250, 100]);

    private static string Csv(List<TrainingRow> rows)
    {
        var csv = new StringBuilder("timestamp,amount,age,account_age_days,tx_per_day,distance_km,features.risk_score,country,device,merchant_category,prediction.score,prediction.label,label,model_version\n");
        foreach (var r in rows)
        {
            csv.AppendLine(string.Join(',',
                r.Timestamp.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                N(r.Amount), r.Age is { } age ? N(age) : string.Empty, N(r.AccountAge), N(r.TxPerDay), N(r.Distance), N(r.RiskScore),
                r.Country ?? string.Empty, r.Device, r.Merchant, N(r.Score), N(r.PredictedLabel), N(r.Label), r.Version));
        }

        return csv.ToString();

        static string N(double value) => value.ToString("R", CultureInfo.InvariantCulture);
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
