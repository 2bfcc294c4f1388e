using Quartz;

namespace Monitor.Worker.Daemon;

/// <summary>
/// A model's cron trigger. Closed windows are evaluated the moment the watermark closes them (by the ingest,
/// which owns the window state, so a final report never waits for the schedule); the schedule reports the
/// back-fills of closed windows whose performance late labels changed, and evaluates the open window
/// provisionally when the rules ask for it (<c>schedule.evaluate_open_window</c>).
/// </summary>
[DisallowConcurrentExecution]
internal sealed class EvaluationJob(ModelRuntimes models, IOpenWindowEvaluator evaluator, ReportFanOut fanOut) : IJob
{
    public const string ModelKey = "model";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        string name = context.MergedJobDataMap.GetString(ModelKey) ?? throw new JobExecutionException("The job has no model name.");
        var model = models.Find(name) ?? throw new JobExecutionException($"Unknown model '{name}'.");
        var reports = await evaluator.EvaluateScheduledAsync(name, model.Model.Rules.Schedule.EvaluateOpenWindow, cancellationToken).ConfigureAwait(false);
        fanOut.Publish(name, reports);
    }
}
