using Monitor.Core.Accumulators;

namespace Monitor.Core.Windows;

/// <summary>
/// A window's merged accumulators, handed to the evaluator. Final windows are closed (watermark past end plus
/// lateness); provisional ones are still open. A back-fill revision (<see cref="Revision"/> &gt; 0) carries only
/// performance: late labels changed it after the window's full report was made.
/// </summary>
public sealed class WindowSnapshot
{
    internal WindowSnapshot(string model, TimeRange range, bool final, int revision, long events,
        NumericAccumulator[]? numeric, CategoricalAccumulator[]? categorical, PerformanceAccumulator? performance)
    {
        Model = model;
        Range = range;
        Final = final;
        Revision = revision;
        Events = events;
        Numeric = numeric;
        Categorical = categorical;
        Performance = performance;
    }

    /// <summary>The model.</summary>
    public string Model { get; }

    /// <summary>The window's time range.</summary>
    public TimeRange Range { get; }

    /// <summary>Whether the window is closed (its numbers no longer change, except performance by back-fill).</summary>
    public bool Final { get; }

    /// <summary>0 for the first report of a window; n for the n-th performance back-fill.</summary>
    public int Revision { get; }

    /// <summary>Prediction events in the window.</summary>
    public long Events { get; }

    /// <summary>Numeric stream accumulators in layout order; <see langword="null"/> for back-fill revisions.</summary>
    public IReadOnlyList<NumericAccumulator>? Numeric { get; }

    /// <summary>Categorical stream accumulators in layout order; <see langword="null"/> for back-fill revisions.</summary>
    public IReadOnlyList<CategoricalAccumulator>? Categorical { get; }

    /// <summary>Joined (label, prediction) pairs; <see langword="null"/> when the model has no labels.</summary>
    public PerformanceAccumulator? Performance { get; }
}
