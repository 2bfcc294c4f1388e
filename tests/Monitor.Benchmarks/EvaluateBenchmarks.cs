using BenchmarkDotNet.Attributes;
using Monitor.Core.Accumulators;
using Monitor.Core.Drift;
using Monitor.Core.Drift.Numeric;
using Monitor.Core.Evaluation;
using Monitor.Core.Statistics;
using Monitor.Core.Windows;

namespace Monitor.Benchmarks;

/// <summary>
/// Evaluating one window of many numeric features in sketch mode (PSI from exact bin counts, KS and normalised
/// Wasserstein from KLL sketches), the per-window cost once a window is large. A window's sketch stops growing
/// after about a million values, so the cost does not depend on the window's size beyond that.
/// </summary>
[MemoryDiagnoser]
public class EvaluateBenchmarks
{
    private WindowEvaluator _evaluator = null!;
    private WindowSnapshot _window = null!;

    [Params(100)]
    public int Features { get; set; }

    /// <summary>Values per feature in the reference and in the window.</summary>
    [Params(200_000)]
    public int ValuesPerFeature { get; set; }

    [GlobalSetup]
    public void Setup() => (_evaluator, _window) = Build(Features, ValuesPerFeature);

    [Benchmark]
    public int EvaluateWindow() => _evaluator.Evaluate(_window).Features.Count;

    internal static (WindowEvaluator Evaluator, WindowSnapshot Window) Build(int features, int values)
    {
        var random = new Random(5);
        var options = new NumericAccumulatorOptions { ExactLimit = 1 };
        var registry = DriftTestRegistry.Default;
        registry.TryGetNumeric("psi", out var psi);
        registry.TryGetNumeric("ks", out var ks);
        registry.TryGetNumeric("wasserstein_norm", out var wasserstein);
        var plans = new List<NumericPlan>();
        var accumulators = new NumericAccumulator[features];
        for (int f = 0; f < features; f++)
        {
            var reference = new NumericAccumulator(options, null);
            for (int i = 0; i < values; i++)
            {
                reference.Add(random.NextDouble());
            }

            var referenceSample = reference.ToSample();
            var bins = QuantileBins.FromReference(referenceSample);
            var current = new NumericAccumulator(options, bins);
            double shift = f % 10 == 0 ? 0.05 : 0;
            for (int i = 0; i < values; i++)
            {
                current.Add(random.NextDouble() + shift);
            }

            accumulators[f] = current;
            plans.Add(new NumericPlan($"f{f}", StreamRole.Feature, f, referenceSample, bins.Count(referenceSample),
                [new TestPlan(psi, 0.1, 0.25), new TestPlan(ks, 0.05, 0.01), new TestPlan(wasserstein, 0.1, 0.2)], new QualityPlan()));
        }

        var plan = new EvaluationPlan("bench", "bench-baseline", plans, [], 0.3, 0.5, Correction.BenjaminiHochberg, null, registry);
        var window = new WindowSnapshot("bench", new TimeRange(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddHours(1)), true, 0, values, accumulators, [], null);
        return (new WindowEvaluator(plan), window);
    }
}
