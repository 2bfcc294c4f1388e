using System.Globalization;
using System.Text;
using Monitor.Core.Accumulators;
using Monitor.Core.Baselines;
using Monitor.Core.Drift;
using Monitor.Core.Drift.Numeric;
using Monitor.Core.Evaluation;
using Monitor.Core.Pipeline;
using Monitor.Core.Rules;

namespace Monitor.Core.Tests.Baselines;

public sealed class BaselineBuilderTests
{
    private static readonly DateTimeOffset CreatedAt = new(2026, 11, 28, 7, 0, 0, TimeSpan.Zero);
    private static readonly string[] Countries = ["DE", "FR", "IT", "ES"];

    internal static ModelRules Rules(int exactLimit) => new()
    {
        Name = "fraud",
        Task = ModelTask.BinaryClassification,
        Topics = new TopicRules { Predictions = "fraud.predictions", Labels = "fraud.labels" },
        Features =
        [
            new FeatureRule
            {
                Name = "amount",
                Kind = FeatureKind.Numeric,
                Tests = [new DriftTestRule { Name = "ks" }, new DriftTestRule { Name = "psi" }, new DriftTestRule { Name = "wasserstein", Warning = 1, Critical = 2 }],
            },
            new FeatureRule { Name = "country", Kind = FeatureKind.Categorical },
        ],
        Window = new WindowRule { Size = TimeSpan.FromHours(1) },
        Sketch = new SketchRule { ExactLimit = exactLimit, KllK = 200 },
        Performance = new PerformanceRule { MinLabels = 1 },
    };

    [Fact]
    public void Build_ExactMode_BinCountsCategoriesAndPerformanceMatchTheData()
    {
        var data = Rows(new Random(1), 600);
        var builder = new BaselineBuilder(CompiledModel.Compile(Rules(exactLimit: 10_000), null, DriftTestRegistry.Default));
        foreach (var row in data.Rows)
        {
            builder.Add(row);
        }

        Assert.False(builder.NeedsSecondPass);
        var profile = builder.Build(new BaselineSource("file", "reference.jsonl", "0123456789abcdef", 0), CreatedAt);

        Assert.Equal(600, profile.Source.Rows);
        Assert.Equal("fraud-any-0123456789ab", profile.Id);
        var amount = profile.Numeric["amount"];
        Assert.Equal(EstimateMode.Exact, amount.Mode);
        var sample = NumericSample.FromValues(data.Amounts.ToArray());
        var bins = QuantileBins.FromReference(sample);
        Assert.Equal(bins.Edges.ToArray(), amount.BinEdges);
        Assert.Equal(bins.Count(sample), amount.BinCounts);
        Assert.Equal(data.Amounts.Count, amount.Count);
        Assert.Equal(data.Missing, amount.Missing);
        Assert.Equal(data.TypeErrors, amount.TypeErrors);
        Assert.Equal(sample.Values.ToArray(), amount.Values);
        Assert.Equal(sample.Mean, amount.Mean!.Value, 1e-12);
        Assert.Equal(sample.StandardDeviation, amount.Std!.Value, 1e-12);
        Assert.Equal(sample.Values[0], amount.Min);
        Assert.Equal(sample.Values[^1], amount.Max);

        var scores = NumericSample.FromValues(data.Pairs.Select(p => p.Score).ToArray());
        Assert.Equal(QuantileBins.FromReference(scores).Count(scores), profile.Numeric[BaselineProfile.PredictionChannel].BinCounts);

        AssertCategories(data, profile);
        AssertPerformance(data, profile);
    }

