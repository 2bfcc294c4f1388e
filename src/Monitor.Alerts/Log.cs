using Microsoft.Extensions.Logging;

namespace Monitor.Alerts;

/// <summary>Every log line of alert delivery; targets pass through <see cref="Redact"/> because webhook URLs can embed tokens.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Delivered {Channel} to {Target} (key {IdempotencyKey}, attempt {Attempt}, status {Status})")]
    public static partial void Delivered(ILogger logger, string channel, string target, string idempotencyKey, int attempt, int status);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Delivery of {Channel} to {Target} failed (key {IdempotencyKey}, attempt {Attempt}): {Error}; next attempt at {NextAttemptAt}")]
    public static partial void DeliveryFailed(ILogger logger, string channel, string target, string idempotencyKey, int attempt, string error, DateTimeOffset nextAttemptAt);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Error, Message = "Gave up delivering {Channel} to {Target} (key {IdempotencyKey}) after {Attempts} attempts: {Error}; kept as dead")]
    public static partial void DeliveryDead(ILogger logger, string channel, string target, string idempotencyKey, int attempts, string error);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "Outbox {Directory} loaded: {Pending} pending, {Delivered} delivered, {Dead} dead")]
    public static partial void OutboxLoaded(ILogger logger, string directory, int pending, int delivered, int dead);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Error, Message = "Outbox item {Path} is unreadable and was set aside: {Error}")]
    public static partial void CorruptItem(ILogger logger, string path, string error);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Information, Message = "Retrain webhook for {Model} (key {IdempotencyKey}) answered {Status}")]
    public static partial void RetrainAnswered(ILogger logger, string model, string idempotencyKey, int status);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Warning, Message = "Secret environment variable {VariableName} is not set")]
    public static partial void SecretMissing(ILogger logger, string variableName);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Debug, Message = "Enqueued {Channel} to {Target} (key {IdempotencyKey})")]
    public static partial void Enqueued(ILogger logger, string channel, string target, string idempotencyKey);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Error, Message = "Could not write the outbox state of {Channel} to {Target}: {Error}; will retry")]
    public static partial void PersistFailed(ILogger logger, string channel, string target, string error);

    /// <summary>An http(s) target reduced to scheme, host and port, never user info (Slack and many webhook URLs carry a token in the path or query).</summary>
    public static string Redact(string target) =>
        Uri.TryCreate(target, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri.Scheme + "://" + uri.Host + (uri.IsDefaultPort ? string.Empty : ":" + uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))
                + (uri.AbsolutePath.Length > 1 || uri.Query.Length > 0 ? "/…" : string.Empty)
            : target;
}
