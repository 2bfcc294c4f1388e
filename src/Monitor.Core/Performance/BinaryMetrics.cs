namespace Monitor.Core.Performance;

/// <summary>
/// The performance of a binary classifier over one window of joined (label, score) pairs, as computed by
/// <see cref="BinaryClassificationMetrics.Compute"/>. Every value is computed once, so reading any of them is free.
/// </summary>
/// <param name="Count">The number of (label, score) pairs.</param>
/// <param name="Positives">How many labels are 1.</param>
/// <param name="Accuracy">The share of pairs whose predicted label (score ≥ threshold) equals the label.</param>
/// <param name="Precision">TP / (TP + FP); 0 when nothing is predicted positive (sklearn's <c>zero_division=0</c>).</param>
/// <param name="Recall">TP / (TP + FN); 0 when no label is positive (sklearn's <c>zero_division=0</c>).</param>
/// <param name="F1">2·TP / (2·TP + FP + FN), the harmonic mean of precision and recall; 0 when that is 0/0.</param>
/// <param name="RocAuc">The area under the ROC curve with tied scores counted as half; <see langword="null"/> when only one class is present.</param>
/// <param name="PrAuc">The average precision (sklearn's <c>average_precision_score</c>, the step-wise area under the
/// precision-recall curve); <see langword="null"/> when only one class is present.</param>
/// <param name="LogLoss">The mean negative log-likelihood, with scores clipped to [ε, 1 − ε] where ε is the double machine epsilon.</param>
/// <param name="Brier">The mean squared difference between the score and the label.</param>
/// <param name="ExpectedCalibrationError">The bin-weighted mean |observed positive rate − mean score| over equal-width score bins.</param>
public sealed record BinaryMetrics(
    int Count,
    int Positives,
    double Accuracy,
    double Precision,
    double Recall,
    double F1,
    double? RocAuc,
    double? PrAuc,
    double LogLoss,
    double Brier,
    double ExpectedCalibrationError)
{
    /// <summary>How many labels are 0.</summary>
    public int Negatives => Count - Positives;
}
