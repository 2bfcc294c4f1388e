using Monitor.Core.Accumulators;
using Monitor.Core.Performance;

namespace Monitor.Core.Evaluation;

/// <summary>
/// The performance metrics Monitor reports, by the names rule files use (see <c>Rules.PerformanceMetrics</c>),
/// computed from a window's (or a baseline's) joined pairs.
/// </summary>
public static class MetricSet
{
    /// <summary>Computes every metric the accumulator's kind defines into <paramref name="metrics"/>.</summary>
    /// <param name="metrics">Receives metric name → value (null where undefined).</param>
    /// <param name="acc">The joined pairs.</param>
    /// <param name="threshold">The decision threshold for binary scores.</param>
    public static void Into(Dictionary<string, double?> metrics, PerformanceAccumulator acc, double threshold = 0.5)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(acc);
        if (acc.Truth.Length == 0)
        {
            return;
        }

        switch (acc.Kind)
        {
            case PerformanceKind.Binary:
                BinaryMetricsInto(metrics, acc, threshold);
                break;
            case PerformanceKind.Multiclass:
                MulticlassMetricsInto(metrics, acc);
                break;
            default:
                RegressionMetricsInto(metrics, acc);
                break;
        }
    }

    private static void BinaryMetricsInto(Dictionary<string, double?> metrics, PerformanceAccumulator acc, double threshold)
    {
        var truth = acc.Truth;
        var labels = new int[truth.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = truth[i] >= 0.5 ? 1 : 0;
        }

        var scores = acc.Predicted;
        bool probabilities = true;
        foreach (double s in scores)
        {
            probabilities &= s is >= 0 and <= 1;
        }

        if (!probabilities)
        {
            // Raw margins: ranking metrics are defined, probability metrics are not.
            metrics["roc_auc"] = BinaryClassificationMetrics.RocAuc(labels, scores);
            metrics["pr_auc"] = BinaryClassificationMetrics.AveragePrecision(labels, scores);
            return;
        }

        var m = BinaryClassificationMetrics.Compute(labels, scores, threshold);
        metrics["accuracy"] = m.Accuracy;
        metrics["precision"] = m.Precision;
        metrics["recall"] = m.Recall;
        metrics["f1"] = m.F1;
        metrics["roc_auc"] = m.RocAuc;
        metrics["pr_auc"] = m.PrAuc;
        metrics["log_loss"] = m.LogLoss;
        metrics["brier"] = m.Brier;
        metrics["calibration_error"] = m.ExpectedCalibrationError;
    }

    private static void MulticlassMetricsInto(Dictionary<string, double?> metrics, PerformanceAccumulator acc)
    {
        var truth = acc.Truth;
        var predicted = acc.Predicted;
        var t = new int[truth.Length];
        var p = new int[truth.Length];
        for (int i = 0; i < t.Length; i++)
        {
            t[i] = (int)truth[i];
            p[i] = (int)predicted[i];
        }

        var m = MulticlassClassificationMetrics.Compute(t, p, Math.Max(acc.Classes.Count, 1));
        metrics["accuracy"] = m.Accuracy;
        metrics["macro_f1"] = m.MacroF1;
        metrics["micro_f1"] = m.MicroF1;
        double? minRecall = null;
        for (int c = 0; c < m.Recall.Count; c++)
        {
            if (m.Support[c] > 0 && m.Recall[c] is { } r)
            {
                minRecall = minRecall is null ? r : Math.Min(minRecall.Value, r);
            }
        }

        metrics["min_class_recall"] = minRecall;
    }

    private static void RegressionMetricsInto(Dictionary<string, double?> metrics, PerformanceAccumulator acc)
    {
        var m = RegressionMetrics.Compute(acc.Truth, acc.Predicted);
        metrics["mae"] = m.Mae;
        metrics["rmse"] = m.Rmse;
        metrics["mape"] = m.Mape;
        metrics["r2"] = m.R2;
        metrics["bias"] = m.MeanBias;
    }

}
