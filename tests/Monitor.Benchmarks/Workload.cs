using System.Globalization;
using System.Text;
using Monitor.Core.Accumulators;
using Monitor.Core.Drift.Numeric;
using Monitor.Core.Ingest;
using Monitor.Core.Windows;

namespace Monitor.Benchmarks;

/// <summary>
/// The benchmark traffic: events of about 600 bytes of JSON with 20 numeric and 5 categorical features and a
/// score, as in the performance targets. Deterministic for a seed.
/// </summary>
internal static class Workload
{
    public const int NumericFeatures = 20;
    public const int CategoricalFeatures = 5;
    private static readonly DateTimeOffset Start = new(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);
    private static readonly string[][] Categories =
    [
        ["DE", "FR", "GB", "ES", "IT", "NL", "PL", "SE"],
        ["ios", "android", "web", "pos"],
        ["grocery", "electronics", "travel", "fashion", "gaming", "fuel"],
        ["visa", "mastercard", "amex"],
        ["new", "returning", "vip"],
    ];

    public static byte[][] Events(int count, int seed = 7)
    {
        var random = new Random(seed);
        var events = new byte[count][];
        var sb = new StringBuilder(700);
        for (int i = 0; i < count; i++)
        {
            sb.Clear();
            sb.Append(CultureInfo.InvariantCulture, $"{{\"event_id\":\"ev-{i:D10}\",\"model\":\"bench\",\"model_version\":\"3\",\"timestamp\":\"{Start.AddMilliseconds(i * 10):yyyy-MM-ddTHH:mm:ss.fffZ}\",\"features\":{{");
            for (int f = 0; f < NumericFeatures; f++)
            {
                double v = Math.Round((random.NextDouble() * 100) + f, 4);
                sb.Append(CultureInfo.InvariantCulture, $"\"num_{f:D2}\":{v},");
            }

            for (int c = 0; c < CategoricalFeatures; c++)
            {
                var values = Categories[c];
                sb.Append(CultureInfo.InvariantCulture, $"\"cat_{c}\":\"{values[random.Next(values.Length)]}\"");
                sb.Append(c == CategoricalFeatures - 1 ? "}," : ",");
            }

            sb.Append(CultureInfo.InvariantCulture, $"\"prediction\":{{\"score\":{Math.Round(random.NextDouble(), 4)},\"label\":1}}}}");
            events[i] = Encoding.UTF8.GetBytes(sb.ToString());
        }

        return events;
    }

    public static EventSchema Schema()
    {
        // No labels are joined in the benchmark model, so event ids are not kept (as CompiledModel does).
        var schema = new EventSchema("bench", FieldPath.Parse("timestamp"), null, FieldPath.Parse("model"), FieldPath.Parse("model_version"), requireEventId: false);
        for (int f = 0; f < NumericFeatures; f++)
        {
            schema.AddNumeric(FieldPath.Parse($"features.num_{f:D2}"));
        }

        schema.AddNumeric(FieldPath.Parse("prediction.score"));
        for (int c = 0; c < CategoricalFeatures; c++)
        {
            schema.AddCategorical(FieldPath.Parse($"features.cat_{c}"));
        }

        return schema;
    }

    /// <summary>A layout over <see cref="Schema"/>: every slot a channel, PSI deciles of U(f, f+100) as bins.</summary>
    public static ModelLayout Layout(int exactLimit, TimeSpan window)
    {
        var options = new NumericAccumulatorOptions { ExactLimit = exactLimit };
        var numeric = new List<NumericChannel>();
        for (int f = 0; f <= NumericFeatures; f++)
        {
            double lo = f < NumericFeatures ? f : 0;
            double width = f < NumericFeatures ? 100 : 1;
            var bins = QuantileBins.FromEdges(Enumerable.Range(1, 9).Select(i => lo + (width * i / 10)).ToArray());
            numeric.Add(new NumericChannel(f < NumericFeatures ? $"num_{f:D2}" : "prediction", StreamRole.Feature, f, options, bins));
        }

        var categorical = new List<CategoricalChannel>();
        for (int c = 0; c < CategoricalFeatures; c++)
        {
            categorical.Add(new CategoricalChannel($"cat_{c}", StreamRole.Feature, c, new HashSet<string>(Categories[c], StringComparer.Ordinal), 1000));
        }

        return new ModelLayout("bench", new WindowSpec(window), numeric, categorical, null, -1, 1000, TimeSpan.Zero);
    }
}
