using System.Buffers;
using Monitor.Alerts.Outbox;
using Monitor.Core.Accumulators;
using Monitor.Core.Alerts;
using Monitor.Core.Evaluation;
using Monitor.Core.Rules;
using Monitor.Exporters.Prometheus;
using Monitor.Kafka.Ingest;

namespace Monitor.Worker.Daemon;

/// <summary>
/// Runs each model's alert policy over its reports and writes the resulting notifications and retrain requests
/// to the durable outbox. The policies' state is checkpointed with the windows (same task, same checkpoint), so
/// after a crash the replayed windows lead to the same decisions and the outbox drops the repeats by key.
/// </summary>
internal sealed class AlertSink : IReportSink, ICheckpointParticipant
{
    private readonly Dictionary<string, AlertPolicy> _policies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ModelRules> _rules = new(StringComparer.Ordinal);
    private readonly FileOutbox _outbox;
    private readonly MonitorMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<AlertSink> _logger;

    public AlertSink(ModelRuntimes models, FileOutbox outbox, MonitorMetrics metrics, TimeProvider time, ILogger<AlertSink> logger)
    {
        _outbox = outbox;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        foreach (var model in models.All)
        {
            _rules[model.Name] = model.Model.Rules;
            _policies[model.Name] = new AlertPolicy(model.Model.Rules, time);
        }
    }

    string IReportSink.Name => "alerts";

    string ICheckpointParticipant.Name => "alert-policies";

    /// <summary>Raised for every notification decided (the demo prints them).</summary>
    public event Action<AlertNotification>? Decided;

    public void Publish(ModelRuntime model, IReadOnlyList<WindowReport> reports)
    {
        var policy = _policies[model.Name];
        foreach (var report in reports)
        {
            var decision = policy.Observe(report);
            foreach (var notification in decision.Notifications)
            {
                _outbox.Enqueue(notification);
                Log.AlertDecided(_logger, notification.Model, notification.Rule, notification.State.ToString(), ReportLines.Name(notification.Severity), notification.Route, notification.Summary);
                Decided?.Invoke(notification);
            }

            foreach (var retrain in decision.RetrainRequests)
            {
                _outbox.Enqueue(retrain);
                Log.RetrainRequested(_logger, retrain.Model, retrain.Reason);
            }
        }

        foreach (var severity in new[] { AlertSeverity.Warning, AlertSeverity.Critical })
        {
            var level = severity == AlertSeverity.Critical ? Severity.Critical : Severity.Warning;
            _metrics.AlertsFiring(model.Name, severity, policy.Firing().Count(f => f.Severity == level));
        }
    }

    public byte[] Save()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new StateWriter(buffer);
        writer.Count32(_policies.Count);
        foreach (var (name, policy) in _policies.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            writer.Text(name);
            var inner = new ArrayBufferWriter<byte>();
            policy.Write(new StateWriter(inner));
            writer.Block(inner.WrittenSpan);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public void Restore(byte[]? state)
    {
        if (state is null)
        {
            return;
        }

        var reader = new StateReader(state);
        int count = reader.Count32();
        for (int i = 0; i < count; i++)
        {
            string name = reader.Text();
            var block = reader.Block();
            if (_rules.TryGetValue(name, out var rules))
            {
                var inner = new StateReader(block);
                _policies[name] = AlertPolicy.Read(ref inner, rules, _time);
            }
        }
    }
}

/// <summary>Mirrors the outbox's delivery counters into the alerts sent/failed and outbox depth metrics.</summary>
internal sealed class OutboxMetrics(FileOutbox outbox, MonitorMetrics metrics) : IMetricsRefresher
{
    private readonly Dictionary<string, (long Sent, long Failed)> _seen = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public void RefreshMetrics()
    {
        lock (_gate)
        {
            foreach (var stats in outbox.GetStats())
            {
                if (!Enum.TryParse<AlertChannel>(stats.Channel, ignoreCase: true, out var channel))
                {
                    continue; // retrain calls are counted per model by status
                }

                var (sent, failed) = _seen.GetValueOrDefault(stats.Channel);
                for (long i = sent; i < stats.Sent; i++)
                {
                    metrics.AlertSent(channel);
                }

                for (long i = failed; i < stats.Failed; i++)
                {
                    metrics.AlertFailed(channel);
                }

                _seen[stats.Channel] = (stats.Sent, stats.Failed);
            }

            metrics.OutboxDepth(outbox.Depth);
        }
    }
}
