using Monitor.Alerts.Outbox;
using Monitor.Core.Rules;
using Monitor.Exporters.Prometheus;

namespace Monitor.Worker.Daemon;

/// <summary>
/// Moves <c>monitor_alerts_sent_total</c>, <c>monitor_alerts_failed_total</c> and <c>monitor_outbox_depth</c> to the
/// outbox's own counts before each scrape (the outbox counts per channel; the metrics are fed from those totals).
/// </summary>
internal sealed class OutboxMetrics(FileOutbox outbox, MonitorMetrics metrics)
{
    private static readonly Dictionary<string, AlertChannel> Channels = new(StringComparer.Ordinal)
    {
        ["email"] = AlertChannel.Email,
        ["webhook"] = AlertChannel.Webhook,
        ["slack"] = AlertChannel.Slack,
        ["alertmanager"] = AlertChannel.Alertmanager,
    };

    private readonly Lock _gate = new();
    private readonly Dictionary<string, (long Sent, long Failed)> _seen = new(StringComparer.Ordinal);

    public void Refresh()
    {
        lock (_gate)
        {
            foreach (var stats in outbox.GetStats())
            {
                if (!Channels.TryGetValue(stats.Channel, out var channel))
                {
                    continue; // retrain calls have their own family, by model and status
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

                _seen[stats.Channel] = (Math.Max(sent, stats.Sent), Math.Max(failed, stats.Failed));
            }

            metrics.OutboxDepth(outbox.Depth);
        }
    }
}
