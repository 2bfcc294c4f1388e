namespace Monitor.Core.Performance;

/// <summary>
/// Multiclass (single-label) classification metrics, matching scikit-learn 1.2's <c>accuracy_score</c> and
/// <c>precision_recall_fscore_support</c> with <c>zero_division=0</c> and the default <c>labels=None</c>, which
/// averages over the classes present in the labels or the predictions.
/// </summary>
public static class MulticlassClassificationMetrics
{
    /// <summary>Computes accuracy, per-class and averaged precision, recall and F1 in one pass over the pairs.</summary>
    /// <param name="labels">The observed class ids, each in [0, <paramref name="classCount"/>).</param>
    /// <param name="predicted">The predicted class ids, each in [0, <paramref name="classCount"/>).</param>
    /// <param name="classCount">The number of classes the model knows.</param>
    /// <exception cref="ArgumentException">The spans differ in length or are empty, or a class id is out of range;
    /// the message names the first offending index.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classCount"/> is below 1.</exception>
    public static MulticlassMetrics Compute(ReadOnlySpan<int> labels, ReadOnlySpan<int> predicted, int classCount)
    {
        if (classCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "There must be at least one class.");
        }

        if (labels.Length != predicted.Length)
        {
            throw new ArgumentException(
                $"Got {labels.Length} labels but {predicted.Length} predictions; every label needs exactly one prediction.",
                nameof(predicted));
        }

        if (labels.Length == 0)
        {
            throw new ArgumentException("Metrics need at least one (label, prediction) pair.", nameof(labels));
        }

        var support = new int[classCount];
        var predictedCount = new int[classCount];
        var truePositives = new int[classCount];
        int correct = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            int y = labels[i];
            int p = predicted[i];
            if ((uint)y >= (uint)classCount)
            {
                throw new ArgumentException($"Label at index {i} is {y}; class ids are 0 … {classCount - 1}.", nameof(labels));
            }

            if ((uint)p >= (uint)classCount)
            {
                throw new ArgumentException($"Prediction at index {i} is {p}; class ids are 0 … {classCount - 1}.", nameof(predicted));
            }

            support[y]++;
            predictedCount[p]++;
            if (y == p)
            {
                truePositives[y]++;
                correct++;
            }
        }

        var recall = new double?[classCount];
        var precision = new double?[classCount];
        var f1 = new double?[classCount];
        int present = 0;
        double recallSum = 0, precisionSum = 0, f1Sum = 0;
        for (int c = 0; c < classCount; c++)
        {
            if (support[c] == 0 && predictedCount[c] == 0)
            {
                continue;
            }

            present++;
            double r = support[c] == 0 ? 0 : (double)truePositives[c] / support[c];
            double pr = predictedCount[c] == 0 ? 0 : (double)truePositives[c] / predictedCount[c];
            double f = 2.0 * truePositives[c] / (support[c] + predictedCount[c]);
            recall[c] = r;
            precision[c] = pr;
            f1[c] = f;
            recallSum += r;
            precisionSum += pr;
            f1Sum += f;
        }

        int n = labels.Length;
        double accuracy = (double)correct / n;
        return new MulticlassMetrics(
            Count: n,
            ClassCount: classCount,
            PresentClassCount: present,
            Accuracy: accuracy,
            MacroF1: f1Sum / present,
            MicroF1: 2.0 * correct / (2.0 * n),
            MacroPrecision: precisionSum / present,
            MacroRecall: recallSum / present,
            Recall: Array.AsReadOnly(recall),
            Precision: Array.AsReadOnly(precision),
            F1: Array.AsReadOnly(f1),
            Support: Array.AsReadOnly(support));
    }
}
