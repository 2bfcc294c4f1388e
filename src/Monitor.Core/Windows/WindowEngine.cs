using Monitor.Core.Accumulators;
using Monitor.Core.Ingest;

namespace Monitor.Core.Windows;

/// <summary>
/// The event-time window state of one model: assigns decoded events to panes, joins late labels, closes windows
/// when the watermark passes their end plus the allowed lateness, and hands merged windows to the evaluator.
/// Pure and deterministic: the same events in the same order with the same watermarks give the same windows.
/// </summary>
/// <remarks>
/// Late events (for a window already closed) are counted in <see cref="LateEvents"/>, never added silently.
/// Labels join predictions by event id: a prediction waits <see cref="ModelLayout.LabelTimeToLive"/> (in event
/// time) for its label, a label that comes first waits as long for its prediction. A label that joins a closed
/// window's prediction back-fills that window: its performance is reported again as a new revision.
/// </remarks>
public sealed class WindowEngine
{
    private const byte Tag = 0x57; // 'W'
    private const byte Version = 1;

    private readonly ModelLayout _layout;
    private readonly int[] _numericSlots;
    private readonly int[] _categoricalSlots;
    private readonly WindowSpec _spec;
    private readonly SortedDictionary<long, WindowPane> _panes = [];
    private readonly Dictionary<long, int> _emitted = [];   // window end ticks → revisions emitted
    private readonly HashSet<long> _dirty = [];             // window end ticks whose performance changed after emission
    private readonly Dictionary<string, PendingPrediction> _awaitingLabel = new(StringComparer.Ordinal);
    private readonly PriorityQueue<string, long> _predictionExpiry = new();
    private readonly Dictionary<string, PendingLabel> _awaitingPrediction = new(StringComparer.Ordinal);
    private readonly PriorityQueue<string, long> _labelExpiry = new();
    private readonly List<WindowSnapshot> _ready = [];
    private readonly int _labelNumeric;
    private readonly int _labelCategorical;
    private long _watermark = long.MinValue;
    private long _nextCloseAt = long.MaxValue;
    private long _nextEvictAt = long.MaxValue;
    private WindowPane? _lastPane;
    private int _sinceBudgetCheck;
    private long _exactBytesHeld;

    // How often (in events) the exact values of all panes are weighed against the layout's memory budget.
    private const int BudgetCheckEvery = 4096;

    /// <summary>Creates the state for one model.</summary>
    public WindowEngine(ModelLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        _layout = layout;
        _spec = layout.Window;
        _labelNumeric = IndexOfLabel(layout.Numeric.Select(c => c.Role));
        _labelCategorical = IndexOfLabel(layout.Categorical.Select(c => c.Role));
        _numericSlots = [.. layout.Numeric.Select(c => c.Slot)];
        _categoricalSlots = [.. layout.Categorical.Select(c => c.Slot)];
    }

    private static int IndexOfLabel(IEnumerable<StreamRole> roles)
    {
        int i = 0;
        foreach (var role in roles)
        {
            if (role == StreamRole.Label)
            {
                return i;
            }

            i++;
        }

        return -1;
    }

    /// <summary>The layout this engine accumulates.</summary>
    public ModelLayout Layout => _layout;

    /// <summary>Prediction events accepted into a pane.</summary>
    public long Events { get; private set; }

    /// <summary>Prediction events whose window had already closed.</summary>
    public long LateEvents { get; private set; }

    /// <summary>Labels joined to their prediction.</summary>
    public long LabelsJoined { get; private set; }

    /// <summary>Labels that joined after their window's report (back-fills).</summary>
    public long LabelsBackfilled { get; private set; }

    /// <summary>Labels whose prediction's pane was already dropped (older than lateness plus label TTL).</summary>
    public long LabelsTooLate { get; private set; }

    /// <summary>Labels for an event id whose label had already arrived.</summary>
    public long LabelsDuplicate { get; private set; }

    /// <summary>Predictions that waited the full TTL for a label in vain.</summary>
    public long PredictionsExpired { get; private set; }

    /// <summary>Labels that waited the full TTL for their prediction in vain.</summary>
    public long LabelsUnmatched { get; private set; }

    /// <summary>Predictions waiting for a label now.</summary>
    public int PendingPredictions => _awaitingLabel.Count;

