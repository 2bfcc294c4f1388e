using System.Diagnostics;
using Quartz;

namespace Monitor.Worker.Daemon;

/// <summary>
/// Evaluates one model's closed windows (and, when its rules ask, the open one) on the model's cron schedule,
/// then hands the reports to every sink. Thin by design: the work is in the pipeline and the sinks.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class EvaluationJob(ModelRuntimes models, IEnumerable<IReportSink> sinks, ILogger<EvaluationJob> logger) : IJob
{
    public const string ModelKey = "model";

    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        string name = context.MergedJobDataMap.GetString(ModelKey) ?? throw new JobExecutionException("The job has no model name.");
        var model = models.Find(name) ?? throw new JobExecutionException($"Unknown model '{name}'.");
        cancellationToken.ThrowIfCancellationRequested();
        RunOnce(model, sinks, logger);
        return ValueTask.CompletedTask;
    }

    /// <summary>One evaluation: also called directly by the demo and tests.</summary>
    public static TimeSpan RunOnce(ModelRuntime model, IEnumerable<IReportSink> sinks, ILogger logger)
    {
        var watch = Stopwatch.StartNew();
        IReadOnlyList<Core.Evaluation.WindowReport> reports;
        try
        {
            reports = model.Evaluate();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.EvaluationFailed(logger, ex, model.Name);
            return watch.Elapsed;
        }

        var elapsed = watch.Elapsed;
        foreach (var report in reports.Where(r => r.Final && r.Revision == 0))
        {
            string severity = Core.Evaluation.ReportLines.Name(report.Severity);
            Log.WindowEvaluated(logger, model.Name, report.Window.Start, report.Window.End, report.Events, severity, report.Dataset?.Share ?? 0);
        }

        if (reports.Count == 0)
        {
            return elapsed;
        }

        foreach (var sink in sinks)
        {
            // One failing sink (an exporter, a channel) never stops the others.
            try
            {
                sink.Publish(model, reports);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.SinkFailed(logger, ex, sink.Name, model.Name);
            }
        }

        return elapsed;
    }
}
