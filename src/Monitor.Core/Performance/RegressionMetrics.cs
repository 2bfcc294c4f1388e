namespace Monitor.Core.Performance;

/// <summary>
/// Regression metrics over a window of joined (actual, predicted) pairs, matching scikit-learn 1.2's
/// <c>mean_absolute_error</c>, <c>mean_squared_error</c> and <c>r2_score</c>, with two deliberate differences:
/// MAPE skips zero targets (sklearn divides by machine epsilon there, so one zero target swamps the mean) and R² is
/// <see langword="null"/> for a constant target (sklearn reports 1 or 0 by convention).
/// </summary>
public static class RegressionMetrics
{
    /// <summary>Computes every regression metric in two passes over the pairs.</summary>
    /// <param name="actual">The observed targets, each finite.</param>
    /// <param name="predicted">The model's predictions, each finite.</param>
    /// <exception cref="ArgumentException">The spans differ in length or are empty, a value is not finite (the message
    /// names the first offending index), or the errors overflow double precision.</exception>
    public static RegressionMetricsResult Compute(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted)
    {
        if (actual.Length != predicted.Length)
        {
            throw new ArgumentException(
                $"Got {actual.Length} actual values but {predicted.Length} predictions; every actual value needs exactly one prediction.",
                nameof(predicted));
        }

        if (actual.Length == 0)
        {
            throw new ArgumentException("Metrics need at least one (actual, predicted) pair.", nameof(actual));
        }

        int n = actual.Length;
        CompensatedSum absSum = default, squaredSum = default, biasSum = default, actualSum = default, percentageSum = default;
        int zeroTargets = 0;
        bool constant = true;
        double first = actual[0];
        for (int i = 0; i < n; i++)
        {
            double y = actual[i];
            double p = predicted[i];
            if (!double.IsFinite(y))
            {
                throw new ArgumentException($"Actual value at index {i} is not finite.", nameof(actual));
            }

            if (!double.IsFinite(p))
            {
                throw new ArgumentException($"Prediction at index {i} is not finite.", nameof(predicted));
            }

            double error = p - y;
            absSum.Add(Math.Abs(error));
            squaredSum.Add(error * error);
            biasSum.Add(error);
            actualSum.Add(y);
            constant &= y == first;
            if (y == 0)
            {
                zeroTargets++;
            }
            else
            {
                percentageSum.Add(Math.Abs(error) / Math.Abs(y));
            }
        }

        double? r2 = null;
        if (!constant)
        {
            // Second pass: squared deviations from the mean keep precision when the targets sit far from zero.
            double mean = actualSum.Value / n;
            CompensatedSum totalSquares = default;
            for (int i = 0; i < n; i++)
            {
                double d = actual[i] - mean;
                totalSquares.Add(d * d);
            }

            r2 = 1 - (squaredSum.Value / totalSquares.Value);
        }

        var result = new RegressionMetricsResult(
            Count: n,
            Mae: absSum.Value / n,
            Rmse: Math.Sqrt(squaredSum.Value / n),
            Mape: zeroTargets == n ? null : percentageSum.Value / (n - zeroTargets),
            MapeExcludedZeroTargets: zeroTargets,
            R2: r2,
            MeanBias: biasSum.Value / n);

        // Finite inputs can still overflow (errors beyond ~1e154 square to infinity); never report that as a number.
        if (!double.IsFinite(result.Rmse) || !double.IsFinite(result.Mae) || !double.IsFinite(result.MeanBias)
            || result.Mape is { } mape && !double.IsFinite(mape) || result.R2 is { } r && !double.IsFinite(r))
        {
            throw new ArgumentException("The errors overflow double precision; rescale the targets before scoring them.", nameof(predicted));
        }

        return result;
    }
}
