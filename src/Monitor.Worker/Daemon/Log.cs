namespace Monitor.Worker.Daemon;

/// <summary>The daemon's log messages (source-generated).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Loaded {ModelCount} model(s) from {Rules}: {Models}")]
    public static partial void ModelsLoaded(ILogger logger, int modelCount, string rules, string models);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Window {WindowStart:o}–{WindowEnd:o} of {Model}: {Events} events, severity {Severity}, dataset drift {DriftShare:P0}")]
    public static partial void WindowEvaluated(ILogger logger, string model, DateTimeOffset windowStart, DateTimeOffset windowEnd, long events, string severity, double driftShare);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "Report sink {Sink} failed for {Model}; the other sinks were not affected")]
    public static partial void SinkFailed(ILogger logger, Exception exception, string sink, string model);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Scheduled {Model} with cron '{Cron}'")]
    public static partial void Scheduled(ILogger logger, string model, string cron);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Serving /healthz, /readyz, /metrics and /api on {Url}")]
    public static partial void Serving(ILogger logger, string url);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Alert {Model}/{Rule} {State} ({Severity}) to route {Route}: {Summary}")]
    public static partial void AlertDecided(ILogger logger, string model, string rule, string state, string severity, string route, string summary);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "Retrain of {Model} requested: {Reason}")]
    public static partial void RetrainRequested(ILogger logger, string model, string reason);

    [LoggerMessage(EventId = 9, Level = LogLevel.Critical, Message = "The Kafka ingest stopped on a fatal error; /readyz reports it")]
    public static partial void IngestFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 10, Level = LogLevel.Debug, Message = "Compacted the heap ({ReleasedMb} MB of exact values released since the last time, {Milliseconds:F1} ms)")]
    public static partial void HeapCompacted(ILogger logger, long releasedMb, double milliseconds);
}
