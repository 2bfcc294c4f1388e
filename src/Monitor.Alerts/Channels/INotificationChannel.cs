using Monitor.Core.Alerts;

namespace Monitor.Alerts.Channels;

/// <summary>
/// One way of delivering outbox items (e-mail, webhook, Slack, Alertmanager, retrain). The outbox calls
/// <see cref="SendAsync"/> once per attempt and per target, so an implementation sends exactly one message and
/// never retries by itself: retries, backoff and deduplication belong to the outbox.
/// </summary>
public interface INotificationChannel
{
    /// <summary>The channel name the outbox routes by; one of <see cref="ChannelNames"/>.</summary>
    string Name { get; }

    /// <summary>Sends one delivery to its target. Throwing is treated like a retryable failure.</summary>
    /// <param name="delivery">What to send and where.</param>
    /// <param name="cancellationToken">Cancelled on shutdown or when the attempt times out.</param>
    /// <returns>Whether it was accepted and, if not, whether trying again can help.</returns>
    Task<DeliveryResult> SendAsync(Delivery delivery, CancellationToken cancellationToken);
}

/// <summary>The channel names used in the outbox files and in the per-channel counts; a bounded set.</summary>
public static class ChannelNames
{
    /// <summary>E-mail over SMTP.</summary>
    public const string Email = "email";

    /// <summary>The generic signed JSON webhook (schema version 1).</summary>
    public const string Webhook = "webhook";

    /// <summary>A Slack-compatible incoming webhook.</summary>
    public const string Slack = "slack";

    /// <summary>Prometheus Alertmanager's <c>/api/v2/alerts</c>.</summary>
    public const string Alertmanager = "alertmanager";

    /// <summary>A training pipeline's retrain webhook.</summary>
    public const string Retrain = "retrain";

    /// <summary>The name of an alert channel from the rule file.</summary>
    /// <param name="channel">The rule file's channel.</param>
    /// <returns>The outbox channel name.</returns>
    public static string Of(Monitor.Core.Rules.AlertChannel channel) => channel switch
    {
        Monitor.Core.Rules.AlertChannel.Email => Email,
        Monitor.Core.Rules.AlertChannel.Webhook => Webhook,
        Monitor.Core.Rules.AlertChannel.Slack => Slack,
        Monitor.Core.Rules.AlertChannel.Alertmanager => Alertmanager,
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, "Unknown alert channel."),
    };
}

/// <summary>One item to send: an alert or a retrain request, for one target of one channel.</summary>
/// <param name="Channel">The channel name (<see cref="ChannelNames"/>).</param>
/// <param name="Target">One e-mail address or URL.</param>
/// <param name="IdempotencyKey">The key receivers deduplicate by; sent as the <c>Idempotency-Key</c> header.</param>
/// <param name="Alert">The alert, for alert channels.</param>
/// <param name="Retrain">The retrain request, for <see cref="ChannelNames.Retrain"/>.</param>
public sealed record Delivery(string Channel, string Target, string IdempotencyKey, AlertNotification? Alert, RetrainRequest? Retrain)
{
    /// <summary>The alert, or an exception naming the mismatch; channels call it to fail loudly on misrouting.</summary>
    /// <returns>The alert.</returns>
    public AlertNotification RequireAlert() =>
        Alert ?? throw new InvalidOperationException($"Channel '{Channel}' needs an alert notification but the delivery holds none.");

    /// <summary>The retrain request, or an exception naming the mismatch.</summary>
    /// <returns>The retrain request.</returns>
    public RetrainRequest RequireRetrain() =>
        Retrain ?? throw new InvalidOperationException($"Channel '{Channel}' needs a retrain request but the delivery holds none.");
}

/// <summary>The outcome of one attempt.</summary>
/// <param name="Delivered">The target accepted it.</param>
/// <param name="Retryable">On failure: whether another attempt can succeed (network errors, 5xx, 408, 429); false for e.g. 400/401/404.</param>
/// <param name="StatusCode">The HTTP or SMTP status, when one was received; recorded in the outbox file.</param>
/// <param name="Error">A short description of the failure; never holds a secret.</param>
public readonly record struct DeliveryResult(bool Delivered, bool Retryable, int? StatusCode, string? Error)
{
    /// <summary>Accepted.</summary>
    /// <param name="statusCode">The status received.</param>
    /// <returns>A successful result.</returns>
    public static DeliveryResult Ok(int? statusCode = null) => new(true, false, statusCode, null);

    /// <summary>Not accepted.</summary>
    /// <param name="retryable">Whether another attempt can help.</param>
    /// <param name="error">What went wrong.</param>
    /// <param name="statusCode">The status received, if any.</param>
    /// <returns>A failed result.</returns>
    public static DeliveryResult Fail(bool retryable, string error, int? statusCode = null) => new(false, retryable, statusCode, error);
}
