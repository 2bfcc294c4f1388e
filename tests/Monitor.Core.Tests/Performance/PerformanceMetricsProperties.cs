using FsCheck.Xunit;
using Monitor.Core.Performance;

namespace Monitor.Core.Tests.Performance;

/// <summary>
/// Properties of the performance metrics. FsCheck supplies a seed per run (replayed from a fixed start, so the
/// suite is deterministic); each seed builds a window with ties, exact 0/1 scores, imbalance and single-class cases.
/// </summary>
public sealed class PerformanceMetricsProperties
{
    private const string Replay = "20261128,1129";

    [Property(Replay = Replay, MaxTest = 200)]
    public void RocAuc_NegatedScores_IsOneMinusAuc(int seed)
    {
        var rng = new Random(seed);
        int[] labels = Labels(rng, rng.Next(2, 300), bothClasses: true);
        double[] scores = RealScores(rng, labels);
        double[] negated = Array.ConvertAll(scores, s => -s);

        double auc = BinaryClassificationMetrics.RocAuc(labels, scores)!.Value;
        double flipped = BinaryClassificationMetrics.RocAuc(labels, negated)!.Value;

        Assert.Equal(1 - auc, flipped, 1e-12);
    }

    [Property(Replay = Replay, MaxTest = 200)]
    public void BinaryCompute_AnyValidWindow_EveryMetricInItsRange(int seed)
    {
        var rng = new Random(seed);
        int[] labels = Labels(rng, rng.Next(1, 400), bothClasses: false);
        double[] scores = Probabilities(rng, labels);

        var m = BinaryClassificationMetrics.Compute(labels, scores, rng.NextDouble(), rng.Next(1, 30));

        Assert.Equal(labels.Length, m.Count);
        Assert.Equal(labels.Sum(), m.Positives);
        foreach (double v in new[] { m.Accuracy, m.Precision, m.Recall, m.F1, m.Brier, m.ExpectedCalibrationError })
        {
            Assert.InRange(v, 0, 1);
        }

        Assert.InRange(m.LogLoss, 0, -Math.Log(BinaryClassificationMetrics.LogLossEpsilon));
        bool bothClasses = m.Positives > 0 && m.Negatives > 0;
        Assert.Equal(bothClasses, m.RocAuc.HasValue);
        Assert.Equal(bothClasses, m.PrAuc.HasValue);
        if (bothClasses)
        {
            Assert.InRange(m.RocAuc!.Value, 0, 1);
            Assert.InRange(m.PrAuc!.Value, 0, 1);
        }
    }

    [Property(Replay = Replay, MaxTest = 150)]
    public void BinaryCompute_ShuffledPairs_SameMetrics(int seed)
    {
        var rng = new Random(seed);
        int[] labels = Labels(rng, rng.Next(1, 400), bothClasses: false);
        double[] scores = Probabilities(rng, labels);
        (int[] l2, double[] s2) = Shuffled(rng, labels, scores);
        double threshold = rng.NextDouble();
        int bins = rng.Next(1, 25);

        var a = BinaryClassificationMetrics.Compute(labels, scores, threshold, bins);
        var b = BinaryClassificationMetrics.Compute(l2, s2, threshold, bins);

        Assert.Equal(a.Count, b.Count);
        Assert.Equal(a.Positives, b.Positives);
        Assert.Equal(a.Accuracy, b.Accuracy);
        Assert.Equal(a.Precision, b.Precision);
        Assert.Equal(a.Recall, b.Recall);
        Assert.Equal(a.F1, b.F1);
        Assert.Equal(a.RocAuc, b.RocAuc);
        Assert.Equal(a.PrAuc, b.PrAuc);

        // Sums in a different order differ by rounding only.
        Near(a.LogLoss, b.LogLoss);
        Near(a.Brier, b.Brier);
        Near(a.ExpectedCalibrationError, b.ExpectedCalibrationError);
    }