    [Theory]
    [InlineData(200, 16)]
    [InlineData(1000, 200)]
    public void Build_BeyondExactLimit_TwoPassesGiveExactBinCounts(int exactLimit, int k)
    {
        var data = Rows(new Random(exactLimit), 5000);
        var rules = Rules(exactLimit) with { Sketch = new SketchRule { ExactLimit = exactLimit, KllK = k } };
        var builder = new BaselineBuilder(CompiledModel.Compile(rules, null, DriftTestRegistry.Default), psiBins: 20);
        foreach (var row in data.Rows)
        {
            builder.Add(row);
        }

        Assert.True(builder.NeedsSecondPass);
        Assert.Throws<InvalidOperationException>(() => builder.Build(new BaselineSource("file", "r", null, 0), CreatedAt));
        builder.BeginSecondPass();
        foreach (var row in data.Rows)
        {
            builder.AddSecondPass(row);
        }

        var profile = builder.Build(new BaselineSource("file", "r", null, 0), CreatedAt);

        var amount = profile.Numeric["amount"];
        Assert.Equal(EstimateMode.Sketch, amount.Mode);
        Assert.Null(amount.Values);
        var sample = NumericSample.FromValues(data.Amounts.ToArray());
        var bins = QuantileBins.FromEdges(amount.BinEdges);
        Assert.InRange(bins.BinCount, 2, 20);
        Assert.Equal(bins.Count(sample), amount.BinCounts);
        Assert.Equal(data.Amounts.Count, amount.BinCounts.Sum());
        Assert.Equal(data.Amounts.Count, amount.Count);
        Assert.Equal(sample.Mean, amount.Mean!.Value, 1e-9);
        var reference = amount.ToSample();
        Assert.Equal(data.Amounts.Count, reference.Count);
        Assert.Equal(KllSketchBound(k), reference.RankError);

        var scores = NumericSample.FromValues(data.Pairs.Select(p => p.Score).ToArray());
        var prediction = profile.Numeric[BaselineProfile.PredictionChannel];
        Assert.Equal(QuantileBins.FromEdges(prediction.BinEdges).Count(scores), prediction.BinCounts);
        AssertCategories(data, profile);
        AssertPerformance(data, profile);
    }

