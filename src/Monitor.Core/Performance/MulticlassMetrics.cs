namespace Monitor.Core.Performance;

/// <summary>
/// The performance of a single-label multiclass classifier over one window, as computed by
/// <see cref="MulticlassClassificationMetrics.Compute"/>. The per-class lists are indexed by class id; a class that
/// appears neither among the labels nor among the predictions has <see langword="null"/> recall, precision and F1
/// (there is nothing to measure) and is left out of the macro averages, as sklearn leaves it out by default.
/// </summary>
/// <param name="Count">The number of (label, prediction) pairs.</param>
/// <param name="ClassCount">The number of classes (ids 0 … ClassCount − 1).</param>
/// <param name="PresentClassCount">The number of classes present in the labels or the predictions (the macro averages' denominator).</param>
/// <param name="Accuracy">The share of pairs whose prediction equals the label.</param>
/// <param name="MacroF1">The unweighted mean F1 over the classes present in the labels or the predictions.</param>
/// <param name="MicroF1">F1 from the pooled counts; for single-label data it equals <paramref name="Accuracy"/>.</param>
/// <param name="MacroPrecision">The unweighted mean precision over the classes present in the labels or the predictions.</param>
/// <param name="MacroRecall">The unweighted mean recall over the classes present in the labels or the predictions.</param>
/// <param name="Recall">Per class, TP / support; 0 for a class that is only predicted (sklearn's <c>zero_division=0</c>).</param>
/// <param name="Precision">Per class, TP / predicted count; 0 for a class that is never predicted (<c>zero_division=0</c>).</param>
/// <param name="F1">Per class, 2·TP / (support + predicted count).</param>
/// <param name="Support">Per class, how many labels belong to it.</param>
public sealed record MulticlassMetrics(
    int Count,
    int ClassCount,
    int PresentClassCount,
    double Accuracy,
    double MacroF1,
    double MicroF1,
    double MacroPrecision,
    double MacroRecall,
    IReadOnlyList<double?> Recall,
    IReadOnlyList<double?> Precision,
    IReadOnlyList<double?> F1,
    IReadOnlyList<int> Support);
