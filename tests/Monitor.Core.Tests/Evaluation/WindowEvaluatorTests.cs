using Monitor.Core.Accumulators;
using Monitor.Core.Drift;
using Monitor.Core.Drift.Numeric;
using Monitor.Core.Evaluation;
using Monitor.Core.Sketches;
using Monitor.Core.Statistics;
using Monitor.Core.Windows;

namespace Monitor.Core.Tests.Evaluation;

public sealed class WindowEvaluatorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 6, 0, 0, TimeSpan.Zero);
    private static readonly DriftTestRegistry Registry = DriftTestRegistry.Default;
    private static readonly double[] Reference = Normals(new Random(11), 400);

    [Theory]
    [InlineData(0.05, Severity.None)]
    [InlineData(0.3, Severity.Warning)]
    [InlineData(0.8, Severity.Critical)]
    public void Evaluate_DistanceTest_SeverityByTier(double shift, Severity expected)
    {
        var plan = Plan([Numeric("x", 0, Reference, new TestPlan(Test("wasserstein"), 0.1, 0.5))]);

        var report = new WindowEvaluator(plan).Evaluate(Window([Current(Shifted(Reference, shift))]));

        var outcome = Assert.Single(Assert.Single(report.Features).Tests);
        Assert.Equal("wasserstein", outcome.Test);
        Assert.Equal(shift, outcome.Statistic, 1e-12);
        Assert.Equal(0.1, outcome.Warning);
        Assert.Equal(0.5, outcome.Critical);
        Assert.Equal(expected, outcome.Severity);
        Assert.Equal(EstimateMode.Exact, outcome.Mode);
        Assert.Null(outcome.Bound);
    }

    [Fact]
    public void Evaluate_ThresholdsLeftOut_BothAreTheTestDefault()
    {
        var plan = Plan([
            Numeric("x", 0, Reference, new TestPlan(Test("wasserstein"), null, null)),
            Numeric("y", 1, Reference, new TestPlan(Test("wasserstein"), 0.05, null)),
        ]);

        var report = new WindowEvaluator(plan).Evaluate(Window([Current(Shifted(Reference, 0.08)), Current(Shifted(Reference, 0.08))]));

        var x = Assert.Single(report.Features[0].Tests);
        Assert.Equal(0.1, x.Warning);
        Assert.Equal(0.1, x.Critical);
        Assert.Equal(Severity.None, x.Severity);
        var y = Assert.Single(report.Features[1].Tests);
        Assert.Equal(0.05, y.Warning);
        Assert.Equal(0.1, y.Critical);
        Assert.Equal(Severity.Warning, y.Severity);
    }

    [Fact]
    public void Evaluate_PValueTest_SeverityByTierAndDefaults()
    {
        double none = ShiftWithKsP(p => p > 0.2);
        double warning = ShiftWithKsP(p => p is > 0.015 and < 0.045);
        double critical = ShiftWithKsP(p => p < 0.005);
        var ks = Test("ks");
        var plan = Plan([
            Numeric("a", 0, Reference, new TestPlan(ks, 0.05, 0.01)),
            Numeric("b", 1, Reference, new TestPlan(ks, 0.05, 0.01)),
            Numeric("c", 2, Reference, new TestPlan(ks, 0.05, 0.01)),
            Numeric("d", 3, Reference, new TestPlan(ks, null, null)),
        ]);

        var report = new WindowEvaluator(plan).Evaluate(Window([
            Current(Shifted(Reference, none)), Current(Shifted(Reference, warning)), Current(Shifted(Reference, critical)), Current(Shifted(Reference, warning)),
        ]));

        Assert.Equal([Severity.None, Severity.Warning, Severity.Critical, Severity.Critical], report.Features.Select(f => f.Tests[0].Severity));
        var d = report.Features[3].Tests[0];
        Assert.Equal(0.05, d.Warning);
        Assert.Equal(0.05, d.Critical);
        Assert.Equal(ThresholdKind.PValueBelow, d.ThresholdKind);
        Assert.All(report.Features, f => Assert.Null(f.Tests[0].AdjustedPValue));
    }

    [Theory]
    [InlineData(Correction.Bonferroni)]
    [InlineData(Correction.BenjaminiHochberg)]
    public void Evaluate_Correction_AdjustsFeaturePValuesAsMultipleTestingAndDecidesOnThem(Correction correction)
    {
        double[] shifts = [ShiftWithKsP(p => p < 0.004), ShiftWithKsP(p => p is > 0.012 and < 0.02), ShiftWithKsP(p => p is > 0.038 and < 0.048), ShiftWithKsP(p => p > 0.3)];
        var ks = Test("ks");
        var numeric = shifts.Select((_, i) => Numeric("f" + i, i, Reference, new TestPlan(ks, 0.05, 0.01))).ToList();
        numeric.Add(Numeric("prediction", shifts.Length, Reference, new TestPlan(ks, 0.05, 0.01)) with { Role = StreamRole.Prediction });
        var window = Window([.. shifts.Select(s => Current(Shifted(Reference, s))), Current(Shifted(Reference, shifts[2]))]);

        var raw = new WindowEvaluator(Plan(numeric)).Evaluate(window);
        var corrected = new WindowEvaluator(Plan(numeric, correction: correction)).Evaluate(window);

        double[] p = [.. raw.Features.Take(shifts.Length).Select(f => f.Tests[0].PValue!.Value)];
        var expected = new double[p.Length];
        if (correction == Correction.Bonferroni)
        {
            MultipleTesting.Bonferroni(p, expected);
        }
        else
        {
            MultipleTesting.BenjaminiHochberg(p, expected);
        }

        for (int i = 0; i < p.Length; i++)
        {
            var t = corrected.Features[i].Tests[0];
            Assert.Equal(p[i], t.PValue);
            Assert.Equal(expected[i], t.AdjustedPValue);
            Assert.Equal(Tier(expected[i], 0.05, 0.01), t.Severity);
        }

        // The raw decisions differ: the correction changed at least one feature's severity.
        Assert.NotEqual(raw.Features.Take(p.Length).Select(f => f.Tests[0].Severity), corrected.Features.Take(p.Length).Select(f => f.Tests[0].Severity));
        Assert.Equal(Severity.Warning, raw.Features[2].Tests[0].Severity);
        Assert.Equal(Severity.None, corrected.Features[2].Tests[0].Severity);

        // The prediction is judged on its own: raw p-value, no adjustment.
        var prediction = corrected.Features[^1].Tests[0];
        Assert.Null(prediction.AdjustedPValue);
        Assert.Equal(Severity.Warning, prediction.Severity);
        Assert.Equal(correction == Correction.Bonferroni ? "bonferroni" : "bh", corrected.Dataset!.Correction);
    }

    [Theory]
    [InlineData(0, 0.3, 0.5, Severity.None)]
    [InlineData(1, 0.3, 0.5, Severity.None)]
    [InlineData(1, 0.25, 0.5, Severity.Warning)]
    [InlineData(2, 0.3, 0.5, Severity.Critical)]
    [InlineData(3, 0.3, 0.8, Severity.Warning)]
    public void Evaluate_DatasetDrift_ShareOfDriftedFeaturesAndSeverity(int drifted, double warningShare, double criticalShare, Severity expected)
    {
        var w = Test("wasserstein");
        var numeric = Enumerable.Range(0, 4).Select(i => Numeric("f" + i, i, Reference, new TestPlan(w, 0.1, 0.5))).ToList();
        numeric.Add(Numeric("prediction", 4, Reference, new TestPlan(w, 0.1, 0.5)) with { Role = StreamRole.Prediction });
        var currents = Enumerable.Range(0, 4).Select(i => Current(Shifted(Reference, i < drifted ? 0.3 : 0))).ToList();
        currents.Add(Current(Shifted(Reference, 1)));

        var report = new WindowEvaluator(Plan(numeric, warningShare: warningShare, criticalShare: criticalShare)).Evaluate(Window([.. currents]));

        var dataset = report.Dataset!;
        Assert.Equal(4, dataset.Features);
        Assert.Equal(drifted, dataset.Drifted);
        Assert.Equal(drifted / 4.0, dataset.Share);
        Assert.Equal(expected, dataset.Severity);
        Assert.Equal(warningShare, dataset.WarningShare);
        Assert.Equal(criticalShare, dataset.CriticalShare);
    }

    [Fact]
    public void Evaluate_DatasetDrift_FeaturesWithoutValuesAreNotJudged()
    {
        var w = Test("wasserstein");
        var plan = Plan([Numeric("a", 0, Reference, new TestPlan(w, 0.1, 0.5)), Numeric("b", 1, Reference, new TestPlan(w, 0.1, 0.5))]);
        var empty = new NumericAccumulator(NumericAccumulatorOptions.Exact, null);
        empty.AddMissing();

        var report = new WindowEvaluator(plan).Evaluate(Window([Current(Shifted(Reference, 0.3)), empty]));

        Assert.Empty(report.Features[1].Tests);
        Assert.Equal(1, report.Dataset!.Features);
        Assert.Equal(1.0, report.Dataset.Share);
    }

    [Fact]
    public void Evaluate_SketchModeWindow_BinnedTestsExactKsWithBound()
    {
        var rng = new Random(21);
        double[] reference = Normals(rng, 3000);
        double[] current = Shifted(Normals(rng, 5000), 0.2);
        var referenceSample = NumericSample.FromValues(reference);
        var bins = QuantileBins.FromReference(referenceSample);
        long[] referenceCounts = bins.Count(referenceSample);
        var options = new NumericAccumulatorOptions { ExactLimit = 64, SketchK = 16 };
        var window = new NumericAccumulator(options, bins);
        foreach (double v in current)
        {
            window.Add(v);
        }

        Assert.False(window.IsExact);
        var plan = Plan([new NumericPlan("x", StreamRole.Feature, 0, referenceSample, referenceCounts,
            [new TestPlan(Test("psi"), 0.1, 0.25), new TestPlan(Test("jensenshannon"), null, null), new TestPlan(Test("ks"), 0.05, 0.01)], new QualityPlan())]);

        var report = new WindowEvaluator(plan).Evaluate(Window([window]));

        var feature = Assert.Single(report.Features);
        Assert.Equal(EstimateMode.Sketch, feature.Mode);
        long[] trueCounts = bins.Count(NumericSample.FromValues(current));
        Assert.Equal(trueCounts, window.BinCounts.ToArray());
        var psi = feature.Tests[0];
        Assert.Equal(EstimateMode.Exact, psi.Mode);
        Assert.Equal(Psi.FromCounts(referenceCounts, trueCounts), psi.Statistic);
        Assert.Null(psi.Bound);
        Assert.Equal(EstimateMode.Exact, feature.Tests[1].Mode);
        var ks = feature.Tests[2];
        Assert.Equal(EstimateMode.Sketch, ks.Mode);
        Assert.Equal(0 + KllSketch.SupRankErrorBound(16), ks.Bound);
        Assert.Equal(5000, ks.CurrentCount);
        double exactD = KolmogorovSmirnov.Statistic(referenceSample, NumericSample.FromValues(current));
        Assert.InRange(Math.Abs(ks.Statistic - exactD), 0, ks.Bound!.Value);
    }

    [Fact]
    public void Evaluate_SketchReferenceAndWindow_KsBoundIsSumOfBothRankErrors()
    {
        var rng = new Random(22);
        var referenceSketch = new KllSketch(200);
        foreach (double v in Normals(rng, 50_000))
        {
            referenceSketch.Update(v);
        }

        var referenceSample = referenceSketch.ToSample();
        var options = new NumericAccumulatorOptions { ExactLimit = 64, SketchK = 16 };
        var window = new NumericAccumulator(options, null);
        foreach (double v in Normals(rng, 2000))
        {
            window.Add(v);
        }

        var plan = Plan([new NumericPlan("x", StreamRole.Feature, 0, referenceSample, null, [new TestPlan(Test("ks"), null, null), new TestPlan(Test("psi"), null, null)], new QualityPlan())]);

        var report = new WindowEvaluator(plan).Evaluate(Window([window]));

        var ks = report.Features[0].Tests[0];
        Assert.Equal(EstimateMode.Sketch, ks.Mode);
        Assert.Equal(KllSketch.SupRankErrorBound(200) + KllSketch.SupRankErrorBound(16), ks.Bound!.Value, 15);
        Assert.Equal(referenceSketch.Count, ks.ReferenceCount);

        // Without persisted bin counts a binned test runs on the samples and says so.
        var psi = report.Features[0].Tests[1];
        Assert.Equal(EstimateMode.Sketch, psi.Mode);
        Assert.Null(psi.Bound);
    }

    [Fact]
    public void Evaluate_NumericQuality_SharesAgainstLimits()
    {
        var options = new NumericAccumulatorOptions { RangeMin = 0, RangeMax = 10 };
        var acc = new NumericAccumulator(options, null);
        foreach (double v in new double[] { 1, 2, 3, 4, 5, -1, 11 })
        {
            acc.Add(v);
        }

        acc.AddMissing();
        acc.AddMissing();
        acc.AddTypeError();
        var plan = Plan([Numeric("x", 0, Reference, new TestPlan(Test("wasserstein"), 100, 100)) with
        {
            Quality = new QualityPlan(MaxMissingShare: 0.1, MaxTypeErrorShare: 0.2, MaxOutOfRangeShare: 0),
        }]);

        var report = new WindowEvaluator(plan).Evaluate(Window([acc]));

        var q = report.Features[0].Quality.ToDictionary(c => c.Check);
        Assert.Equal(0.2, q["missing_share"].Value);
        Assert.Equal(Severity.Warning, q["missing_share"].Severity);
        Assert.Equal(0.1, q["type_error_share"].Value);
        Assert.Equal(Severity.None, q["type_error_share"].Severity);
        Assert.Equal(2.0 / 7, q["out_of_range_share"].Value);
        Assert.Equal(0, q["out_of_range_share"].Limit);
        Assert.Equal(Severity.Warning, q["out_of_range_share"].Severity);
        Assert.Equal(Severity.Warning, report.Features[0].Severity);
        Assert.Equal(2, report.Features[0].OutOfRange);
    }

    [Theory]
    [InlineData(0.01, Severity.Warning)]
    [InlineData(0.2, Severity.None)]
    [InlineData(null, Severity.None)]
    public void Evaluate_CategoricalUnseenShare_AgainstLimit(double? limit, Severity expected)
    {
        var acc = new CategoricalAccumulator(new HashSet<string>(StringComparer.Ordinal) { "A", "B" }, 10);
        for (int i = 0; i < 9; i++)
        {
            acc.Add(i % 2 == 0 ? "A" : "B");
        }

        acc.Add("C");
        var reference = CategoricalDistribution.FromCounts([new("A", 50), new("B", 50)]);
        var plan = Plan([], [new CategoricalPlan("c", StreamRole.Feature, 0, reference, [new TestPlan(null, null, null)], new QualityPlan(MaxUnseenShare: limit))]);

        var report = new WindowEvaluator(plan).Evaluate(Window([], [acc]));

        var feature = Assert.Single(report.Features);
        var unseen = feature.Quality.Single(c => c.Check == "unseen_share");
        Assert.Equal(0.1, unseen.Value);
        Assert.Equal(limit, unseen.Limit);
        Assert.Equal(expected, unseen.Severity);
        Assert.Equal(1, feature.Unseen);

        // Small samples and a reference with two categories: the registry's default is the z-test (chosen by the
        // reference's categories, so the unseen one does not switch it to chi-square).
        Assert.Equal("ztest", Assert.Single(feature.Tests).Test);
    }

    [Fact]
    public void Evaluate_BinaryFloors_FloorsCeilingsAndCoverage()
    {
        var perf = Binary([1, 1, 0, 0], [0.9, 0.4, 0.6, 0.1]);
        var plan = Plan([], performance: new PerformancePlan(PerformanceKind.Binary, MinLabels: 4,
        [
            new FloorPlan("roc_auc", true, 0.8, 0.7),
            new FloorPlan("accuracy", true, 0.9, 0.8),
            new FloorPlan("brier", false, 0.1, 0.5),
            new FloorPlan("log_loss", false, 1, 2),
            new FloorPlan("label_coverage", true, 0.6, null),
        ], new Dictionary<string, double?> { ["roc_auc"] = 0.95 }));

        var report = new WindowEvaluator(plan).Evaluate(Window([], [], perf, events: 8));

        var p = report.Performance!;
        Assert.True(p.Judged);
        Assert.True(p.Exact);
        Assert.Equal(4, p.Labelled);
        Assert.Equal(0.5, p.Coverage);
        Assert.Equal(0.5, p.Metrics["label_coverage"]);
        var floors = p.Floors.ToDictionary(f => f.Metric);
        Assert.Equal(0.75, floors["roc_auc"].Value);
        Assert.Equal(0.95, floors["roc_auc"].Baseline);
        Assert.Equal(Severity.Warning, floors["roc_auc"].Severity);
        Assert.Equal(0.5, floors["accuracy"].Value);
        Assert.Equal(Severity.Critical, floors["accuracy"].Severity);
        Assert.Equal(Severity.Warning, floors["brier"].Severity);
        Assert.Equal(Severity.None, floors["log_loss"].Severity);
        Assert.Equal(Severity.Warning, floors["label_coverage"].Severity);
        Assert.Equal(Severity.Critical, p.Severity);
        Assert.Equal(Severity.Critical, report.Severity);

        var expected = new Dictionary<string, double?>();
        MetricSet.Into(expected, perf);
        foreach (var (name, value) in expected)
        {
            Assert.Equal(value, p.Metrics[name]);
        }
    }

    [Fact]
    public void Evaluate_FewerLabelsThanMinLabels_MetricsReportedFloorsNotJudged()
    {
        var perf = Binary([1, 1, 0, 0], [0.9, 0.4, 0.6, 0.1]);
        var plan = Plan([], performance: new PerformancePlan(PerformanceKind.Binary, MinLabels: 5,
            [new FloorPlan("roc_auc", true, 0.8, 0.7)], new Dictionary<string, double?>()));

        var report = new WindowEvaluator(plan).Evaluate(Window([], [], perf, events: 4));

        var p = report.Performance!;
        Assert.False(p.Judged);
        Assert.Equal(0.75, p.Metrics["roc_auc"]);
        Assert.Equal(Severity.None, Assert.Single(p.Floors).Severity);
        Assert.Equal(0.75, p.Floors[0].Value);
    }

    [Fact]
    public void Evaluate_RegressionBiasCeiling_JudgesTheAbsoluteBias()
    {
        var perf = new PerformanceAccumulator(PerformanceKind.Regression, 100);
        perf.Add(3, 2);
        perf.Add(4, 3);
        perf.Add(5, 4);
        var plan = Plan([], performance: new PerformancePlan(PerformanceKind.Regression, MinLabels: 1,
            [new FloorPlan("bias", false, 0.5, 2), new FloorPlan("r2", true, 0.9, 0.0), new FloorPlan("mae", false, 0.5, 1)], new Dictionary<string, double?>()));

        var report = new WindowEvaluator(plan).Evaluate(Window([], [], perf, events: 3));

        var p = report.Performance!;
        Assert.Equal(-1, p.Metrics["bias"]);
        var floors = p.Floors.ToDictionary(f => f.Metric);
        Assert.Equal(1, floors["bias"].Value);
        Assert.Equal(Severity.Warning, floors["bias"].Severity);
        Assert.Equal(Severity.Warning, floors["mae"].Severity);
        Assert.Equal(-0.5, floors["r2"].Value!.Value, 12);
        Assert.Equal(Severity.Critical, floors["r2"].Severity);
    }

    [Fact]
    public void Evaluate_BackfillRevision_CarriesPerformanceOnly()
    {
        var perf = Binary([1, 0], [0.8, 0.3]);
        var plan = Plan([Numeric("x", 0, Reference, new TestPlan(Test("ks"), null, null))],
            performance: new PerformancePlan(PerformanceKind.Binary, 1, [new FloorPlan("roc_auc", true, 0.8, 0.7)], new Dictionary<string, double?>()));
        var snapshot = new WindowSnapshot("m", new TimeRange(T0, T0.AddHours(1)), final: true, revision: 2, events: 10, numeric: null, categorical: null, perf);

        var report = new WindowEvaluator(plan).Evaluate(snapshot, "7");

        Assert.Equal(2, report.Revision);
        Assert.True(report.Final);
        Assert.Empty(report.Features);
        Assert.Null(report.Dataset);
        Assert.Equal(2, report.Performance!.Labelled);
        Assert.Equal(0.2, report.Performance.Coverage);
        Assert.Equal("7", report.ModelVersion);
        Assert.Equal("base-1", report.BaselineId);
    }

    [Fact]
    public void Evaluate_Distributions_SharesSumToOneForBinsAndCategories()
    {
        var rng = new Random(31);
        var referenceSample = NumericSample.FromValues(Reference);
        var bins = QuantileBins.FromReference(referenceSample);
        var numeric = new NumericAccumulator(NumericAccumulatorOptions.Exact, bins);
        foreach (double v in Shifted(Normals(rng, 777), 0.4))
        {
            numeric.Add(v);
        }

        var referenceCounts = Enumerable.Range(0, 15).Select(i => new KeyValuePair<string, long>("c" + i, 10 + (3 * i))).ToList();
        var categorical = new CategoricalAccumulator(referenceCounts.Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal), 100);
        for (int i = 0; i < 1000; i++)
        {
            categorical.Add("c" + rng.Next(0, 18));
        }

        var plan = Plan(
            [new NumericPlan("x", StreamRole.Feature, 0, referenceSample, bins.Count(referenceSample), [new TestPlan(Test("psi"), null, null)], new QualityPlan())],
            [new CategoricalPlan("c", StreamRole.Feature, 0, CategoricalDistribution.FromCounts(referenceCounts), [new TestPlan(null, null, null)], new QualityPlan())]);

        var report = new WindowEvaluator(plan).Evaluate(Window([numeric], [categorical]));

        var bin = report.Features[0].Distribution!;
        Assert.Equal(bins.BinCount, bin.Labels.Count);
        Assert.Equal(1, bin.Reference.Sum(), 12);
        Assert.Equal(1, bin.Current.Sum(), 12);
        Assert.StartsWith("(-inf, ", bin.Labels[0], StringComparison.Ordinal);
        Assert.EndsWith(", +inf)", bin.Labels[^1], StringComparison.Ordinal);
        var cat = report.Features[1].Distribution!;
        Assert.Equal(FeatureDistribution.MaxCategories + 1, cat.Labels.Count);
        Assert.Equal(CategoricalDistribution.OtherCategory, cat.Labels[^1]);
        Assert.Equal(1, cat.Reference.Sum(), 12);
        Assert.Equal(1, cat.Current.Sum(), 12);
    }

    [Fact]
    public void Evaluate_LargeExactWindowJudgedInParallel_SameReportAsOneByOne()
    {
        var rng = new Random(17);
        var reference = Normals(rng, 30_000);
        TestPlan[] tests = [new TestPlan(Test("ks"), 0.05, 0.01), new TestPlan(Test("wasserstein_norm"), 0.1, 0.2), new TestPlan(Test("anderson"), 0.05, 0.01)];
        var numeric = Enumerable.Range(0, 6).Select(i => Numeric("f" + i, i, reference, tests)).ToList();
        var window = Window([.. Enumerable.Range(0, 6).Select(i => Current(Shifted(Normals(rng, 50_000), i * 0.01)))]);
        var plan = Plan(numeric, correction: Correction.BenjaminiHochberg);

        var parallel = new WindowEvaluator(plan);
        var first = parallel.Evaluate(window);
        var again = parallel.Evaluate(window);
        var sequential = new WindowEvaluator(plan) { ParallelThreshold = long.MaxValue }.Evaluate(window);

        Assert.True(window.Numeric!.Sum(a => a.Count) >= WindowEvaluator.ParallelAbove);
        foreach (var report in new[] { first, again })
        {
            Assert.Equal(sequential.Features.Select(f => f.Feature), report.Features.Select(f => f.Feature));
            for (int f = 0; f < sequential.Features.Count; f++)
            {
                for (int t = 0; t < tests.Length; t++)
                {
                    var expected = sequential.Features[f].Tests[t];
                    var actual = report.Features[f].Tests[t];
                    Assert.Equal(expected.Statistic, actual.Statistic);
                    Assert.Equal(expected.PValue, actual.PValue);
                    Assert.Equal(expected.AdjustedPValue, actual.AdjustedPValue);
                    Assert.Equal(expected.Severity, actual.Severity);
                }
            }

            Assert.Equal(sequential.Dataset!.Drifted, report.Dataset!.Drifted);
        }
    }

    internal static INumericDriftTest Test(string name) =>
        Registry.TryGetNumeric(name, out var test) ? test : throw new ArgumentException(name);

    internal static NumericPlan Numeric(string name, int index, double[] reference, params TestPlan[] tests) =>
        new(name, StreamRole.Feature, index, NumericSample.FromValues(reference), null, tests, new QualityPlan());

    internal static EvaluationPlan Plan(
        IReadOnlyList<NumericPlan> numeric,
        IReadOnlyList<CategoricalPlan>? categorical = null,
        Correction correction = Correction.None,
        double warningShare = 0.3,
        double criticalShare = 0.5,
        PerformancePlan? performance = null) =>
        new("m", "base-1", numeric, categorical ?? [], warningShare, criticalShare, correction, performance, Registry);

    internal static WindowSnapshot Window(NumericAccumulator[] numeric, CategoricalAccumulator[]? categorical = null, PerformanceAccumulator? performance = null, long events = 0) =>
        new("m", new TimeRange(T0, T0.AddHours(1)), final: true, revision: 0, events, numeric, categorical ?? [], performance);

    internal static NumericAccumulator Current(double[] values)
    {
        var acc = new NumericAccumulator(NumericAccumulatorOptions.Exact, null);
        foreach (double v in values)
        {
            acc.Add(v);
        }

        return acc;
    }

    internal static double[] Shifted(double[] values, double shift) => Array.ConvertAll(values, v => v + shift);

    internal static double[] Normals(Random rng, int n)
    {
        var values = new double[n];
        for (int i = 0; i < n; i++)
        {
            double u1 = 1 - rng.NextDouble();
            double u2 = rng.NextDouble();
            values[i] = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }

        return values;
    }

    private static PerformanceAccumulator Binary(double[] truth, double[] scores)
    {
        var acc = new PerformanceAccumulator(PerformanceKind.Binary, 1000);
        for (int i = 0; i < truth.Length; i++)
        {
            acc.Add(truth[i], scores[i]);
        }

        return acc;
    }

    private static Severity Tier(double p, double warning, double critical) =>
        p < critical ? Severity.Critical : p < warning ? Severity.Warning : Severity.None;

    /// <summary>The smallest shift (in steps of 0.005) of <see cref="Reference"/> whose KS p-value against it satisfies <paramref name="accept"/>.</summary>
    private static double ShiftWithKsP(Func<double, bool> accept)
    {
        var detector = new KsTest().Fit(NumericSample.FromValues(Reference));
        for (int i = 0; i < 400; i++)
        {
            double shift = i * 0.005;
            double p = detector.Evaluate(NumericSample.FromValues(Shifted(Reference, shift)), 0.05).PValue!.Value;
            if (accept(p))
            {
                return shift;
            }
        }

        throw new InvalidOperationException("No shift gives such a p-value.");
    }
}
