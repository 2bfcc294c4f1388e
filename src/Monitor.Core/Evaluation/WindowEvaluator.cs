using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Monitor.Core.Accumulators;
using Monitor.Core.Drift;
using Monitor.Core.Drift.Numeric;
using Monitor.Core.Statistics;
using Monitor.Core.Windows;

namespace Monitor.Core.Evaluation;

/// <summary>
/// Pure evaluation: baseline × window accumulators × rules → a <see cref="WindowReport"/>. Detectors are fitted
/// to the baseline once per plan and reused for every window. Windows holding many exact values are judged with
/// their features in parallel (the report is the same: features are independent until the p-value correction,
/// which runs after them in plan order).
/// </summary>
public sealed class WindowEvaluator
{
    private readonly EvaluationPlan _plan;
    /// <summary>Exact values in a window from which its features are judged in parallel (200,000).</summary>
    public const long ParallelAbove = 200_000;

    private readonly ConcurrentDictionary<(int Channel, bool Numeric, string Test), Lazy<object>> _fitted = new();

    /// <summary>Creates an evaluator for one model's plan.</summary>
    public WindowEvaluator(EvaluationPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        _plan = plan;
    }

    /// <summary>The exact values from which features are judged in parallel (tests set it to compare both ways).</summary>
    internal long ParallelThreshold { get; init; } = ParallelAbove;

    /// <summary>The plan this evaluator follows.</summary>
    public EvaluationPlan Plan => _plan;

    /// <summary>Evaluates one window.</summary>
    /// <param name="window">The merged window.</param>
    /// <param name="modelVersion">The model version seen in the window, if known.</param>
    public WindowReport Evaluate(WindowSnapshot window, string? modelVersion = null)
    {
        ArgumentNullException.ThrowIfNull(window);
        var features = new List<FeatureReport>();
        DatasetDriftReport? dataset = null;
        if (window.Numeric is not null && window.Categorical is not null)
        {
            var pending = EvaluateFeatures(window.Numeric, window.Categorical);

            var adjusted = AdjustPValues(pending);
            foreach (var p in pending)
            {
                features.Add(p.ToReport(adjusted));
            }

            dataset = DatasetDrift(features);
        }

        var performance = window.Performance is null || _plan.Performance is null
            ? null
            : EvaluatePerformance(_plan.Performance, window.Performance, window.Events);
        return new WindowReport(_plan.Model, modelVersion, _plan.BaselineId, window.Range, window.Final, window.Revision, window.Events, features, dataset, performance);
    }

    private List<PendingFeature> EvaluateFeatures(IReadOnlyList<NumericAccumulator> numeric, IReadOnlyList<CategoricalAccumulator> categorical)
    {
        int n = _plan.Numeric.Count;
        var pending = new PendingFeature[n + _plan.Categorical.Count];
        void One(int i) => pending[i] = i < n
            ? EvaluateNumeric(_plan.Numeric[i], numeric[_plan.Numeric[i].Index])
            : EvaluateCategorical(_plan.Categorical[i - n], categorical[_plan.Categorical[i - n].Index]);

        long exactValues = 0;
        foreach (var plan in _plan.Numeric)
        {
            var acc = numeric[plan.Index];
            exactValues += acc.IsExact ? acc.Count : 0;
        }

        if (exactValues < ParallelThreshold || pending.Length < 2)
        {
            for (int i = 0; i < pending.Length; i++)
            {
                One(i);
            }
        }
        else
        {
            try
            {
                Parallel.For(0, pending.Length, One);
            }
            catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
            {
                ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
            }
        }

        return [.. pending];
    }

