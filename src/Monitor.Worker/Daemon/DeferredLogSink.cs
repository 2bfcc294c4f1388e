using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;

namespace Monitor.Worker.Daemon;

/// <summary>
/// The Serilog sink that forwards Monitor's own logs to Elasticsearch once the exporter exists. The exporter
/// logs through Serilog itself, so the sink cannot depend on it at construction (a cycle); events logged before
/// it is attached wait in a small bounded queue (oldest dropped beyond <see cref="EarlyCapacity"/>).
/// </summary>
internal sealed class DeferredLogSink : ILogEventSink
{
    public const int EarlyCapacity = 1000;

    private readonly ConcurrentQueue<LogEvent> _early = new();
    private volatile ILogEventSink? _target;

    public void Emit(LogEvent logEvent)
    {
        if (_target is { } target)
        {
            target.Emit(logEvent);
            return;
        }

        _early.Enqueue(logEvent);
        while (_early.Count > EarlyCapacity && _early.TryDequeue(out _))
        {
        }
    }

    /// <summary>Attaches the real sink and hands it what was logged before.</summary>
    public void Attach(ILogEventSink target)
    {
        ArgumentNullException.ThrowIfNull(target);
        while (_early.TryDequeue(out var early))
        {
            target.Emit(early);
        }

        _target = target;
    }
}
