using Monitor.Core.Accumulators;
using Monitor.Core.Baselines;
using Monitor.Core.Evaluation;
using Monitor.Core.Rules;
using Monitor.Core.Windows;

namespace Monitor.Core.Pipeline;

/// <summary>
/// The reference of a model whose baseline comes from its own traffic: <c>kind: rolling</c> (the preceding N
/// closed windows) or <c>kind: window</c> (the closed windows inside a fixed past interval, frozen once the
/// interval has passed). Fed every closed window in order; says when the reference changed.
/// </summary>
/// <remarks>
/// Such models have no persisted bins, so their binned tests fit bins to the reference sample of the moment and
/// count the window's sample into them: exact while the window is exact, estimated (and reported as sketch)
/// once it is not. The reference lives in memory: after a restart it is rebuilt from the windows that close.
/// </remarks>
internal sealed class ReferenceTracker
{
    private readonly BaselineRule _rule;
    private readonly ModelLayout _layout;
    private readonly string _model;
    private readonly Queue<WindowSnapshot> _rolling = new();
    private readonly List<WindowSnapshot> _fixed = [];
    private bool _frozen;

    public ReferenceTracker(BaselineRule rule, ModelLayout layout, string model)
    {
        _rule = rule;
        _layout = layout;
        _model = model;
    }

    /// <summary>Whether rules with this baseline need a tracker.</summary>
    public static bool Applies(BaselineRule? rule) => rule?.Kind is BaselineKind.Rolling or BaselineKind.Window;

    /// <summary>Takes a closed window (revision 0); returns true when the reference changed.</summary>
    public bool Observe(WindowSnapshot window)
    {
        if (!window.Final || window.Revision != 0 || window.Numeric is null)
        {
            return false;
        }

        if (_rule.Kind == BaselineKind.Rolling)
        {
            _rolling.Enqueue(window);
            while (_rolling.Count > (_rule.Windows ?? 1))
            {
                _rolling.Dequeue();
            }

            return true;
        }

        if (_frozen)
        {
            return false;
        }

        var start = _rule.Start ?? DateTimeOffset.MinValue;
        var end = _rule.End ?? DateTimeOffset.MaxValue;
        if (window.Range.Start >= start && window.Range.End <= end)
        {
            _fixed.Add(window);
            return true;
        }

        if (window.Range.End > end && _fixed.Count > 0)
        {
            _frozen = true;
        }

        return false;
    }

    /// <summary>The reference as a baseline profile (merged windows), or null while there is none.</summary>
    public BaselineProfile? Profile(DateTimeOffset now)
    {
        var windows = _rule.Kind == BaselineKind.Rolling ? [.. _rolling] : _fixed;
        if (windows.Count == 0)
        {
            return null;
        }

        var numeric = _layout.Numeric.Select(c => new NumericAccumulator(c.Options, null)).ToArray();
        var categorical = _layout.Categorical.Select(c => new CategoricalAccumulator(c.KnownCategories, c.Cap)).ToArray();
        PerformanceAccumulator? performance = null;
        long events = 0;
        foreach (var w in windows)
        {
            events += w.Events;
            for (int i = 0; i < numeric.Length; i++)
            {
                numeric[i].Merge(w.Numeric![i]);
            }

            for (int i = 0; i < categorical.Length; i++)
            {
                categorical[i].Merge(w.Categorical![i]);
            }

            if (w.Performance is { } p)
            {
                performance ??= new PerformanceAccumulator(p.Kind, p.ExactLimit);
                performance.Merge(p);
            }
        }

        Dictionary<string, double?>? metrics = null;
        if (performance is { Count: > 0 })
        {
            metrics = new Dictionary<string, double?>(StringComparer.Ordinal);
            MetricSet.Into(metrics, performance);
        }

        var first = windows[0].Range.Start;
        var last = windows[^1].Range.End;
        string kind = _rule.Kind == BaselineKind.Rolling ? "rolling" : "window";
        return new BaselineProfile
        {
            Id = $"{_model}-{kind}-{last.UtcDateTime:yyyyMMddTHHmmss}Z",
            Model = _model,
            CreatedAt = now,
            Source = new BaselineSource(kind, $"[{ReportLines.Iso(first)}, {ReportLines.Iso(last)})", null, events),
            Numeric = _layout.Numeric.Select((c, i) => (c.Name, Profile: NumericProfile.From(numeric[i], null, null))).ToDictionary(x => x.Name, x => x.Profile, StringComparer.Ordinal),
            Categorical = _layout.Categorical.Select((c, i) => (c.Name, Profile: CategoricalProfile.From(categorical[i]))).ToDictionary(x => x.Name, x => x.Profile, StringComparer.Ordinal),
            Performance = metrics,
        };
    }
}
