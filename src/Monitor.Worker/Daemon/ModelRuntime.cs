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

    /// <summary>Closed windows reported so far.</summary>
    public long WindowsReported => Interlocked.Read(ref _windows);

    /// <summary>Records reports (closed windows, back-fills, or provisional open windows).</summary>
    public void Record(IReadOnlyList<WindowReport> reports)
    {
        lock (_gate)
        {
            foreach (var report in reports)
            {
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

/// <summary>Evaluates a model's open windows provisionally (on the thread that owns the window state).</summary>
internal interface IOpenWindowEvaluator
{
    /// <summary>Provisional reports of the model's open windows.</summary>
    Task<IReadOnlyList<WindowReport>> EvaluateOpenAsync(string model, CancellationToken cancellationToken);
}
