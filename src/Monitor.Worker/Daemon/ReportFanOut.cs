using Monitor.Core.Evaluation;

namespace Monitor.Worker.Daemon;

/// <summary>
/// Hands each evaluation's reports to the model's runtime and to every sink; one failing sink (an exporter, a
/// channel) never stops the others.
/// </summary>
internal sealed class ReportFanOut(ModelRuntimes models, IEnumerable<IReportSink> sinks, ILogger<ReportFanOut> logger)
{
    public void Publish(string model, IReadOnlyList<WindowReport> reports)
    {
        var runtime = models.Find(model);
        if (runtime is null || reports.Count == 0)
        {
            return;
        }

        runtime.Record(reports);
        foreach (var report in reports.Where(r => r.Final && r.Revision == 0))
        {
            string severity = ReportLines.Name(report.Severity);
            Log.WindowEvaluated(logger, model, report.Window.Start, report.Window.End, report.Events, severity, report.Dataset?.Share ?? 0);
        }

        foreach (var sink in sinks)
        {
            try
            {
                sink.Publish(runtime, reports);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.SinkFailed(logger, ex, sink.Name, model);
            }
        }
    }
}
