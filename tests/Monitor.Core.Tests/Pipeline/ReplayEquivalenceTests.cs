using Monitor.Core.Drift;
using Monitor.Core.Drift.Numeric;
using Monitor.Core.Ingest;
using Monitor.Core.Pipeline;
using Monitor.Core.Tests.Baselines;
using Monitor.Core.Tests.Support;

namespace Monitor.Core.Tests.Pipeline;

/// <summary>
/// A window replayed through the pipeline in exact mode reports the same statistics, bit for bit, as the
/// statistics core run directly on the same arrays.
/// </summary>
public sealed class ReplayEquivalenceTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 6, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Evaluate_ExactReplay_KsPsiWassersteinEqualTheCoreOnTheSameArrays()
    {
        var reference = BaselineBuilderTests.Rows(new Random(8), 700);
        var baseline = BaselineBuilderTests.Build(reference, exactLimit: 100);
        Assert.Equal(EstimateMode.Sketch, baseline.Numeric["amount"].Mode);
        var exactBaseline = BaselineBuilderTests.Build(reference, exactLimit: 10_000);
        var model = CompiledModel.Compile(BaselineBuilderTests.Rules(exactLimit: 100), exactBaseline, DriftTestRegistry.Default, forceExact: true);
        var pipeline = new ModelPipeline(model);
        var rng = new Random(9);
        var amounts = new List<double>();
        var scores = new List<double>();
        for (int i = 0; i < 900; i++)
        {
            double amount = Math.Round(Math.Exp(3.2 + (rng.NextDouble() * 2)), 2);
            double score = Math.Round(rng.NextDouble() * 0.9, 4);
            amounts.Add(amount);
            scores.Add(score);
            var json = new PredictionEventBuilder().WithId("e" + i).At(T0.AddSeconds(i * 3)).With("amount", amount).With("country", "DE").Scored(score).Build();
            Assert.Equal(DecodeOutcome.Ok, pipeline.OnPrediction(json));
        }

        pipeline.AdvanceWatermark(T0.AddHours(2));
        var report = Assert.Single(pipeline.Evaluate());

        Assert.Equal(900, report.Events);
        var referenceSample = NumericSample.FromValues(reference.Amounts.ToArray());
        var current = NumericSample.FromValues(amounts.ToArray());
        var feature = report.Features.Single(f => f.Feature == "amount");
        Assert.Equal(EstimateMode.Exact, feature.Mode);
        var tests = feature.Tests.ToDictionary(t => t.Test);

        var ks = new KsTest().Fit(referenceSample).Evaluate(current, 0.05);
        Assert.Equal(ks.Statistic, tests["ks"].Statistic);
        Assert.Equal(ks.PValue, tests["ks"].PValue);
        Assert.Equal(EstimateMode.Exact, tests["ks"].Mode);

        var psi = new PsiTest().Fit(referenceSample).Evaluate(current, 0.2);
        Assert.Equal(psi.Statistic, tests["psi"].Statistic);

        var wasserstein = new WassersteinTest().Fit(referenceSample).Evaluate(current, 1);
        Assert.Equal(wasserstein.Statistic, tests["wasserstein"].Statistic);
        Assert.True(tests["wasserstein"].Drifted);

        // The prediction channel (scores, default test for these sizes) likewise.
        var prediction = report.Features.Single(f => f.Feature == CompiledModel.PredictionChannel);
        var scoreReference = NumericSample.FromValues(reference.Pairs.Select(p => p.Score).ToArray());
        var expected = DriftTestRegistry.Default.DefaultNumeric(scoreReference.Count, scores.Count).Fit(scoreReference).Evaluate(NumericSample.FromValues(scores.ToArray()), 0.05);
        var outcome = Assert.Single(prediction.Tests);
        Assert.Equal(expected.Test, outcome.Test);
        Assert.Equal(expected.Statistic, outcome.Statistic);
        Assert.Equal(expected.PValue, outcome.PValue);
    }

    [Fact]
    public void Evaluate_SameMessagesTwice_SameReports()
    {
        var baseline = BaselineBuilderTests.Build(BaselineBuilderTests.Rows(new Random(10), 400), exactLimit: 10_000);
        var model = CompiledModel.Compile(BaselineBuilderTests.Rules(exactLimit: 64), baseline, DriftTestRegistry.Default);

        Assert.Equal(Run(model), Run(model));
    }

    [Fact]
    public void OnLabel_AfterWindowClosed_BackfillReportCarriesPerformanceOnly()
    {
        var baseline = BaselineBuilderTests.Build(BaselineBuilderTests.Rows(new Random(12), 400), exactLimit: 10_000);
        var model = CompiledModel.Compile(BaselineBuilderTests.Rules(exactLimit: 10_000), baseline, DriftTestRegistry.Default);
        var pipeline = new ModelPipeline(model);
        pipeline.OnPrediction(new PredictionEventBuilder().WithId("a").At(T0.AddMinutes(1)).With("amount", 50.0).With("country", "DE").Scored(0.9).Build());
        pipeline.OnPrediction(new PredictionEventBuilder().WithId("b").At(T0.AddMinutes(2)).With("amount", 60.0).With("country", "FR").Scored(0.2).Build());
        pipeline.AdvanceWatermark(T0.AddHours(2));
        var first = Assert.Single(pipeline.Evaluate());
        Assert.Equal(0, first.Revision);
        Assert.NotEmpty(first.Features);

        Assert.Equal(DecodeOutcome.Ok, pipeline.OnLabel(Label("a", "1")));
        Assert.Equal(DecodeOutcome.Ok, pipeline.OnLabel(Label("b", "false")));
        var reports = pipeline.Evaluate();

        var backfill = reports[^1];
        Assert.Equal(first.Window, backfill.Window);
        Assert.True(backfill.Revision > 0);
        Assert.Empty(backfill.Features);
        Assert.Null(backfill.Dataset);
        Assert.Equal(2, backfill.Performance!.Labelled);
        Assert.Equal(1.0, backfill.Performance.Metrics["roc_auc"]);
    }

    private static byte[] Label(string id, string label) => System.Text.Encoding.UTF8.GetBytes(
        $"{{\"event_id\":\"{id}\",\"timestamp\":\"2026-11-28T08:30:00.000Z\",\"label\":\"{label}\"}}");

    private static string Run(CompiledModel model)
    {
        var pipeline = new ModelPipeline(model);
        var rng = new Random(13);
        for (int i = 0; i < 3000; i++)
        {
            var json = new PredictionEventBuilder().WithId("e" + i).At(T0.AddSeconds(i * 2)).With("amount", rng.NextDouble() * 100).With("country", "IT").Scored(rng.NextDouble()).Build();
            pipeline.OnPrediction(json);
        }

        pipeline.AdvanceWatermark(T0.AddHours(4));
        var reports = pipeline.Evaluate();
        Assert.NotEmpty(reports);
        return System.Text.Json.JsonSerializer.Serialize(reports);
    }
}
