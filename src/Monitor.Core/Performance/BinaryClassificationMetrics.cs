namespace Monitor.Core.Performance;

/// <summary>
/// Binary classification metrics over a window of joined (label, score) pairs, matching scikit-learn 1.2
/// (<c>accuracy_score</c>, <c>precision_score</c>, <c>recall_score</c>, <c>f1_score</c> with <c>zero_division=0</c>,
/// <c>roc_auc_score</c>, <c>average_precision_score</c>, <c>log_loss</c>, <c>brier_score_loss</c>) except where a
/// metric is undefined: there Monitor reports <see langword="null"/> instead of a warning and an arbitrary number.
/// </summary>
public static class BinaryClassificationMetrics
{
    /// <summary>
    /// The clipping bound of <see cref="BinaryMetrics.LogLoss"/>: scikit-learn 1.2's <c>eps="auto"</c>, the machine epsilon
    /// of double (2.220446049250313e-16), so a confident wrong score costs −ln ε ≈ 36.04 instead of infinity.
    /// </summary>
    public const double LogLossEpsilon = 2.220446049250313e-16;

    /// <summary>
    /// Computes every binary metric in one pass plus one sort (for the ranking metrics).
    /// </summary>
    /// <param name="labels">The observed labels, each 0 or 1.</param>
    /// <param name="scores">The model's probability that the label is 1, each in [0, 1].</param>
    /// <param name="threshold">The decision threshold: the predicted label is 1 when score ≥ threshold. Default 0.5.</param>
    /// <param name="calibrationBins">The number of equal-width bins on [0, 1] for the expected calibration error. Default 10.</param>
    /// <exception cref="ArgumentException">The spans differ in length or are empty, a label is not 0 or 1, or a score is
    /// not finite or lies outside [0, 1]; the message names the first offending index.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threshold"/> is not finite or
    /// <paramref name="calibrationBins"/> is below 1.</exception>
    public static BinaryMetrics Compute(
        ReadOnlySpan<int> labels,
        ReadOnlySpan<double> scores,
        double threshold = 0.5,
        int calibrationBins = 10)
    {
        RequireSameNonEmptyLength(labels.Length, scores.Length);
        if (!double.IsFinite(threshold))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The decision threshold must be finite.");
        }

