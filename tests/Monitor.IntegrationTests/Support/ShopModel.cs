using System.Globalization;
using System.Text;
using System.Text.Json;
using Monitor.Core.Drift;
using Monitor.Worker.Commands;

namespace Monitor.IntegrationTests.Support;

/// <summary>One generated prediction and its label, in the event contract's shape.</summary>
internal sealed record ShopEvent(int Window, string EventId, DateTimeOffset Timestamp, byte[] Prediction, byte[] Label);

/// <summary>
/// The integration tests' model <c>shop</c>: a binary classifier with one numeric feature <c>x</c> and one categorical
/// feature <c>c</c>. Drifted windows move <c>x</c> from N(0, 1) to N(1.5, 1) and reverse the category weights, so every
/// drift test fires there and none elsewhere (PSI noise at 300 events is about 0.03, far below the 0.1 warning).
/// </summary>
internal static class ShopModel
{
    public const string Name = "shop";
    public const string Predictions = "shop.predictions";
    public const string Labels = "shop.labels";
    public const string DeadLetters = "shop.dead-letter";

    /// <summary>A minute boundary: windows of one minute start at <c>Start + k min</c>.</summary>
    public static readonly DateTimeOffset Start = new(2026, 1, 5, 10, 0, 0, TimeSpan.Zero);

    private static readonly string[] Categories = ["a", "b", "c", "d"];
    private static readonly double[] Normal = [0.4, 0.3, 0.2, 0.1];
    private static readonly double[] Drifted = [0.1, 0.2, 0.3, 0.4];

    /// <summary>Writes <c>shop.yaml</c> and its baseline (built by <c>monitor baseline build</c>'s code from generated rows) into <paramref name="folder"/>.</summary>
    /// <returns>The rule file's path.</returns>
    /// <param name="folder">Where the rule file, training rows and baseline go.</param>
    /// <param name="allowedLateness">The window's allowed lateness.</param>
    /// <param name="alertWebhook">The one webhook route's target; none: no routes.</param>
    /// <param name="retrain">A top-level <c>retrain:</c> YAML block appended as is; none: retraining off.</param>
    public static string Write(string folder, string allowedLateness = "5s", string? alertWebhook = null, string? retrain = null)
    {
        Directory.CreateDirectory(folder);
        string rules = Path.Combine(folder, "shop.yaml");
        string routes = alertWebhook is null
            ? "  routes: []\n"
            : $"""
                 routes:
                   - name: test-receiver
                     channel: webhook
                     targets: ["{alertWebhook}"]
                     min_severity: warning
                     for_windows: 1
                     cooldown: 0s
                     resolve_after: 1

               """;
        File.WriteAllText(rules, $"""
            model:
              name: {Name}
            task: binary_classification
            topics:
              predictions: {Predictions}
              labels: {Labels}
              dead_letter: {DeadLetters}
            features:
              - name: x
                kind: numeric
                tests:
                  psi: {"{"} warning: 0.1, critical: 0.25 {"}"}
                quality: {"{"} max_missing_share: 0.05 {"}"}
              - name: c
                kind: categorical
                tests:
                  jensenshannon: {"{"} warning: 0.1, critical: 0.2 {"}"}
                quality: {"{"} allowed_categories: baseline {"}"}
            prediction_drift:
              source: score
              tests:
                psi: {"{"} warning: 0.1, critical: 0.25 {"}"}
            window: {"{"} size: 1m, allowed_lateness: {allowedLateness} {"}"}
            schedule: {"{"} cron: "*/1 * * * * ?" {"}"}
            baseline: {"{"} kind: file, path: baseline.json {"}"}
            dataset_drift: {"{"} warning_share: 0.3, critical_share: 0.5 {"}"}
            performance:
              label_join_ttl: 1d
              min_labels: 50
              floors:
                roc_auc: {"{"} warning: 0.55 {"}"}
            alerts:

            """ + routes + (retrain ?? string.Empty), Encoding.UTF8);

        string training = Path.Combine(folder, "train.jsonl");
        var random = new Random(1);
        var lines = new StringBuilder();
        for (int i = 0; i < 5000; i++)
        {
            var (x, c, score, label) = Draw(random, drift: false);
            lines.Append(JsonSerializer.Serialize(new
            {
                model_version = "1",
                features = new { x, c },
                prediction = new { score, label = score >= 0.5 ? 1 : 0 },
                label,
            })).Append('\n');
        }

        File.WriteAllText(training, lines.ToString(), Encoding.UTF8);
        using var log = new StringWriter(CultureInfo.InvariantCulture);
        int code = BaselineCommand.Build(DriftTestRegistry.Default, TimeProvider.System, training, rules, Path.Combine(folder, "baseline.json"), TextWriter.Null, log);
        if (code != 0)
        {
            throw new InvalidOperationException("baseline build failed: " + log);
        }

        return rules;
    }

    /// <summary>
    /// <paramref name="perWindow"/> events in each of <paramref name="windows"/> one-minute windows from <see cref="Start"/>,
    /// in event-time order (200 ms apart), drifted in <paramref name="drifted"/>. Labels are stamped one second later.
    /// </summary>
    public static IReadOnlyList<ShopEvent> Traffic(int seed, int windows, int perWindow, IReadOnlySet<int> drifted, string idPrefix = "e")
    {
        var random = new Random(seed);
        var events = new List<ShopEvent>(windows * perWindow);
        var step = TimeSpan.FromSeconds(55.0 / perWindow);
        for (int w = 0; w < windows; w++)
        {
            for (int i = 0; i < perWindow; i++)
            {
                var ts = Start + TimeSpan.FromMinutes(w) + (step * i);
                events.Add(Event(random, w, string.Create(CultureInfo.InvariantCulture, $"{idPrefix}-{w:D3}-{i:D5}"), ts, drifted.Contains(w)));
            }
        }

        return events;
    }

    /// <summary>One undrifted event at <paramref name="timestamp"/> (e.g. the one that advances the watermark past the last window).</summary>
    public static ShopEvent Single(string eventId, DateTimeOffset timestamp) => Event(new Random(7), -1, eventId, timestamp, drift: false);

    private static ShopEvent Event(Random random, int window, string id, DateTimeOffset ts, bool drift)
    {
        var (x, c, score, label) = Draw(random, drift);
        byte[] prediction = JsonSerializer.SerializeToUtf8Bytes(new
        {
            event_id = id,
            model = Name,
            model_version = "1",
            timestamp = Iso(ts),
            features = new { x, c },
            prediction = new { score, label = score >= 0.5 ? 1 : 0 },
        });
        byte[] labelEvent = JsonSerializer.SerializeToUtf8Bytes(new { event_id = id, timestamp = Iso(ts.AddSeconds(1)), label });
        return new ShopEvent(window, id, ts, prediction, labelEvent);
    }

    private static (double X, string C, double Score, int Label) Draw(Random random, bool drift)
    {
        double u1 = 1 - random.NextDouble();
        double u2 = random.NextDouble();
        double x = Math.Round((drift ? 1.5 : 0) + (Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2)), 4);
        double[] weights = drift ? Drifted : Normal;
        double u = random.NextDouble();
        string c = Categories[^1];
        for (int i = 0; i < weights.Length; i++)
        {
            u -= weights[i];
            if (u < 0)
            {
                c = Categories[i];
                break;
            }
        }

        double score = Math.Round(1 / (1 + Math.Exp(-((1.5 * x) + (c == "a" ? 0.5 : 0) - 0.3))), 4);
        int label = random.NextDouble() < score ? 1 : 0;
        return (x, c, score, label);
    }

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