    private PendingFeature EvaluateNumeric(NumericPlan plan, NumericAccumulator acc)
    {
        var results = new List<PendingTest>();
        if (acc.Count > 0 && plan.Reference.Count > 0 && EnoughLabels(plan.Role, acc.Count))
        {
            var current = acc.ToSample();
            foreach (var testPlan in plan.Tests)
            {
                var test = testPlan.Test as INumericDriftTest ?? _plan.Registry.DefaultNumeric(plan.Reference.Count, current.Count);
                bool countable = test is IBinnedDriftTest && acc.Bins is not null && plan.ReferenceBinCounts is { } refCounts
                    && refCounts.Length == acc.Bins.BinCount;
                var detector = (INumericDriftDetector)Fitted(plan.Index, numeric: true, test, () => countable
                    ? ((IBinnedDriftTest)test).FitCounts(acc.Bins!, plan.ReferenceBinCounts)
                    : test.Fit(plan.Reference));
                var (warning, critical) = Thresholds(test, testPlan);
                DriftResult result;
                EstimateMode mode;
                double? bound = null;
                if (countable && detector is BinnedDriftDetector binned)
                {
                    // Exact at any window size: both sides are exact counts in the baseline's bins.
                    result = binned.Evaluate(acc.BinCounts, warning);
                    mode = EstimateMode.Exact;
                }
                else
                {
                    result = detector.Evaluate(current, warning);
                    mode = current.Mode == EstimateMode.Sketch || plan.Reference.Mode == EstimateMode.Sketch ? EstimateMode.Sketch : EstimateMode.Exact;
                    bound = mode == EstimateMode.Sketch ? SketchBound(test.Name, plan.Reference, current) : null;
                }

                results.Add(new PendingTest(test, result, warning, critical, mode, bound, plan.Reference.Count, current.Count));
            }
        }

        long total = acc.Count + acc.Missing + acc.TypeErrors;
        var quality = new List<QualityCheck>
        {
            Check("missing_share", Share(acc.Missing, total), plan.Quality.MaxMissingShare),
            Check("type_error_share", Share(acc.TypeErrors, total), plan.Quality.MaxTypeErrorShare),
            Check("out_of_range_share", Share(acc.OutOfRange, acc.Count), plan.Quality.MaxOutOfRangeShare),
        };
        var mode0 = acc.IsExact ? EstimateMode.Exact : EstimateMode.Sketch;
        FeatureDistribution? distribution = null;
        if (acc.Bins is not null && plan.ReferenceBinCounts is { } rc && rc.Length == acc.Bins.BinCount && acc.Count > 0)
        {
            distribution = BinDistribution(acc.Bins.Edges, rc, acc.BinCounts);
        }

        return new PendingFeature(plan.Name, FeatureKind.Numeric, plan.Role, acc.Count, acc.Missing, acc.TypeErrors, acc.OutOfRange, 0, mode0, results, quality, distribution);
    }

    private PendingFeature EvaluateCategorical(CategoricalPlan plan, CategoricalAccumulator acc)
    {
        var results = new List<PendingTest>();
        if (acc.Count > 0 && plan.Reference.Total > 0 && EnoughLabels(plan.Role, acc.Count))
        {
            var current = acc.ToDistribution();
            foreach (var testPlan in plan.Tests)
            {
                int categories = plan.Reference.Counts.Count;
                var test = testPlan.Test as ICategoricalDriftTest ?? _plan.Registry.DefaultCategorical(plan.Reference.Total, current.Total, categories);
                var detector = (ICategoricalDriftDetector)Fitted(plan.Index, numeric: false, test, () => test.Fit(plan.Reference));
                var (warning, critical) = Thresholds(test, testPlan);
                var result = detector.Evaluate(current, warning);
                results.Add(new PendingTest(test, result, warning, critical, EstimateMode.Exact, null, plan.Reference.Total, current.Total));
            }
        }

        long total = acc.Count + acc.Missing + acc.TypeErrors;
        var quality = new List<QualityCheck>
        {
            Check("missing_share", Share(acc.Missing, total), plan.Quality.MaxMissingShare),
            Check("type_error_share", Share(acc.TypeErrors, total), plan.Quality.MaxTypeErrorShare),
            Check("unseen_share", Share(acc.Unseen, acc.Count), plan.Quality.MaxUnseenShare),
        };
        var mode = acc.IsExact ? EstimateMode.Exact : EstimateMode.Sketch;
        var distribution = acc.Count > 0 ? CategoryDistribution(plan.Reference, acc.ToDistribution()) : null;
        return new PendingFeature(plan.Name, FeatureKind.Categorical, plan.Role, acc.Count, acc.Missing, acc.TypeErrors, 0, acc.Unseen, mode, results, quality, distribution);
    }

    private static FeatureDistribution BinDistribution(ReadOnlySpan<double> edges, long[] reference, ReadOnlySpan<long> current)
    {
        var labels = new string[reference.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            string lo = i == 0 ? "-inf" : edges[i - 1].ToString("G6", System.Globalization.CultureInfo.InvariantCulture);
            string hi = i == labels.Length - 1 ? "+inf" : edges[i].ToString("G6", System.Globalization.CultureInfo.InvariantCulture);
            labels[i] = i == labels.Length - 1 ? $"({lo}, {hi})" : $"({lo}, {hi}]";
        }

        return new FeatureDistribution(labels, Shares(reference), Shares(current.ToArray()));
    }

