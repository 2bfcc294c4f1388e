using Monitor.Core.Evaluation;
using Monitor.Exporters.Prometheus;

namespace Monitor.Worker.Daemon;

/// <summary>Publishes every report to the Prometheus families (docs/metrics.md) served on /metrics.</summary>
internal sealed class PrometheusSink(MonitorMetrics metrics, TimeProvider time) : IReportSink
{
    public string Name => "prometheus";

    public void Publish(ModelRuntime model, IReadOnlyList<WindowReport> reports)
    {
        var now = time.GetUtcNow();
        foreach (var report in reports)
        {
            metrics.Publish(report, now);
        }

        if (model.Model.Baseline is { } baseline)
        {
            metrics.BaselineCreated(model.Name, baseline.CreatedAt, now);
        }
    }
}
