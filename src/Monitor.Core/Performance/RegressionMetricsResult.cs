namespace Monitor.Core.Performance;

/// <summary>
/// The error of a regression model over one window of joined (actual, predicted) pairs, as computed by
/// <see cref="RegressionMetrics.Compute"/>. Every value is computed once, so reading any of them is free.
/// </summary>
/// <param name="Count">The number of (actual, predicted) pairs.</param>
/// <param name="Mae">The mean absolute error.</param>
/// <param name="Rmse">The root mean squared error.</param>
/// <param name="Mape">The mean of |predicted − actual| / |actual| over the pairs whose actual value is not zero, as a
/// fraction (0.05 means 5 %); <see langword="null"/> when every actual value is zero.</param>
/// <param name="MapeExcludedZeroTargets">How many pairs <paramref name="Mape"/> left out because the actual value is zero.</param>
/// <param name="R2">The coefficient of determination 1 − SS_res / SS_tot; <see langword="null"/> when the actual values
/// are all equal (SS_tot = 0), where it is undefined.</param>
/// <param name="MeanBias">The mean of predicted − actual: positive when the model over-predicts.</param>
public sealed record RegressionMetricsResult(
    int Count,
    double Mae,
    double Rmse,
    double? Mape,
    int MapeExcludedZeroTargets,
    double? R2,
    double MeanBias);