    /// <summary>Labels waiting for their prediction now.</summary>
    public int PendingLabels => _awaitingPrediction.Count;

    /// <summary>The watermark: windows ending at or before it minus the lateness are closed.</summary>
    public DateTimeOffset? Watermark => _watermark == long.MinValue ? null : new DateTimeOffset(_watermark, TimeSpan.Zero);

    /// <summary>Panes held in memory.</summary>
    public int PaneCount => _panes.Count;

    /// <summary>Adds one decoded prediction (or feature-log) event.</summary>
    /// <returns><see langword="false"/> when the event was late and only counted.</returns>
    public bool AddPrediction(DecodedEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var paneRange = _spec.PaneOf(e.Timestamp);
        if (IsLate(paneRange))
        {
            LateEvents++;
            return false;
        }

        var pane = GetOrCreatePane(paneRange);
        if (pane.FeaturesReleased)
        {
            LateEvents++;
            return false;
        }

        pane.Events++;
        Events++;
        var numeric = pane.Numeric!;
        var numericSlots = _numericSlots;
        for (int i = 0; i < numeric.Length && i < numericSlots.Length; i++)
        {
            int slot = numericSlots[i];
            if (slot < 0)
            {
                continue;
            }

            switch (e.NumericState[slot])
            {
                case FieldState.Present:
                    numeric[i].Add(e.Numeric[slot]);
                    break;
                case FieldState.Missing:
                    numeric[i].AddMissing();
                    break;
                default:
                    numeric[i].AddTypeError();
                    break;
            }
        }

        var categorical = pane.Categorical!;
        var categoricalSlots = _categoricalSlots;
        for (int i = 0; i < categorical.Length && i < categoricalSlots.Length; i++)
        {
            int slot = categoricalSlots[i];
            if (slot < 0)
            {
                continue;
            }

            switch (e.CategoricalState[slot])
            {
                case FieldState.Present:
                    categorical[i].Add(e.Category(slot));
                    break;
                case FieldState.Missing:
                    categorical[i].AddMissing();
                    break;
                default:
                    categorical[i].AddTypeError();
                    break;
            }
        }

        if (_layout.Performance is { } kind && e.EventId is { } id)
        {
            RememberPrediction(kind, id, e, pane);
        }

        if (++_sinceBudgetCheck >= BudgetCheckEvery && _layout.ExactMemoryBudget != long.MaxValue)
        {
            _sinceBudgetCheck = 0;
            EnforceExactBudget();
        }

        return true;
    }

    /// <summary>Adds a binary (0/1) or regression ground truth for <paramref name="eventId"/>.</summary>
    public void AddLabel(string eventId, DateTimeOffset labelTime, double truth) => AddLabel(eventId, labelTime, truth, null);

    /// <summary>Adds a multiclass ground truth for <paramref name="eventId"/>.</summary>
    public void AddLabel(string eventId, DateTimeOffset labelTime, string truthClass) => AddLabel(eventId, labelTime, double.NaN, truthClass);

    /// <summary>
    /// Moves the watermark forward (it never moves back) and closes every window whose end plus the allowed
    /// lateness it has passed; the closed windows wait in <see cref="TakeReady"/>.
    /// </summary>
    public void AdvanceWatermark(DateTimeOffset watermark)
    {
        long w = watermark.UtcTicks;
        if (w <= _watermark)
        {
            return;
        }

        _watermark = w;
        ExpireJoins();
        if (w >= _nextCloseAt)
        {
            CloseWindows();
        }
        else if (w >= _nextEvictAt)
        {
            ReleaseAndEvict(new DateTimeOffset(w, TimeSpan.Zero));
        }
    }

    /// <summary>Returns the closed windows produced since the last call, oldest first, and the back-fill revisions.</summary>
    /// <param name="includeBackfills">
    /// Whether to emit windows whose performance changed through late labels. Labels trickle in one by one, so
    /// callers emit back-fills on a schedule rather than after every message; until then they stay pending (and
    /// are checkpointed).
    /// </param>
    public IReadOnlyList<WindowSnapshot> TakeReady(bool includeBackfills = true)
    {
        foreach (long end in includeBackfills ? _dirty.Order() : Enumerable.Empty<long>())
        {
            var range = new TimeRange(new DateTimeOffset(end, TimeSpan.Zero) - _spec.Size, new DateTimeOffset(end, TimeSpan.Zero));
            int revision = _emitted[end];
            _emitted[end] = revision + 1;
            _ready.Add(Merge(range, final: true, revision, performanceOnly: true));
        }

        if (includeBackfills)
        {
            _dirty.Clear();
        }

        var result = _ready.ToArray();
        _ready.Clear();
        return result;
    }

