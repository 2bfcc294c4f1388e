using Monitor.Core.Accumulators;
using Monitor.Core.Drift.Numeric;

namespace Monitor.Core.Windows;

/// <summary>What a numeric stream is to the model.</summary>
public enum StreamRole
{
    /// <summary>An input feature.</summary>
    Feature,

    /// <summary>The model's output: a score, a regression value, or the predicted class.</summary>
    Prediction,

    /// <summary>The ground truth, joined later from the label topic.</summary>
    Label,
}

/// <summary>A numeric stream accumulated per pane: a decoder slot, its role and how values are stored.</summary>
/// <param name="Name">The feature name (or <c>prediction</c> / <c>label</c>).</param>
/// <param name="Role">Feature, prediction or label.</param>
/// <param name="Slot">The decoder's numeric slot (−1 for label streams, which are fed by the join).</param>
/// <param name="Options">Exact limit, sketch size and valid range.</param>
/// <param name="Bins">The baseline's bins, or <see langword="null"/> without a baseline.</param>
public sealed record NumericChannel(string Name, StreamRole Role, int Slot, NumericAccumulatorOptions Options, QuantileBins? Bins)
{
    /// <summary>A new empty accumulator for this stream.</summary>
    public NumericAccumulator CreateAccumulator() => new(Options, Bins);
}

/// <summary>A categorical stream accumulated per pane.</summary>
/// <param name="Name">The feature name (or <c>prediction</c> / <c>label</c>).</param>
/// <param name="Role">Feature, prediction or label.</param>
/// <param name="Slot">The decoder's categorical slot (−1 for label streams).</param>
/// <param name="KnownCategories">The baseline's categories.</param>
/// <param name="Cap">Unseen categories tracked by name at most.</param>
public sealed record CategoricalChannel(string Name, StreamRole Role, int Slot, IReadOnlySet<string> KnownCategories, int Cap)
{
    /// <summary>A new empty accumulator for this stream.</summary>
    public CategoricalAccumulator CreateAccumulator() => new(KnownCategories, Cap);
}

/// <summary>
/// Everything accumulated for one model per pane, in a fixed order that checkpoints rely on. Compiled from the
/// rule file and the baseline.
/// </summary>
/// <param name="Model">The model name.</param>
/// <param name="Window">The model's windows.</param>
/// <param name="Numeric">Numeric streams (features, then prediction/label streams).</param>
/// <param name="Categorical">Categorical streams.</param>
/// <param name="Performance">The performance kind when labels are joined; <see langword="null"/> otherwise.</param>
/// <param name="PredictionSlot">The decoder slot holding the prediction to pair with labels: numeric for binary
/// scores and regression values, categorical for multiclass labels; −1 without labels.</param>
/// <param name="PerformanceExactLimit">Joined pairs kept exactly per pane before sampling.</param>
/// <param name="LabelTimeToLive">How long a prediction waits for its label (in event time) before it expires.</param>
public sealed record ModelLayout(
    string Model,
    WindowSpec Window,
    IReadOnlyList<NumericChannel> Numeric,
    IReadOnlyList<CategoricalChannel> Categorical,
    PerformanceKind? Performance,
    int PredictionSlot,
    int PerformanceExactLimit,
    TimeSpan LabelTimeToLive)
{
    /// <summary>
    /// Bytes that exact values of all open panes may take together before the largest switch to sketches
    /// (<c>sketch.exact_memory_mb</c>); unbounded by default.
    /// </summary>
    public long ExactMemoryBudget { get; init; } = long.MaxValue;
}
