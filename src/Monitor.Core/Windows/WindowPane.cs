using Monitor.Core.Accumulators;

namespace Monitor.Core.Windows;

/// <summary>The accumulators of one pane (the unit events land in; windows merge panes).</summary>
internal sealed class WindowPane
{
    public WindowPane(TimeRange range, ModelLayout layout)
    {
        Range = range;
        Numeric = layout.Numeric.Select(s => s.CreateAccumulator()).ToArray();
        Categorical = layout.Categorical.Select(s => s.CreateAccumulator()).ToArray();
        Performance = layout.Performance is { } kind ? new PerformanceAccumulator(kind, layout.PerformanceExactLimit, (ulong)range.Start.UtcTicks) : null;
    }

    private WindowPane(TimeRange range)
    {
        Range = range;
    }

    public TimeRange Range { get; }

    public long Events { get; set; }

    /// <summary>Feature and prediction accumulators; <see langword="null"/> once every window holding the pane is evaluated.</summary>
    public NumericAccumulator[]? Numeric { get; private set; }

    public CategoricalAccumulator[]? Categorical { get; private set; }

    /// <summary>Kept until late labels can no longer arrive, for back-filling performance.</summary>
    public PerformanceAccumulator? Performance { get; private set; }

    public bool FeaturesReleased => Numeric is null;

    public void ReleaseFeatures()
    {
        // Window snapshots merged copies of these values; nothing else reads them: their chunks go back to the pool.
        foreach (var accumulator in Numeric ?? [])
        {
            accumulator.ReleaseValues();
        }

        Numeric = null;
        Categorical = null;
    }

    public void Write(StateWriter w)
    {
        w.Count64(Range.Start.UtcTicks);
        w.Count64(Range.End.UtcTicks);
        w.Count64(Events);
        w.Bool(Numeric is not null);
        if (Numeric is not null)
        {
            foreach (var a in Numeric)
            {
                a.Write(w);
            }

            foreach (var c in Categorical!)
            {
                c.Write(w);
            }
        }

        w.Bool(Performance is not null);
        Performance?.Write(w);
    }

    public static WindowPane Read(ref StateReader r, ModelLayout layout)
    {
        var range = new TimeRange(new DateTimeOffset(r.Count64(), TimeSpan.Zero), new DateTimeOffset(r.Count64(), TimeSpan.Zero));
        var pane = new WindowPane(range) { Events = r.Count64() };
        if (r.Bool())
        {
            pane.Numeric = new NumericAccumulator[layout.Numeric.Count];
            for (int i = 0; i < pane.Numeric.Length; i++)
            {
                pane.Numeric[i] = NumericAccumulator.Read(ref r, layout.Numeric[i].Options, layout.Numeric[i].Bins);
            }

            pane.Categorical = new CategoricalAccumulator[layout.Categorical.Count];
            for (int i = 0; i < pane.Categorical.Length; i++)
            {
                pane.Categorical[i] = CategoricalAccumulator.Read(ref r, layout.Categorical[i].KnownCategories, layout.Categorical[i].Cap);
            }
        }

        if (r.Bool())
        {
            pane.Performance = PerformanceAccumulator.Read(ref r);
        }

        return pane;
    }
}
