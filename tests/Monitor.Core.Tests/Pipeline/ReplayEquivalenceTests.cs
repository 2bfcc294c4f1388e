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

    [Fact]
    public void ApplyPrediction_DecodedByItsOwnDecoders_SameReportsAndRejectionsAsOnPrediction()
    {
        // The ingest decodes on its consume thread with decoders of its own and applies on the processing task:
        // the same messages must give the same reports, counts and rejections, labels and failures included.
        var baseline = BaselineBuilderTests.Build(BaselineBuilderTests.Rows(new Random(14), 400), exactLimit: 10_000);
        var model = CompiledModel.Compile(BaselineBuilderTests.Rules(exactLimit: 64), baseline, DriftTestRegistry.Default);
        var direct = new ModelPipeline(model);
        var split = new ModelPipeline(model);
        var predictions = new EventDecoder(model.PredictionSchema);
        var labels = new EventDecoder(model.LabelSchema!);
        var buffers = new[] { predictions.CreateBuffer(), predictions.CreateBuffer() }; // alternated, as pooled buffers are
        var labelBuffer = labels.CreateBuffer();
        var rng = new Random(15);
        for (int i = 0; i < 2000; i++)
        {
            byte[] message = i % 97 == 5
                ? System.Text.Encoding.UTF8.GetBytes("{\"event_id\":\"x\",\"timestamp\":") // invalid: a dead letter
                : new PredictionEventBuilder().WithId("e" + i).At(T0.AddSeconds(i * 5)).With("amount", Math.Round(rng.NextDouble() * 100, 2))
                    .With("country", i % 3 == 0 ? "FR" : "DE").Scored(rng.NextDouble()).Build();
            var buffer = buffers[i % 2];
            Assert.Equal(direct.OnPrediction(message), split.ApplyPrediction(predictions.Decode(message, buffer), buffer));
            if (i % 4 == 0)
            {
                byte[] label = Label("e" + i, i % 8 == 0 ? "1" : "0");
                Assert.Equal(direct.OnLabel(label), split.ApplyLabel(labels.Decode(label, labelBuffer), labelBuffer));
            }
        }

        direct.AdvanceWatermark(T0.AddHours(6));
        split.AdvanceWatermark(T0.AddHours(6));
        var expected = direct.Evaluate();
        Assert.NotEmpty(expected);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(expected), System.Text.Json.JsonSerializer.Serialize(split.Evaluate()));
        Assert.Equal(direct.Rejected, split.Rejected);
        Assert.NotEmpty(split.Rejected);
        Assert.Equal(direct.Engine.LabelsJoined, split.Engine.LabelsJoined);
        Assert.True(split.Engine.LabelsJoined > 0);
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