    [Property(Replay = Replay, MaxTest = 100)]
    public void BinaryCompute_PerfectScores_PerfectMetrics(int seed)
    {
        var rng = new Random(seed);
        int[] labels = Labels(rng, rng.Next(2, 300), bothClasses: true);
        double[] hard = Array.ConvertAll(labels, y => (double)y);
        double[] soft = Array.ConvertAll(labels, y => y == 1 ? 0.5 + (rng.NextDouble() / 2) : rng.NextDouble() / 2.01);

        var m = BinaryClassificationMetrics.Compute(labels, hard);
        var s = BinaryClassificationMetrics.Compute(labels, soft);

        Assert.Equal(1.0, m.Accuracy);
        Assert.Equal(1.0, m.Precision);
        Assert.Equal(1.0, m.Recall);
        Assert.Equal(1.0, m.F1);
        Assert.Equal(1.0, m.RocAuc);
        Assert.Equal(1.0, m.PrAuc);
        Assert.Equal(0.0, m.Brier);
        Assert.Equal(0.0, m.ExpectedCalibrationError);
        Assert.InRange(m.LogLoss, 0, 1e-15);
        Assert.Equal(1.0, s.Accuracy);
        Assert.Equal(1.0, s.F1);
        Assert.Equal(1.0, s.RocAuc);
        Assert.Equal(1.0, s.PrAuc);
    }

    [Property(Replay = Replay, MaxTest = 150)]
    public void MulticlassCompute_AnyWindow_InRangeAndOrderInvariant(int seed)
    {
        var rng = new Random(seed);
        int k = rng.Next(1, 12);
        int n = rng.Next(1, 400);
        int[] labels = new int[n];
        int[] predicted = new int[n];
        int used = rng.Next(1, k + 1);
        for (int i = 0; i < n; i++)
        {
            labels[i] = rng.Next(used);
            predicted[i] = rng.NextDouble() < 0.6 ? labels[i] : rng.Next(k);
        }

        var a = MulticlassClassificationMetrics.Compute(labels, predicted, k);
        (int[] l2, int[] p2) = Shuffled(rng, labels, predicted);
        var b = MulticlassClassificationMetrics.Compute(l2, p2, k);

        foreach (double v in new[] { a.Accuracy, a.MacroF1, a.MicroF1, a.MacroPrecision, a.MacroRecall })
        {
            Assert.InRange(v, 0, 1);
        }

        Assert.Equal(a.Accuracy, a.MicroF1, 1e-15);
        Assert.Equal(n, a.Support.Sum());
        Assert.All(a.F1, f => Assert.True(f is null or (>= 0 and <= 1)));
        Assert.Equal(a.Accuracy, b.Accuracy);
        Assert.Equal(a.Support, b.Support);
        Assert.Equal(a.Recall, b.Recall);
        Assert.Equal(a.Precision, b.Precision);
        Assert.Equal(a.F1, b.F1);
        Near(a.MacroF1, b.MacroF1);
    }

    [Property(Replay = Replay, MaxTest = 100)]
    public void MulticlassCompute_PerfectPredictions_PerfectMetrics(int seed)
    {
        var rng = new Random(seed);
        int k = rng.Next(1, 10);
        int[] labels = Enumerable.Range(0, rng.Next(1, 300)).Select(_ => rng.Next(k)).ToArray();

        var m = MulticlassClassificationMetrics.Compute(labels, labels, k);

        Assert.Equal(1.0, m.Accuracy);
        Assert.Equal(1.0, m.MacroF1);
        Assert.Equal(1.0, m.MicroF1);
        for (int c = 0; c < k; c++)
        {
            Assert.Equal(m.Support[c] > 0 ? 1.0 : null, m.Recall[c]);
            Assert.Equal(m.Support[c] > 0 ? 1.0 : null, m.F1[c]);
        }
    }

