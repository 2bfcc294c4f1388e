using Microsoft.Extensions.Logging;

namespace Monitor.Kafka.Ingest;

/// <summary>The Kafka adapter's log messages.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Warning, "Checkpoint {Path} is damaged and was skipped: {Reason}")]
    public static partial void CheckpointDamaged(ILogger logger, string path, string reason);

    [LoggerMessage(2, LogLevel.Information, "Restored checkpoint {Path} (sequence {Sequence}, {Partitions} partitions, {Models} models)")]
    public static partial void CheckpointRestored(ILogger logger, string path, long sequence, int partitions, int models);

    [LoggerMessage(3, LogLevel.Warning, "Checkpoint has no state for model {Model}; its windows start empty")]
    public static partial void ModelNotInCheckpoint(ILogger logger, string model);

    [LoggerMessage(4, LogLevel.Warning, "Kafka consume error (the loop continues): {Error}")]
    public static partial void ConsumeError(ILogger logger, string error);

    [LoggerMessage(5, LogLevel.Warning, "Kafka client error {Code}: {Reason}")]
    public static partial void ClientError(ILogger logger, string code, string reason);

    [LoggerMessage(6, LogLevel.Critical, "Fatal Kafka error {Code}: {Reason}; the ingest stops")]
    public static partial void FatalError(ILogger logger, string code, string reason);

    [LoggerMessage(7, LogLevel.Debug, "Checkpoint {Sequence} written to {Path}")]
    public static partial void CheckpointWritten(ILogger logger, long sequence, string path);

    [LoggerMessage(8, LogLevel.Warning, "Checkpoint postponed: {Pending} dead letters are not yet delivered")]
    public static partial void CheckpointPostponed(ILogger logger, int pending);

    [LoggerMessage(9, LogLevel.Debug, "Offset commit not done ({Error}); the checkpoint's offsets stay authoritative")]
    public static partial void CommitSkipped(ILogger logger, string error);

    [LoggerMessage(10, LogLevel.Warning, "Dead letter to {Topic} not delivered ({Error}); it is retried before the next checkpoint")]
    public static partial void DeadLetterFailed(ILogger logger, string topic, string error);

    [LoggerMessage(11, LogLevel.Information, "Partitions assigned: {Partitions}")]
    public static partial void PartitionsAssigned(ILogger logger, string partitions);

    [LoggerMessage(12, LogLevel.Information, "Partitions revoked: {Partitions}")]
    public static partial void PartitionsRevoked(ILogger logger, string partitions);

    [LoggerMessage(13, LogLevel.Warning, "Partitions lost (no commit possible): {Partitions}")]
    public static partial void PartitionsLost(ILogger logger, string partitions);

    [LoggerMessage(14, LogLevel.Error, "A window report handler failed")]
    public static partial void ReportHandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(15, LogLevel.Error, "The ingest failed")]
    public static partial void IngestFailed(ILogger logger, Exception exception);

    [LoggerMessage(16, LogLevel.Information, "Kafka connection {State}")]
    public static partial void Connection(ILogger logger, string state);

    [LoggerMessage(17, LogLevel.Debug, "librdkafka {Facility}: {Message}")]
    public static partial void Librdkafka(ILogger logger, string facility, string message);

    [LoggerMessage(18, LogLevel.Error, "A dead-letter handler failed")]
    public static partial void DeadLetterHandlerFailed(ILogger logger, Exception exception);
}