    private static FeatureDistribution CategoryDistribution(CategoricalDistribution reference, CategoricalDistribution current)
    {
        var (categories, r, c) = CategoricalDistribution.Align(reference, current, out _);
        double[] rs = Shares(r);
        double[] cs = Shares(c);
        var order = Enumerable.Range(0, categories.Length)
            .OrderByDescending(i => Math.Max(rs[i], cs[i]))
            .ThenBy(i => categories[i], StringComparer.Ordinal)
            .ToList();
        var labels = new List<string>();
        var refShares = new List<double>();
        var curShares = new List<double>();
        double otherRef = 0;
        double otherCur = 0;
        for (int k = 0; k < order.Count; k++)
        {
            int i = order[k];
            if (k < FeatureDistribution.MaxCategories)
            {
                labels.Add(categories[i]);
                refShares.Add(rs[i]);
                curShares.Add(cs[i]);
            }
            else
            {
                otherRef += rs[i];
                otherCur += cs[i];
            }
        }

        if (order.Count > FeatureDistribution.MaxCategories)
        {
            labels.Add(CategoricalDistribution.OtherCategory);
            refShares.Add(otherRef);
            curShares.Add(otherCur);
        }

        return new FeatureDistribution(labels, refShares, curShares);
    }

    private static double[] Shares(long[] counts)
    {
        long total = 0;
        foreach (long c in counts)
        {
            total += c;
        }

        var shares = new double[counts.Length];
        for (int i = 0; i < counts.Length && total > 0; i++)
        {
            shares[i] = (double)counts[i] / total;
        }

        return shares;
    }

    /// <summary>Label drift is judged once as many labels joined as performance needs (performance.min_labels).</summary>
    private bool EnoughLabels(StreamRole role, long count) => role != StreamRole.Label || count >= (_plan.Performance?.MinLabels ?? 0);

    private object Fitted(int channel, bool numeric, IDriftTest test, Func<object> fit)
    {
        // Lazy: with features judged in parallel, each detector is still fitted once.
        return _fitted.GetOrAdd((channel, numeric, test.Name), _ => new Lazy<object>(fit)).Value;
    }

    // A threshold a rule leaves out is the test's default (docs/rules.md); with both left out, a drifted test
    // is critical at once.
    private static (double Warning, double? Critical) Thresholds(IDriftTest test, TestPlan plan) =>
        (plan.Warning ?? test.DefaultThreshold, plan.Critical ?? test.DefaultThreshold);

    /// <summary>
    /// The bound on a sketch-based statistic's error: KS moves by at most ε_ref + ε_cur (each sample's CDF is
    /// within its ε of the truth everywhere); Wasserstein-1 = ∫|F − G| moves by at most that times the width of
    /// the union's range. Other statistics from sketches carry no proven bound and report none.
    /// </summary>
    private static double? SketchBound(string test, NumericSample reference, NumericSample current)
    {
        double eps = reference.RankError + current.RankError;
        double lo = Math.Min(reference.Values[0], current.Values[0]);
        double hi = Math.Max(reference.Values[^1], current.Values[^1]);
        return test switch
        {
            "ks" => eps,
            "wasserstein" => eps * (hi - lo),
            "wasserstein_norm" when reference.StandardDeviation > 0 => eps * (hi - lo) / reference.StandardDeviation,
            _ => null,
        };
    }

    private Dictionary<PendingTest, double> AdjustPValues(List<PendingFeature> features)
    {
        var result = new Dictionary<PendingTest, double>(ReferenceEqualityComparer.Instance);
        if (_plan.Correction == Correction.None)
        {
            return result;
        }

        // One family per test name across the input features (the prediction is judged on its own).
        var families = features.Where(f => f.Role == StreamRole.Feature)
            .SelectMany(f => f.Tests)
            .Where(t => t.Result.PValue is not null && t.Test.ThresholdKind == ThresholdKind.PValueBelow)
            .GroupBy(t => t.Test.Name, StringComparer.Ordinal);
        foreach (var family in families)
        {
            var tests = family.ToArray();
            var raw = tests.Select(t => t.Result.PValue!.Value).ToArray();
            var adjusted = new double[raw.Length];
            if (_plan.Correction == Correction.Bonferroni)
            {
                MultipleTesting.Bonferroni(raw, adjusted);
            }
            else
            {
                MultipleTesting.BenjaminiHochberg(raw, adjusted);
            }

            for (int i = 0; i < tests.Length; i++)
            {
                result[tests[i]] = adjusted[i];
            }
        }

        return result;
    }