    /// <summary>The open windows with data, merged as they stand (provisional: their numbers will still change).</summary>
    public IReadOnlyList<WindowSnapshot> SnapshotOpen()
    {
        var result = new List<WindowSnapshot>();
        foreach (var end in OpenWindowEnds())
        {
            var range = new TimeRange(new DateTimeOffset(end, TimeSpan.Zero) - _spec.Size, new DateTimeOffset(end, TimeSpan.Zero));
            result.Add(Merge(range, final: false, revision: 0, performanceOnly: false));
        }

        return result;
    }

    /// <summary>Writes the complete state (panes, joins, watermark, counters) for a checkpoint.</summary>
    public void Write(StateWriter w)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.Byte(Tag);
        w.Byte(Version);
        w.Text(_layout.Model);
        w.Count64(_watermark);
        w.Count64(Events);
        w.Count64(LateEvents);
        w.Count64(LabelsJoined);
        w.Count64(LabelsBackfilled);
        w.Count64(LabelsTooLate);
        w.Count64(LabelsDuplicate);
        w.Count64(PredictionsExpired);
        w.Count64(LabelsUnmatched);
        w.Count32(_panes.Count);
        foreach (var pane in _panes.Values)
        {
            pane.Write(w);
        }

        w.Count32(_emitted.Count);
        foreach (var (end, revisions) in _emitted.OrderBy(kv => kv.Key))
        {
            w.Count64(end);
            w.Count32(revisions);
            w.Bool(_dirty.Contains(end));
        }

        w.Count32(_awaitingLabel.Count);
        foreach (var (id, p) in _awaitingLabel.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            w.Text(id);
            w.Count64(p.PaneStart);
            w.Count64(p.ExpiresAt);
            w.Real(p.Prediction);
            w.Text(p.PredictedClass ?? string.Empty);
            w.Bool(p.Joined);
        }

        w.Count32(_awaitingPrediction.Count);
        foreach (var (id, l) in _awaitingPrediction.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            w.Text(id);
            w.Count64(l.ExpiresAt);
            w.Real(l.Truth);
            w.Text(l.TruthClass ?? string.Empty);
        }

