using Monitor.Core.Evaluation;
using Monitor.Core.Pipeline;
using Monitor.Worker.Models;

namespace Monitor.Worker.Daemon;

/// <summary>
/// One monitored model inside the daemon: its compiled rules, its pipeline (window state) and its latest
/// reports. The ingest loop and the evaluation job both use the pipeline, always under <see cref="Gate"/>.
/// </summary>
internal sealed class ModelRuntime(RuleFile file, CompiledModel model)
{
    private WindowReport? _latestFinal;
    private IReadOnlyList<WindowReport> _open = [];

    public RuleFile File { get; } = file;

    public CompiledModel Model { get; } = model;

    public string Name => Model.Model;

    /// <summary>Guards <see cref="Pipeline"/>; held briefly per message batch, per evaluation, per checkpoint.</summary>
    public Lock Gate { get; } = new();

    public ModelPipeline Pipeline { get; private set; } = new(model);

    /// <summary>The last closed window's report.</summary>
    public WindowReport? LatestFinal
    {
        get
        {
            lock (Gate)
            {
                return _latestFinal;
            }
        }
    }

    /// <summary>The provisional reports of the open windows at the last evaluation.</summary>
    public IReadOnlyList<WindowReport> LatestOpen
    {
        get
        {
            lock (Gate)
            {
                return _open;
            }
        }
    }

    /// <summary>Replaces the pipeline with one restored from a checkpoint.</summary>
    public void Restore(ModelPipeline pipeline)
    {
        lock (Gate)
        {
            Pipeline = pipeline;
        }
    }

    /// <summary>Evaluates what closed since the last call (and the open windows when the rules ask for it).</summary>
    public IReadOnlyList<WindowReport> Evaluate()
    {
        lock (Gate)
        {
            bool includeOpen = Model.Rules.Schedule.EvaluateOpenWindow;
            var reports = Pipeline.Evaluate(includeOpen);
            foreach (var report in reports)
            {
                if (report.Final && report.Revision == 0 && (_latestFinal is null || report.Window.End >= _latestFinal.Window.End))
                {
                    _latestFinal = report;
                }
            }

            _open = [.. reports.Where(r => !r.Final)];
            return reports;
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
