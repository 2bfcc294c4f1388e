namespace Monitor.Core.Rules;

/// <summary>
/// The performance metrics a rule file may set limits on, per task, with their direction and range.
/// </summary>
public static class PerformanceMetrics
{
    /// <summary>What a metric name means for limits.</summary>
    /// <param name="Name">The rule-file name.</param>
    /// <param name="HigherIsBetter">True for scores (limits are floors), false for errors (limits are ceilings).</param>
    /// <param name="Min">The smallest value the metric can take.</param>
    /// <param name="Max">The largest value the metric can take.</param>
    public sealed record Info(string Name, bool HigherIsBetter, double Min, double Max);

    private static readonly Info[] Binary =
    [
        new("accuracy", true, 0, 1), new("precision", true, 0, 1), new("recall", true, 0, 1), new("f1", true, 0, 1),
        new("roc_auc", true, 0, 1), new("pr_auc", true, 0, 1), new("log_loss", false, 0, double.PositiveInfinity),
        new("brier", false, 0, 1), new("calibration_error", false, 0, 1), new("label_coverage", true, 0, 1),
    ];

    private static readonly Info[] Multiclass =
    [
        new("accuracy", true, 0, 1), new("macro_f1", true, 0, 1), new("micro_f1", true, 0, 1),
        new("min_class_recall", true, 0, 1), new("log_loss", false, 0, double.PositiveInfinity), new("label_coverage", true, 0, 1),
    ];

    private static readonly Info[] RegressionMetrics =
    [
        new("mae", false, 0, double.PositiveInfinity), new("rmse", false, 0, double.PositiveInfinity),
        new("mape", false, 0, double.PositiveInfinity), new("r2", true, double.NegativeInfinity, 1),
        new("bias", false, 0, double.PositiveInfinity), new("label_coverage", true, 0, 1),
    ];

    /// <summary>The metrics valid for <paramref name="task"/>, in documentation order.</summary>
    /// <remarks><c>bias</c> limits the absolute mean error; <c>min_class_recall</c> is the worst per-class recall.</remarks>
    public static IReadOnlyList<Info> For(ModelTask task) => task switch
    {
        ModelTask.BinaryClassification => Binary,
        ModelTask.MulticlassClassification => Multiclass,
        _ => RegressionMetrics,
    };

    /// <summary>Finds a metric valid for <paramref name="task"/> by name.</summary>
    public static Info? Find(ModelTask task, string name)
    {
        foreach (var info in For(task))
        {
            if (string.Equals(info.Name, name, StringComparison.Ordinal))
            {
                return info;
            }
        }

        return null;
    }
}