        _ready.Clear();
    }

    /// <summary>Restores a state written by <see cref="Write"/> for the same layout.</summary>
    public static WindowEngine Read(ref StateReader r, ModelLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        r.Expect(Tag, "a window engine");
        byte version = r.Byte();
        if (version != Version)
        {
            throw new InvalidDataException($"Window state version {version} is not supported (expected {Version}).");
        }

        string model = r.Text();
        if (!string.Equals(model, layout.Model, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"The checkpoint holds model '{model}', not '{layout.Model}'.");
        }

        var e = new WindowEngine(layout)
        {
            _watermark = r.Count64(),
            Events = r.Count64(),
            LateEvents = r.Count64(),
            LabelsJoined = r.Count64(),
            LabelsBackfilled = r.Count64(),
            LabelsTooLate = r.Count64(),
            LabelsDuplicate = r.Count64(),
            PredictionsExpired = r.Count64(),
            LabelsUnmatched = r.Count64(),
        };
        int panes = r.Count32();
        for (int i = 0; i < panes; i++)
        {
            var pane = WindowPane.Read(ref r, layout);
            e._panes.Add(pane.Range.Start.UtcTicks, pane);
        }

        int emitted = r.Count32();
        for (int i = 0; i < emitted; i++)
        {
            long end = r.Count64();
            e._emitted[end] = r.Count32();
            if (r.Bool())
            {
                e._dirty.Add(end);
            }
        }

        int awaiting = r.Count32();
        for (int i = 0; i < awaiting; i++)
        {
            string id = r.Text();
            var p = new PendingPrediction(r.Count64(), r.Count64(), r.Real(), NullIfEmpty(r.Text())) { Joined = r.Bool() };
            e._awaitingLabel[id] = p;
            e._predictionExpiry.Enqueue(id, p.ExpiresAt);
        }

        int labels = r.Count32();
        for (int i = 0; i < labels; i++)
        {
            string id = r.Text();
            var l = new PendingLabel(r.Count64(), r.Real(), NullIfEmpty(r.Text()));
            e._awaitingPrediction[id] = l;
            e._labelExpiry.Enqueue(id, l.ExpiresAt);
        }

        e.RecomputeNextClose();
        e.ReleaseAndEvict(new DateTimeOffset(Math.Max(e._watermark, DateTimeOffset.MinValue.UtcTicks), TimeSpan.Zero));
        return e;
    }

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;

    private bool IsLate(TimeRange pane) =>
        _watermark != long.MinValue && _spec.IsClosed(pane, new DateTimeOffset(_watermark, TimeSpan.Zero));

    private WindowPane GetOrCreatePane(TimeRange range)
    {
        long key = range.Start.UtcTicks;
        if (_lastPane is { } last && last.Range.Start.UtcTicks == key)
        {
            return last; // consecutive events mostly fall into the same pane
        }

        if (!_panes.TryGetValue(key, out var pane))
        {
            pane = new WindowPane(range, _layout);
            _panes.Add(key, pane);
            long closeAt = (range.End + _spec.AllowedLateness).UtcTicks;
            if (closeAt < _nextCloseAt)
            {
                _nextCloseAt = closeAt;
            }
        }

        _lastPane = pane;
        return pane;
    }

    /// <summary>Accumulators switched to their sketches early to keep exact values within the memory budget.</summary>
    public long ExactBudgetSwitches { get; private set; }

    /// <summary>
    /// Bytes of exact values all panes held at the last budget check (every 4,096 events; 0 before the first or
    /// without a budget). Safe to read from other threads (metrics).
    /// </summary>
    public long ExactBytesHeld => Volatile.Read(ref _exactBytesHeld);

    /// <summary>
    /// Keeps the exact values of all panes within <see cref="ModelLayout.ExactMemoryBudget"/>: past it, the
    /// accumulators holding the most switch to their sketches until three quarters of the budget are left in use.
    /// </summary>
    private void EnforceExactBudget()
    {
        long budget = _layout.ExactMemoryBudget;
        long held = 0;
        foreach (var pane in _panes.Values)
        {
            if (pane.Numeric is { } numeric)
            {
                foreach (var accumulator in numeric)
                {
                    held += accumulator.IsExact ? accumulator.StoreBytes : 0;
                }
            }
        }

        if (held <= budget)
        {
            Volatile.Write(ref _exactBytesHeld, held);
            return;
        }

        var exact = _panes.Values.Where(p => p.Numeric is not null).SelectMany(p => p.Numeric!).Where(a => a.IsExact && a.StoreBytes > 0)
            .OrderByDescending(a => a.StoreBytes).ToList();
        foreach (var accumulator in exact)
        {
            if (held <= budget / 4 * 3)
            {
                break;
            }

            held -= accumulator.StoreBytes;
            accumulator.SwitchToSketch();
            ExactBudgetSwitches++;
        }

        Volatile.Write(ref _exactBytesHeld, held);
    }

    private void RememberPrediction(PerformanceKind kind, string id, DecodedEvent e, WindowPane pane)
    {
        double prediction = double.NaN;
        string? predictedClass = null;
        int slot = _layout.PredictionSlot;
        if (kind == PerformanceKind.Multiclass)
        {
            if (slot >= 0 && e.CategoricalState[slot] == FieldState.Present)
            {
                predictedClass = e.Category(slot).ToString();
            }
        }
        else if (slot >= 0 && e.NumericState[slot] == FieldState.Present)
        {
            prediction = e.Numeric[slot];
        }

        if (double.IsNaN(prediction) && predictedClass is null)
        {
            return; // nothing to score a label against; the prediction stream counts the missing value
        }

        if (_awaitingPrediction.Remove(id, out var early))
        {
            Join(pane, prediction, predictedClass, early.Truth, early.TruthClass);
            // Keep a joined marker so that a second label for the id counts as a duplicate.
            _awaitingLabel[id] = new PendingPrediction(pane.Range.Start.UtcTicks, early.ExpiresAt, prediction, predictedClass) { Joined = true };
            _predictionExpiry.Enqueue(id, early.ExpiresAt);
            return;
        }

        long expires = (e.Timestamp + _layout.LabelTimeToLive).UtcTicks;
        _awaitingLabel[id] = new PendingPrediction(pane.Range.Start.UtcTicks, expires, prediction, predictedClass);
        _predictionExpiry.Enqueue(id, expires);
    }

    private void AddLabel(string eventId, DateTimeOffset labelTime, double truth, string? truthClass)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventId);
        if (truthClass is null && !double.IsFinite(truth))
        {
            throw new ArgumentException("A label value must be finite.", nameof(truth));
        }

        if (_awaitingLabel.TryGetValue(eventId, out var pending))
        {
            if (pending.Joined)
            {
                LabelsDuplicate++;
                return;
            }

            pending.Joined = true;
            if (!_panes.TryGetValue(pending.PaneStart, out var pane))
            {
                LabelsTooLate++;
                return;
            }

            Join(pane, pending.Prediction, pending.PredictedClass, truth, truthClass);
            return;
        }

        if (_awaitingPrediction.ContainsKey(eventId))
        {
            LabelsDuplicate++;
            return;
        }

        long expires = (labelTime + _layout.LabelTimeToLive).UtcTicks;
        _awaitingPrediction[eventId] = new PendingLabel(expires, truth, truthClass);
        _labelExpiry.Enqueue(eventId, expires);
    }

    private void Join(WindowPane pane, double prediction, string? predictedClass, double truth, string? truthClass)
    {
        var perf = pane.Performance!;
        if (perf.Kind == PerformanceKind.Multiclass)
        {
            if (truthClass is null || predictedClass is null)
            {
                return;
            }

            perf.AddClasses(truthClass, predictedClass);
        }
        else
        {
            if (double.IsNaN(prediction) || double.IsNaN(truth))
            {
                return;
            }

            perf.Add(truth, prediction);
        }

        LabelsJoined++;
        AddLabelValue(pane, truth, truthClass, perf.Kind);
        foreach (var window in _spec.WindowsContaining(pane.Range))
        {
            if (_emitted.ContainsKey(window.End.UtcTicks))
            {
                _dirty.Add(window.End.UtcTicks);
                LabelsBackfilled++;
            }
        }
    }

    /// <summary>Label drift: the joined labels of a pane, while its windows are still open.</summary>
    private void AddLabelValue(WindowPane pane, double truth, string? truthClass, PerformanceKind kind)
    {
        if (pane.FeaturesReleased)
        {
            return;
        }

        if (_labelNumeric >= 0 && kind == PerformanceKind.Regression)
        {
            pane.Numeric![_labelNumeric].Add(truth);
        }
        else if (_labelCategorical >= 0 && kind != PerformanceKind.Regression)
        {
            pane.Categorical![_labelCategorical].Add(truthClass ?? (truth >= 0.5 ? "1" : "0"));
        }
    }

    private void ExpireJoins()
    {
        while (_predictionExpiry.TryPeek(out string? id, out long at) && at <= _watermark)
        {
            _predictionExpiry.Dequeue();
            if (_awaitingLabel.TryGetValue(id, out var p) && p.ExpiresAt == at)
            {
                _awaitingLabel.Remove(id);
                if (!p.Joined)
                {
                    PredictionsExpired++;
                }
            }
        }

        while (_labelExpiry.TryPeek(out string? id, out long at) && at <= _watermark)
        {
            _labelExpiry.Dequeue();
            if (_awaitingPrediction.TryGetValue(id, out var l) && l.ExpiresAt == at)
            {
                _awaitingPrediction.Remove(id);
                LabelsUnmatched++;
            }
        }
    }

    private void CloseWindows()
    {
        var watermark = new DateTimeOffset(_watermark, TimeSpan.Zero);
        var closing = new SortedSet<long>();
        foreach (var pane in _panes.Values)
        {
            foreach (var window in _spec.WindowsContaining(pane.Range))
            {
                long end = window.End.UtcTicks;
                if (!_emitted.ContainsKey(end) && _spec.IsClosed(window, watermark))
                {
                    closing.Add(end);
                }
            }
        }

        foreach (long end in closing)
        {
            var range = new TimeRange(new DateTimeOffset(end, TimeSpan.Zero) - _spec.Size, new DateTimeOffset(end, TimeSpan.Zero));
            _ready.Add(Merge(range, final: true, revision: 0, performanceOnly: false));
            _emitted[end] = 1;
        }

        ReleaseAndEvict(watermark);
        RecomputeNextClose();
    }

    private void ReleaseAndEvict(DateTimeOffset watermark)
    {
        var drop = new List<long>();
        _nextEvictAt = long.MaxValue;
        foreach (var (start, pane) in _panes)
        {
            // A pane's last window ends Size − Slide after the pane does.
            var lastWindowEnd = pane.Range.End + (_spec.Size - _spec.Slide);
            if (!_spec.IsClosed(new TimeRange(lastWindowEnd - _spec.Size, lastWindowEnd), watermark))
            {
                continue;
            }

            pane.ReleaseFeatures();
            var evictAt = lastWindowEnd + _spec.AllowedLateness + (pane.Performance is null ? TimeSpan.Zero : _layout.LabelTimeToLive);
            if (watermark >= evictAt)
            {
                drop.Add(start);
            }
            else
            {
                _nextEvictAt = Math.Min(_nextEvictAt, evictAt.UtcTicks);
            }
        }

        foreach (long start in drop)
        {
            _panes.Remove(start);
        }

        _lastPane = null;

        // Forget emitted windows none of whose panes remain.
        long oldest = _panes.Count == 0 ? long.MaxValue : _panes.Keys.First();
        foreach (long end in _emitted.Keys.Where(end => end <= oldest).ToList())
        {
            if (!_dirty.Contains(end))
            {
                _emitted.Remove(end);
            }
        }
    }

    private void RecomputeNextClose()
    {
        _nextCloseAt = long.MaxValue;
        foreach (long end in OpenWindowEnds())
        {
            long closeAt = end + _spec.AllowedLateness.Ticks;
            if (closeAt < _nextCloseAt)
            {
                _nextCloseAt = closeAt;
            }
        }
    }

    private SortedSet<long> OpenWindowEnds()
    {
        var ends = new SortedSet<long>();
        foreach (var pane in _panes.Values)
        {
            if (pane.FeaturesReleased)
            {
                continue;
            }

            foreach (var window in _spec.WindowsContaining(pane.Range))
            {
                if (!_emitted.ContainsKey(window.End.UtcTicks))
                {
                    ends.Add(window.End.UtcTicks);
                }
            }
        }

        return ends;
    }

    private WindowSnapshot Merge(TimeRange range, bool final, int revision, bool performanceOnly)
    {
        NumericAccumulator[]? numeric = performanceOnly ? null : _layout.Numeric.Select(s => s.CreateAccumulator()).ToArray();
        CategoricalAccumulator[]? categorical = performanceOnly ? null : _layout.Categorical.Select(s => s.CreateAccumulator()).ToArray();
        PerformanceAccumulator? performance = _layout.Performance is { } kind
            ? new PerformanceAccumulator(kind, _layout.PerformanceExactLimit, (ulong)range.Start.UtcTicks)
            : null;
        long events = 0;
        foreach (var start in _spec.PaneStartsOf(range))
        {
            if (!_panes.TryGetValue(start.UtcTicks, out var pane))
            {
                continue;
            }

            events += pane.Events;
            if (numeric is not null && pane.Numeric is not null)
            {
                for (int i = 0; i < numeric.Length; i++)
                {
                    numeric[i].Merge(pane.Numeric[i]);
                }

                for (int i = 0; i < categorical!.Length; i++)
                {
                    categorical[i].Merge(pane.Categorical![i]);
                }
            }

            if (performance is not null && pane.Performance is not null)
            {
                performance.Merge(pane.Performance);
            }
        }

        return new WindowSnapshot(_layout.Model, range, final, revision, events, numeric, categorical, performance);
    }

    private sealed class PendingPrediction(long paneStart, long expiresAt, double prediction, string? predictedClass)
    {
        public long PaneStart { get; } = paneStart;

        public long ExpiresAt { get; } = expiresAt;

        public double Prediction { get; } = prediction;

        public string? PredictedClass { get; } = predictedClass;

        public bool Joined { get; set; }
    }

    private sealed record PendingLabel(long ExpiresAt, double Truth, string? TruthClass);
}
