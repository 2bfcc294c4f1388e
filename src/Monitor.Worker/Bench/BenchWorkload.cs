using System.Globalization;
using System.Text;
using Monitor.Core.Baselines;
using Monitor.Core.Drift;
using Monitor.Core.Pipeline;
using Monitor.Core.Rules;

namespace Monitor.Worker.Bench;

/// <summary>
/// The load benchmark's traffic and model: events of about 600 bytes of JSON with numeric and categorical
/// features and a score (the shape of the performance targets), deterministic for a seed, and a hand-built
/// binary-classification model over exactly those fields with a baseline from a sample of the same traffic.
/// </summary>
internal sealed class BenchWorkload
{
    public const string ModelName = "bench";

    private static readonly string[][] Categories =
    [
        ["DE", "FR", "GB", "ES", "IT", "NL", "PL", "SE"],
        ["ios", "android", "web", "pos"],
        ["grocery", "electronics", "travel", "fashion", "gaming", "fuel"],
        ["visa", "mastercard", "amex"],
        ["new", "returning", "vip"],
    ];

    private readonly StringBuilder _text = new(800);

    /// <param name="numeric">Numeric features (num_00, num_01, ...), uniform on [f, f + 100).</param>
    /// <param name="categorical">Categorical features (cat_0, ...), uniform over a few values each.</param>
    /// <param name="start">Event time of the first event.</param>
    /// <param name="step">Event time between consecutive events.</param>
    public BenchWorkload(int numeric, int categorical, DateTimeOffset start, TimeSpan step)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numeric, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(categorical, 0);
        Numeric = numeric;
        Categorical = categorical;
        Start = start;
        Step = step;
    }

    public int Numeric { get; }

    public int Categorical { get; }

    public DateTimeOffset Start { get; }

    public TimeSpan Step { get; }

    /// <summary>The event time of event <paramref name="index"/>.</summary>
    public DateTimeOffset TimeOf(long index) => Start + (Step * index);

    /// <summary>Event <paramref name="index"/> as UTF-8 JSON; values drawn from <paramref name="random"/>.</summary>
    public byte[] Event(long index, Random random)
    {
        var c = CultureInfo.InvariantCulture;
        var sb = _text.Clear();
        sb.Append(c, $"{{\"event_id\":\"ev-{index:D10}\",\"model\":\"{ModelName}\",\"model_version\":\"3\",\"timestamp\":\"{TimeOf(index):yyyy-MM-ddTHH:mm:ss.fffZ}\",\"features\":{{");
        for (int f = 0; f < Numeric; f++)
        {
            double v = Math.Round((random.NextDouble() * 100) + f, 4);
            sb.Append(c, $"\"num_{f:D2}\":{v},");
        }

        for (int k = 0; k < Categorical; k++)
        {
            var values = Categories[k % Categories.Length];
            sb.Append(c, $"\"cat_{k}\":\"{values[random.Next(values.Length)]}\",");
        }

        if (sb[^1] == ',')
        {
            sb.Length--;
        }

        sb.Append(c, $"}},\"prediction\":{{\"score\":{Math.Round(random.NextDouble(), 4)},\"label\":\"{(random.Next(2) == 1 ? "1" : "0")}\"}}}}");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>
    /// The model: binary classification, every generated feature with the default drift test, prediction drift
    /// on the score, <paramref name="window"/> tumbling windows, default sketch settings, no labels.
    /// </summary>
    public ModelRules Rules(string topic, TimeSpan window, TimeSpan allowedLateness)
    {
        var features = new List<FeatureRule>(Numeric + Categorical);
        for (int f = 0; f < Numeric; f++)
        {
            features.Add(new FeatureRule { Name = string.Create(CultureInfo.InvariantCulture, $"num_{f:D2}"), Kind = FeatureKind.Numeric });
        }

        for (int k = 0; k < Categorical; k++)
        {
            features.Add(new FeatureRule { Name = string.Create(CultureInfo.InvariantCulture, $"cat_{k}"), Kind = FeatureKind.Categorical });
        }

        return new ModelRules
        {
            Name = ModelName,
            Version = "3",
            Task = ModelTask.BinaryClassification,
            Topics = new TopicRules { Predictions = topic },
            Features = features,
            Window = new WindowRule { Size = window, AllowedLateness = allowedLateness },
            Baseline = new BaselineRule { Kind = BaselineKind.File, Path = "bench-baseline.json" },
        };
    }

    /// <summary>A baseline profile from <paramref name="rows"/> events of the same distribution (another seed).</summary>
    public BaselineProfile Baseline(ModelRules rules, DriftTestRegistry registry, int rows, DateTimeOffset createdAt)
    {
        var builder = new BaselineBuilder(CompiledModel.Compile(rules, null, registry, modelFieldRequired: false), rules.Baseline?.PsiBins ?? 10);
        var random = new Random(20_261_128);
        var sample = new List<byte[]>(rows);
        for (int i = 0; i < rows; i++)
        {
            sample.Add(Event(i, random));
        }

        foreach (var row in sample)
        {
            builder.Add(row);
        }

        if (builder.NeedsSecondPass)
        {
            builder.BeginSecondPass();
            foreach (var row in sample)
            {
                builder.AddSecondPass(row);
            }
        }

        return builder.Build(new BaselineSource("generated", "bench traffic (seed 20261128)", null, rows), createdAt);
    }
}
