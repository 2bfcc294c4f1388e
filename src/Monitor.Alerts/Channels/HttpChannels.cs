using Microsoft.Extensions.Logging;

namespace Monitor.Alerts.Channels;

/// <summary>The generic webhook: a signed POST of the versioned JSON alert (schema version 1, docs/delivery.md).</summary>
public sealed class WebhookChannel : INotificationChannel
{
    private readonly SignedHttpSender _sender;

    /// <summary>Creates the channel over a client the host owns (e.g. from <c>IHttpClientFactory</c>).</summary>
    /// <param name="http">The client; its own timeout should exceed the outbox attempt timeout.</param>
    /// <param name="options">Signing options.</param>
    /// <param name="time">The clock for the signed timestamp.</param>
    /// <param name="logger">The logger.</param>
    public WebhookChannel(HttpClient http, HttpChannelOptions options, TimeProvider time, ILogger<WebhookChannel> logger) =>
        _sender = new SignedHttpSender(http, options, time, logger);

    /// <inheritdoc/>
    public string Name => ChannelNames.Webhook;

    /// <inheritdoc/>
    public Task<DeliveryResult> SendAsync(Delivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return _sender.PostAsync(delivery.Target, Payloads.Webhook(delivery.RequireAlert()), delivery.IdempotencyKey, null, cancellationToken);
    }
}

/// <summary>A Slack-compatible incoming webhook (text fallback plus blocks), signed like every Monitor request.</summary>
public sealed class SlackChannel : INotificationChannel
{
    private readonly SignedHttpSender _sender;

    /// <summary>Creates the channel.</summary>
    /// <param name="http">The client.</param>
    /// <param name="options">Signing options.</param>
    /// <param name="time">The clock for the signed timestamp.</param>
    /// <param name="logger">The logger.</param>
    public SlackChannel(HttpClient http, HttpChannelOptions options, TimeProvider time, ILogger<SlackChannel> logger) =>
        _sender = new SignedHttpSender(http, options, time, logger);

    /// <inheritdoc/>
    public string Name => ChannelNames.Slack;

    /// <inheritdoc/>
    public Task<DeliveryResult> SendAsync(Delivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return _sender.PostAsync(delivery.Target, Payloads.Slack(delivery.RequireAlert()), delivery.IdempotencyKey, null, cancellationToken);
    }
}

/// <summary>
/// Prometheus Alertmanager: <c>POST {target}/api/v2/alerts</c> with labels alertname, model, rule, severity and route;
/// a resolved notification carries <c>endsAt</c>.
/// </summary>
public sealed class AlertmanagerChannel : INotificationChannel
{
    /// <summary>The API path appended to a target that is a base URL.</summary>
    public const string AlertsPath = "/api/v2/alerts";

    private readonly SignedHttpSender _sender;

    /// <summary>Creates the channel.</summary>
    /// <param name="http">The client.</param>
    /// <param name="options">Signing options (Alertmanager ignores the headers; a proxy in front may check them).</param>
    /// <param name="time">The clock for the signed timestamp.</param>
    /// <param name="logger">The logger.</param>
    public AlertmanagerChannel(HttpClient http, HttpChannelOptions options, TimeProvider time, ILogger<AlertmanagerChannel> logger) =>
        _sender = new SignedHttpSender(http, options, time, logger);

    /// <inheritdoc/>
    public string Name => ChannelNames.Alertmanager;

    /// <inheritdoc/>
    public Task<DeliveryResult> SendAsync(Delivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return _sender.PostAsync(AlertsUrl(delivery.Target), Payloads.Alertmanager(delivery.RequireAlert()), delivery.IdempotencyKey, null, cancellationToken);
    }

    internal static string AlertsUrl(string target)
    {
        string t = target.TrimEnd('/');
        return t.EndsWith(AlertsPath, StringComparison.Ordinal) ? t : t + AlertsPath;
    }
}

/// <summary>
/// The retrain webhook: a signed POST of the retrain request (schema version 1) to the pipeline's URL; the secret comes
/// from the request's <c>secret_env</c> when set, else from the options. The response status is kept in the outbox item.
/// </summary>
public sealed class RetrainChannel : INotificationChannel
{
    private readonly SignedHttpSender _sender;
    private readonly ILogger<RetrainChannel> _logger;

    /// <summary>Creates the channel.</summary>
    /// <param name="http">The client.</param>
    /// <param name="options">Signing options used when the request names no secret variable.</param>
    /// <param name="time">The clock for the signed timestamp.</param>
    /// <param name="logger">The logger.</param>
    public RetrainChannel(HttpClient http, HttpChannelOptions options, TimeProvider time, ILogger<RetrainChannel> logger)
    {
        _sender = new SignedHttpSender(http, options, time, logger);
        _logger = logger;
    }

    /// <inheritdoc/>
    public string Name => ChannelNames.Retrain;

    /// <summary>Raised after every attempt with the request and the pipeline's HTTP status (null when none came back).</summary>
    public event Action<Core.Alerts.RetrainRequest, int?>? Answered;

    /// <inheritdoc/>
    public async Task<DeliveryResult> SendAsync(Delivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var request = delivery.RequireRetrain();
        var result = await _sender.PostAsync(delivery.Target, Payloads.Retrain(request), delivery.IdempotencyKey, request.SecretEnv, cancellationToken)
            .ConfigureAwait(false);
        Log.RetrainAnswered(_logger, request.Model, request.IdempotencyKey, result.StatusCode ?? 0);
        Answered?.Invoke(request, result.StatusCode);
        return result;
    }
}
