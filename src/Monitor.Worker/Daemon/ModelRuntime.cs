using Monitor.Core.Evaluation;
using Monitor.Core.Pipeline;
using Monitor.Worker.Models;

namespace Monitor.Worker.Daemon;

/// <summary>
/// One monitored model inside the daemon: its compiled rules and its latest reports. The window state itself
/// lives in the ingest's pipelines, which only the ingest's processing task touches.
/// </summary>
internal sealed class ModelRuntime(RuleFile file, CompiledModel model)
{
    private readonly Lock _gate = new();
    /// <summary>How many closed windows' reports the API keeps per model.</summary>
    public const int History = 500;

    private readonly LinkedList<WindowReport> _history = new();
    private WindowReport? _latestFinal;
    private IReadOnlyList<WindowReport> _open = [];
    private long _windows;

    public RuleFile File { get; } = file;

    public CompiledModel Model { get; } = model;

    public string Name => Model.Model;

    /// <summary>The last closed window's report.</summary>
    public WindowReport? LatestFinal
    {
        get
        {
            lock (_gate)
            {
                return _latestFinal;
            }
        }
    }

    /// <summary>The provisional reports of the open windows at the last scheduled evaluation.</summary>
    public IReadOnlyList<WindowReport> LatestOpen
    {
        get
        {
            lock (_gate)
            {
                return _open;
            }
        }
    }

    /// <summary>The latest report of each of the last <see cref="History"/> closed windows, oldest first.</summary>
    public IReadOnlyList<WindowReport> Recent
    {
        get
        {
            lock (_gate)
            {
                return [.. _history];
            }
        }
    }

    /// <summary>The last retrain call: when it was answered, why it was made, the HTTP status (null: no answer).</summary>
    public (DateTimeOffset At, string Reason, int? Status, string Key)? LastRetrain { get; set; }

    /// <summary>Closed windows reported so far.</summary>
    public long WindowsReported => Interlocked.Read(ref _windows);

    private void Remember(WindowReport report)
    {
        for (var node = _history.Last; node is not null; node = node.Previous)
        {
            if (node.Value.Window == report.Window)
            {
                // A back-fill replaces the performance of the window's full report.
                node.Value = report.Revision > 0 ? node.Value with { Revision = report.Revision, Performance = report.Performance } : report;
                return;
            }

            if (node.Value.Window.End < report.Window.End)
            {
                _history.AddAfter(node, report);
                Trim();
                return;
            }
        }

        _history.AddFirst(report);
        Trim();
    }

    private void Trim()
    {
        while (_history.Count > History)
        {
            _history.RemoveFirst();
        }
    }

    /// <summary>Records reports (closed windows, back-fills, or provisional open windows).</summary>
    public void Record(IReadOnlyList<WindowReport> reports)
    {
        lock (_gate)
        {
            foreach (var report in reports)
            {
                if (report.Final)
                {
                    Remember(report);
                }

                if (report.Final && report.Revision == 0)
                {
                    _windows++;
                    if (_latestFinal is null || report.Window.End >= _latestFinal.Window.End)
                    {
                        _latestFinal = report;
                    }
                }
            }

            var open = reports.Where(r => !r.Final).ToList();
            // (A back-fill carries performance only: the API shows it merged into the window's report.)
            if (open.Count > 0)
            {
                _open = open;
            }
        }
    }
}

/// <summary>All models of the daemon, by name.</summary>
internal sealed class ModelRuntimes(IEnumerable<ModelRuntime> models)
{
    private readonly Dictionary<string, ModelRuntime> _byName = models.ToDictionary(m => m.Name, StringComparer.Ordinal);

    public IReadOnlyCollection<ModelRuntime> All => _byName.Values;

    public ModelRuntime? Find(string name) => _byName.GetValueOrDefault(name);
}

/// <summary>Receives every report the daemon produces (exporters, alert policy, console).</summary>
internal interface IReportSink
{
    /// <summary>A short name for logs.</summary>
    string Name { get; }

    /// <summary>Takes the reports of one evaluation of one model, oldest first.</summary>
    void Publish(ModelRuntime model, IReadOnlyList<WindowReport> reports);
}

/// <summary>The scheduled evaluation, run on the thread that owns the window state.</summary>
internal interface IOpenWindowEvaluator
{
    /// <summary>Back-fill revisions of closed windows (late labels) and, when asked, provisional reports of the open windows.</summary>
    Task<IReadOnlyList<WindowReport>> EvaluateScheduledAsync(string model, bool includeOpen, CancellationToken cancellationToken);
}

/// <summary>Moves metrics that mirror another component's counters up to date (called before each scrape).</summary>
internal interface IMetricsRefresher
{
    void RefreshMetrics();
}