    [Fact]
    public void SaveLoad_ExactAndSketchProfiles_RoundTripUnchanged()
    {
        foreach (int limit in new[] { 10_000, 100 })
        {
            var profile = Build(Rows(new Random(limit), 800), limit);
            using var first = new MemoryStream();
            profile.Save(first);
            first.Position = 0;

            var loaded = BaselineProfile.Load(first, "baselines/fraud.json");

            using var second = new MemoryStream();
            loaded.Save(second);
            Assert.Equal(first.ToArray(), second.ToArray());
            Assert.Equal(profile.Id, loaded.Id);
            Assert.Equal(profile.CreatedAt, loaded.CreatedAt);
            Assert.Equal(profile.Numeric["amount"].Mode, loaded.Numeric["amount"].Mode);
            Assert.Equal(profile.Numeric["amount"].ToSample().Values.ToArray(), loaded.Numeric["amount"].ToSample().Values.ToArray());
            Assert.Equal(profile.Categorical["country"].Counts, loaded.Categorical["country"].Counts);
            Assert.Equal(profile.Performance, loaded.Performance);
        }
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("")]
    [InlineData("[1, 2, 3]")]
    [InlineData("null")]
    public void Load_CorruptFile_ThrowsInvalidDataNamingTheFileAndTheFix(string text)
    {
        var ex = Assert.Throws<InvalidDataException>(() => Load(text));

        Assert.Contains("baselines/fraud.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Fix:", ex.Message, StringComparison.Ordinal);
        Assert.Contains("monitor baseline build", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_OldFormat_ThrowsInvalidDataNamingTheFormatAndTheFix()
    {
        string json = Json(Build(Rows(new Random(3), 50), 10_000)).Replace("\"format\": 1", "\"format\": 0", StringComparison.Ordinal);

        var ex = Assert.Throws<InvalidDataException>(() => Load(json));

        Assert.Contains("baselines/fraud.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains("format 0", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Fix:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BinCountsNotMatchingEdges_ThrowsInvalidDataNamingTheChannel()
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(Json(Build(Rows(new Random(4), 50), 10_000)))!;
        var counts = node["numeric"]!["amount"]!["bin_counts"]!.AsArray();
        int edges = node["numeric"]!["amount"]!["bin_edges"]!.AsArray().Count;
        counts.Add(7);
        string broken = node.ToJsonString();

        var ex = Assert.Throws<InvalidDataException>(() => Load(broken));

        Assert.Contains("baselines/fraud.json: numeric.amount", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"{edges + 2} bin counts for {edges} edges", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Fix:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_CorruptSketch_ThrowsInvalidDataNamingTheChannelAndTheFix()
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(Json(Build(Rows(new Random(5), 800), 100)))!;
        byte[] sketch = Convert.FromBase64String(node["numeric"]!["amount"]!["sketch"]!.GetValue<string>());
        sketch[sketch.Length / 2] ^= 0x40;
        node["numeric"]!["amount"]!["sketch"] = Convert.ToBase64String(sketch);

        var ex = Assert.Throws<InvalidDataException>(() => Load(node.ToJsonString()));

        Assert.Contains("baselines/fraud.json: numeric.amount", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Fix:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_EdgesNotAscending_ThrowsInvalidDataNamingTheChannelAndTheFix()
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(Json(Build(Rows(new Random(6), 300), 10_000)))!;
        var edges = node["numeric"]!["amount"]!["bin_edges"]!.AsArray();
        (edges[0], edges[1]) = (edges[1]!.DeepClone(), edges[0]!.DeepClone());

        var ex = Assert.Throws<InvalidDataException>(() => Load(node.ToJsonString()));

        Assert.Contains("baselines/fraud.json: numeric.amount", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ascending", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Fix:", ex.Message, StringComparison.Ordinal);
    }

    internal static BaselineProfile Build(Data data, int exactLimit)
    {
        var builder = new BaselineBuilder(CompiledModel.Compile(Rules(exactLimit), null, DriftTestRegistry.Default));
        foreach (var row in data.Rows)
        {
            builder.Add(row);
        }

        if (builder.NeedsSecondPass)
        {
            builder.BeginSecondPass();
            foreach (var row in data.Rows)
            {
                builder.AddSecondPass(row);
            }
        }

        return builder.Build(new BaselineSource("file", "reference.jsonl", "fedcba9876543210", 0), CreatedAt);
    }

    /// <summary>Reference rows in the event shape, with missing and wrongly typed amounts and string labels.</summary>
    internal static Data Rows(Random rng, int n)
    {
        var data = new Data();
        for (int i = 0; i < n; i++)
        {
            string amount;
            int kind = rng.Next(50);
            if (kind == 0)
            {
                amount = "null";
                data.Missing++;
            }
            else if (kind == 1)
            {
                amount = "\"12.5\"";
                data.TypeErrors++;
            }
            else
            {
                double v = Math.Round(Math.Exp(3 + rng.NextDouble() * 2), kind < 10 ? 0 : 3);
                data.Amounts.Add(v);
                amount = v.ToString("R", CultureInfo.InvariantCulture);
            }

            string country = Countries[Math.Min(rng.Next(6), 3)];
            data.CountryCounts[country] = data.CountryCounts.GetValueOrDefault(country) + 1;
            double score = Math.Round(rng.NextDouble(), 4);
            int label = rng.NextDouble() < score ? 1 : 0;
            string labelJson = rng.Next(4) == 0 ? (label == 1 ? "\"true\"" : "\"false\"") : label.ToString(CultureInfo.InvariantCulture);
            data.Pairs.Add((label, score));
            string scoreText = score.ToString("R", CultureInfo.InvariantCulture);
            data.Rows.Add(Encoding.UTF8.GetBytes(
                $"{{\"features\":{{\"amount\":{amount},\"country\":\"{country}\"}},\"prediction\":{{\"score\":{scoreText}}},\"label\":{labelJson}}}"));
        }

        return data;
    }

    private static double KllSketchBound(int k) => Monitor.Core.Sketches.KllSketch.SupRankErrorBound(k);

    private static void AssertCategories(Data data, BaselineProfile profile)
    {
        var country = profile.Categorical["country"];
        Assert.Equal(data.Rows.Count, country.Count);
        Assert.Equal(data.CountryCounts.OrderBy(kv => kv.Key, StringComparer.Ordinal), country.Counts.OrderBy(kv => kv.Key, StringComparer.Ordinal));
    }

    private static void AssertPerformance(Data data, BaselineProfile profile)
    {
        var pairs = new PerformanceAccumulator(PerformanceKind.Binary, int.MaxValue);
        foreach (var (label, score) in data.Pairs)
        {
            pairs.Add(label, score);
        }

        var expected = new Dictionary<string, double?>(StringComparer.Ordinal);
        MetricSet.Into(expected, pairs);
        Assert.NotEmpty(expected);
        Assert.Equal(expected.OrderBy(kv => kv.Key, StringComparer.Ordinal), profile.Performance!.OrderBy(kv => kv.Key, StringComparer.Ordinal));
    }

    private static string Json(BaselineProfile profile)
    {
        using var stream = new MemoryStream();
        profile.Save(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static BaselineProfile Load(string text) =>
        BaselineProfile.Load(new MemoryStream(Encoding.UTF8.GetBytes(text)), "baselines/fraud.json");

    internal sealed class Data
    {
        public List<byte[]> Rows { get; } = [];

        public List<double> Amounts { get; } = [];

        public List<(int Label, double Score)> Pairs { get; } = [];

        public Dictionary<string, long> CountryCounts { get; } = new(StringComparer.Ordinal);

        public long Missing { get; set; }

        public long TypeErrors { get; set; }
    }
}