    [Property(Replay = Replay, MaxTest = 150)]
    public void RegressionCompute_AnyWindow_InRangeAndOrderInvariant(int seed)
    {
        var rng = new Random(seed);
        int n = rng.Next(1, 400);
        double scale = Math.Pow(10, rng.Next(-6, 7));
        double[] actual = new double[n];
        double[] predicted = new double[n];
        for (int i = 0; i < n; i++)
        {
            actual[i] = rng.NextDouble() < 0.1 ? 0 : Math.Round(Normal(rng) * 3, rng.Next(0, 3)) * scale;
            predicted[i] = actual[i] + (Normal(rng) * scale);
        }

        var a = RegressionMetrics.Compute(actual, predicted);
        (double[] a2, double[] p2) = Shuffled(rng, actual, predicted);
        var b = RegressionMetrics.Compute(a2, p2);

        Assert.True(a.Mae >= 0);
        Assert.True(a.Rmse >= a.Mae * (1 - 1e-12), $"RMSE {a.Rmse} < MAE {a.Mae}");
        Assert.True(a.Mape is null or >= 0);
        Assert.True(a.R2 is null or <= 1);
        Assert.Equal(a.Count, b.Count);
        Assert.Equal(a.MapeExcludedZeroTargets, b.MapeExcludedZeroTargets);
        Assert.Equal(a.R2.HasValue, b.R2.HasValue);
        Assert.Equal(a.Mape.HasValue, b.Mape.HasValue);
        Near(a.Mae, b.Mae);
        Near(a.Rmse, b.Rmse);
        Near(a.Mape ?? 0, b.Mape ?? 0);
        Near(a.R2 ?? 0, b.R2 ?? 0, abs: 1e-12);
        Near(a.MeanBias, b.MeanBias, abs: 1e-12 * scale);
    }

    [Property(Replay = Replay, MaxTest = 100)]
    public void RegressionCompute_PerfectPredictions_PerfectMetrics(int seed)
    {
        var rng = new Random(seed);
        double[] actual = Enumerable.Range(0, rng.Next(2, 300)).Select(i => i == 0 ? 1.0 : Normal(rng) * 100).ToArray();

        var m = RegressionMetrics.Compute(actual, actual);

        Assert.Equal(0.0, m.Mae);
        Assert.Equal(0.0, m.Rmse);
        Assert.Equal(0.0, m.Mape);
        Assert.Equal(0.0, m.MeanBias);
        Assert.Equal(1.0, m.R2);
    }

    private static void Near(double expected, double actual, double rel = 1e-12, double abs = 1e-15)
    {
        double allowed = Math.Max(abs, rel * Math.Abs(expected));
        Assert.True(Math.Abs(expected - actual) <= allowed, $"expected {expected:R}, got {actual:R}");
    }

    private static int[] Labels(Random rng, int n, bool bothClasses)
    {
        double rate = rng.Next(4) switch { 0 => 0.03, 1 => 0.97, 2 => rng.NextDouble(), _ => rng.Next(2) };
        int[] labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = rng.NextDouble() < rate ? 1 : 0;
        }

        if (bothClasses)
        {
            labels[0] = 0;
            labels[^1] = 1;
        }

        return labels;
    }

    /// <summary>Probabilities with ties (rounded), exact 0 and 1, and some signal.</summary>
    private static double[] Probabilities(Random rng, int[] labels)
    {
        int digits = rng.Next(1, 6);
        double signal = (rng.NextDouble() * 4) - 1;
        var scores = new double[labels.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            double u = rng.NextDouble();
            scores[i] = u < 0.05 ? 0 : u < 0.1 ? 1 : Math.Round(1 / (1 + Math.Exp(-(Normal(rng) + (signal * ((2 * labels[i]) - 1))))), digits);
        }

        return scores;
    }

    /// <summary>Arbitrary finite scores: margins at a random scale, sometimes rounded to integers for ties.</summary>
    private static double[] RealScores(Random rng, int[] labels)
    {
        double scale = Math.Pow(10, rng.Next(-5, 6));
        bool ties = rng.Next(2) == 0;
        var scores = new double[labels.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            double s = (Normal(rng) + labels[i]) * 3;
            scores[i] = (ties ? Math.Round(s) : s) * scale;
        }

        return scores;
    }

    private static double Normal(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    private static (T1[], T2[]) Shuffled<T1, T2>(Random rng, T1[] first, T2[] second)
    {
        var order = Enumerable.Range(0, first.Length).ToArray();
        rng.Shuffle(order);
        return (Array.ConvertAll(order, i => first[i]), Array.ConvertAll(order, i => second[i]));
    }
}