    private DatasetDriftReport DatasetDrift(List<FeatureReport> features)
    {
        var judged = features.Where(f => f.Role == StreamRole.Feature && f.Tests.Count > 0).ToList();
        int drifted = judged.Count(f => f.Drifted);
        double share = judged.Count == 0 ? 0 : (double)drifted / judged.Count;
        var severity = judged.Count == 0 ? Severity.None
            : share >= _plan.DatasetCriticalShare ? Severity.Critical
            : share >= _plan.DatasetWarningShare ? Severity.Warning
            : Severity.None;
        string correction = _plan.Correction switch
        {
            Correction.Bonferroni => "bonferroni",
            Correction.BenjaminiHochberg => "bh",
            _ => "none",
        };
        return new DatasetDriftReport(judged.Count, drifted, share, _plan.DatasetWarningShare, _plan.DatasetCriticalShare, correction, severity);
    }

    private static PerformanceReport EvaluatePerformance(PerformancePlan plan, PerformanceAccumulator acc, long events)
    {
        var metrics = new Dictionary<string, double?>(StringComparer.Ordinal);
        double coverage = events == 0 ? 0 : Math.Min(1.0, (double)acc.Count / events);
        MetricSet.Into(metrics, acc, plan.Threshold);

        metrics["label_coverage"] = coverage;
        bool judged = acc.Count >= plan.MinLabels;
        var floors = new List<FloorOutcome>();
        foreach (var floor in plan.Floors)
        {
            double? value = metrics.TryGetValue(floor.Metric, out var v) ? v : null;
            if (floor.Metric == "bias" && value is { } b)
            {
                value = Math.Abs(b);
            }

            double? baseline = plan.Baseline.TryGetValue(floor.Metric, out var bv) ? bv : null;
            // Label coverage is judged whatever the label count: its collapse (few or no labels) is what it is for.
            bool gated = !judged && floor.Metric != "label_coverage";
            var severity = gated || value is null || (floor.Metric == "label_coverage" && events == 0) ? Severity.None
                : Breaches(value.Value, floor.Critical, floor.HigherIsBetter) ? Severity.Critical
                : Breaches(value.Value, floor.Warning, floor.HigherIsBetter) ? Severity.Warning
                : Severity.None;
            floors.Add(new FloorOutcome(floor.Metric, value, baseline, floor.HigherIsBetter, floor.Warning, floor.Critical, severity));
        }

        return new PerformanceReport(acc.Count, coverage, acc.IsExact, metrics, floors, judged);
    }

    private static bool Breaches(double value, double? limit, bool higherIsBetter) =>
        limit is { } l && (higherIsBetter ? value < l : value > l);

    private static double Share(long part, long total) => total == 0 ? 0 : (double)part / total;

    private static QualityCheck Check(string name, double value, double? limit) =>
        new(name, value, limit, limit is { } l && value > l ? Severity.Warning : Severity.None);

    private sealed record PendingTest(IDriftTest Test, DriftResult Result, double Warning, double? Critical, EstimateMode Mode, double? Bound, long ReferenceCount, long CurrentCount)
    {
        public TestOutcome ToOutcome(double? adjusted)
        {
            double? decisive = Test.ThresholdKind == ThresholdKind.PValueBelow ? adjusted ?? Result.PValue : Result.Statistic;
            var severity = decisive is not { } d ? Severity.None
                : Test.ThresholdKind == ThresholdKind.PValueBelow
                    ? (d < Critical ? Severity.Critical : d < Warning ? Severity.Warning : Severity.None)
                    : (d > Critical ? Severity.Critical : d > Warning ? Severity.Warning : Severity.None);
            return new TestOutcome(Test.Name, Result.Statistic, Result.PValue, adjusted, Test.ThresholdKind, Warning, Critical, severity, Mode, Bound, ReferenceCount, CurrentCount);
        }
    }

    private sealed record PendingFeature(string Name, FeatureKind Kind, StreamRole Role, long Count, long Missing, long TypeErrors, long OutOfRange, long Unseen,
        EstimateMode Mode, List<PendingTest> Tests, List<QualityCheck> Quality, FeatureDistribution? Distribution)
    {
        public FeatureReport ToReport(Dictionary<PendingTest, double> adjusted) => new(
            Name, Kind, Role, Count, Missing, TypeErrors, OutOfRange, Unseen, Mode,
            Tests.Select(t => t.ToOutcome(adjusted.TryGetValue(t, out double a) ? a : null)).ToList(),
            Quality,
            Distribution);
    }
}