        if (calibrationBins < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(calibrationBins), calibrationBins, "At least one calibration bin is needed.");
        }

        Span<double> binScoreSum = calibrationBins <= 64 ? stackalloc double[calibrationBins] : new double[calibrationBins];
        Span<int> binPositives = calibrationBins <= 64 ? stackalloc int[calibrationBins] : new int[calibrationBins];
        Span<int> binCount = calibrationBins <= 64 ? stackalloc int[calibrationBins] : new int[calibrationBins];
        binScoreSum.Clear();
        binPositives.Clear();
        binCount.Clear();

        int n = labels.Length;
        int tp = 0, fp = 0, fn = 0, positives = 0;
        CompensatedSum logLossSum = default, brierSum = default;
        double binWidth = 1.0 / calibrationBins;
        for (int i = 0; i < n; i++)
        {
            int y = labels[i];
            double p = scores[i];
            RequireLabel(y, i, nameof(labels));
            if (!(p >= 0 && p <= 1))
            {
                throw new ArgumentException(
                    $"Score at index {i} is {p.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}; scores are probabilities in [0, 1].",
                    nameof(scores));
            }

            bool predictedPositive = p >= threshold;
            if (y == 1)
            {
                positives++;
                if (predictedPositive)
                {
                    tp++;
                }
                else
                {
                    fn++;
                }
            }
            else if (predictedPositive)
            {
                fp++;
            }

            double clipped = Math.Clamp(p, LogLossEpsilon, 1 - LogLossEpsilon);
            logLossSum.Add(-Math.Log(y == 1 ? clipped : 1 - clipped));
            double residual = y - p;
            brierSum.Add(residual * residual);

            int bin = CalibrationBin(p, calibrationBins, binWidth);
            binScoreSum[bin] += p;
            binPositives[bin] += y;
            binCount[bin]++;
        }

        double ece = 0;
        for (int b = 0; b < calibrationBins; b++)
        {
            if (binCount[b] > 0)
            {
                double gap = Math.Abs(((double)binPositives[b] / binCount[b]) - (binScoreSum[b] / binCount[b]));
                ece += (double)binCount[b] / n * gap;
            }
        }

        int negatives = n - positives;
        double? auc = null, ap = null;
        if (positives > 0 && negatives > 0)
        {
            var ranking = Ranking(labels, scores, positives, computeAveragePrecision: true);
            (auc, ap) = (ranking.Auc, ranking.AveragePrecision);
        }

        int tn = n - tp - fp - fn;
        return new BinaryMetrics(
            Count: n,
            Positives: positives,
            Accuracy: (double)(tp + tn) / n,
            Precision: tp + fp == 0 ? 0 : (double)tp / (tp + fp),
            Recall: positives == 0 ? 0 : (double)tp / positives,
            F1: tp == 0 ? 0 : 2.0 * tp / ((2.0 * tp) + fp + fn),
            RocAuc: auc,
            PrAuc: ap,
            LogLoss: logLossSum.Value / n,
            Brier: brierSum.Value / n,
            ExpectedCalibrationError: ece);
    }

    /// <summary>
    /// The area under the ROC curve for arbitrary finite scores (probabilities, margins, log-odds): the probability
    /// that a random positive scores above a random negative, ties counting half. Equals sklearn's
    /// <c>roc_auc_score</c>; <see langword="null"/> when only one class is present, where sklearn raises.
    /// </summary>
    /// <param name="labels">The observed labels, each 0 or 1.</param>
    /// <param name="scores">Any finite scores, higher meaning more likely positive.</param>
    /// <exception cref="ArgumentException">The spans differ in length or are empty, a label is not 0 or 1, or a score
    /// is not finite; the message names the first offending index.</exception>
    public static double? RocAuc(ReadOnlySpan<int> labels, ReadOnlySpan<double> scores)
    {
        int positives = CountPositivesOfFinitePairs(labels, scores);
        if (positives == 0 || positives == labels.Length)
        {
            return null;
        }

        return Ranking(labels, scores, positives, computeAveragePrecision: false).Auc;
    }

    /// <summary>
    /// The average precision for arbitrary finite scores: Σ (Rₖ − Rₖ₋₁)·Pₖ over the distinct score thresholds taken
    /// from the highest down, as sklearn's <c>average_precision_score</c>. <see langword="null"/> when only one class is
    /// present (sklearn returns 1 for all-positive and −0 with a warning for all-negative labels; neither says anything
    /// about the ranking).
    /// </summary>
    /// <param name="labels">The observed labels, each 0 or 1.</param>
    /// <param name="scores">Any finite scores, higher meaning more likely positive.</param>
    /// <exception cref="ArgumentException">As for <see cref="RocAuc"/>.</exception>
    public static double? AveragePrecision(ReadOnlySpan<int> labels, ReadOnlySpan<double> scores)
    {
        int positives = CountPositivesOfFinitePairs(labels, scores);
        if (positives == 0 || positives == labels.Length)
        {
            return null;
        }

        return Ranking(labels, scores, positives, computeAveragePrecision: true).AveragePrecision;
    }

    /// <summary>
    /// The bin of <paramref name="p"/> as sklearn's <c>calibration_curve(strategy='uniform')</c> assigns it: edges
    /// i/bins (computed as numpy's linspace does), each bin closed on the right, the first also on the left.
    /// </summary>
    internal static int CalibrationBin(double p, int bins, double binWidth)
    {
        int bin = Math.Min((int)(p * bins), bins - 1);
        while (bin > 0 && p <= bin * binWidth)
        {
            bin--;
        }

        while (bin < bins - 1 && p > (bin + 1) * binWidth)
        {
            bin++;
        }

        return bin;
    }

    private static (double Auc, double AveragePrecision) Ranking(
        ReadOnlySpan<int> labels, ReadOnlySpan<double> scores, int positives, bool computeAveragePrecision)
    {
        int n = labels.Length;
        int negatives = n - positives;
        double[] keys = scores.ToArray();
        int[] items = labels.ToArray();
        Array.Sort(keys, items);

        // Walk tie groups from the highest score down. Twice the Mann-Whitney U is an integer, so the AUC is
        // exact up to one rounding; the ties-count-half rule is what sklearn's trapezoid over the ROC curve gives.
        long twiceU = 0;
        long negativesAbove = 0;
        long positivesSoFar = 0;
        double precisionMass = 0;
        int end = n;
        while (end > 0)
        {
            int start = end - 1;
            double score = keys[start];
            while (start > 0 && keys[start - 1] == score)
            {
                start--;
            }

            long groupPositives = 0;
            for (int k = start; k < end; k++)
            {
                groupPositives += items[k];
            }

            long groupNegatives = end - start - groupPositives;
            long negativesBelow = negatives - negativesAbove - groupNegatives;
            twiceU += (2 * groupPositives * negativesBelow) + (groupPositives * groupNegatives);
            negativesAbove += groupNegatives;
            positivesSoFar += groupPositives;
            if (computeAveragePrecision && groupPositives > 0)
            {
                double precision = (double)positivesSoFar / (positivesSoFar + negativesAbove);
                precisionMass += groupPositives * precision;
            }

            end = start;
        }

        // Dividing once at the end (rather than weighting each step by groupPositives / positives) makes a perfect
        // ranking score exactly 1.
        return (twiceU / (2.0 * positives * negatives), precisionMass / positives);
    }

    private static int CountPositivesOfFinitePairs(ReadOnlySpan<int> labels, ReadOnlySpan<double> scores)
    {
        RequireSameNonEmptyLength(labels.Length, scores.Length);
        int positives = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            RequireLabel(labels[i], i, nameof(labels));
            if (!double.IsFinite(scores[i]))
            {
                throw new ArgumentException($"Score at index {i} is not finite.", nameof(scores));
            }

            positives += labels[i];
        }

        return positives;
    }

    private static void RequireLabel(int label, int index, string paramName)
    {
        if (label is not (0 or 1))
        {
            throw new ArgumentException($"Label at index {index} is {label}; binary labels are 0 or 1.", paramName);
        }
    }

    private static void RequireSameNonEmptyLength(int labels, int scores)
    {
        if (labels != scores)
        {
            throw new ArgumentException($"Got {labels} labels but {scores} scores; every label needs exactly one score.", nameof(scores));
        }

        if (labels == 0)
        {
            throw new ArgumentException("Metrics need at least one (label, score) pair.", nameof(labels));
        }
    }
}
