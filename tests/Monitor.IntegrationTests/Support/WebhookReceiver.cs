using System.Globalization;
using System.Net;
using System.Text.Json;
using Monitor.Alerts.Channels;

namespace Monitor.IntegrationTests.Support;

/// <summary>One request the receiver got: its path, idempotency key (header and body), whether the signature verified, and the status it answered.</summary>
internal sealed record ReceivedCall(string Path, string? Key, string? BodyKey, bool SignatureValid, int Answered, byte[] Body);

/// <summary>
/// A loopback HTTP receiver for Monitor's signed POSTs (alerts and retrain requests), on <see cref="HttpListener"/>.
/// While <see cref="Down"/> it answers every request 503 (an outage the outbox retries); otherwise the status set per
/// path (default 200). Every request is recorded with its signature checked by <see cref="WebhookSignature.Verify"/>.
/// </summary>
internal sealed class WebhookReceiver : IDisposable
{
    private readonly HttpListener _listener;
    private readonly string _secret;
    private readonly Dictionary<string, int> _statusByPath;
    private readonly List<ReceivedCall> _calls = [];
    private readonly Task _loop;
    private volatile bool _down;

    public WebhookReceiver(string secret, bool down, IReadOnlyDictionary<string, int>? statusByPath = null)
    {
        _secret = secret;
        _down = down;
        _statusByPath = new Dictionary<string, int>(statusByPath ?? new Dictionary<string, int>(), StringComparer.Ordinal);
        _listener = Listen(out int port);
        Url = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}");
        _loop = Task.Run(ServeAsync);
    }

    /// <summary>The base URL, without a trailing slash.</summary>
    public string Url { get; }

    /// <summary>While true, every request is answered 503 Service Unavailable.</summary>
    public bool Down
    {
        get => _down;
        set => _down = value;
    }

    /// <summary>A snapshot of every request so far, in arrival order.</summary>
    public IReadOnlyList<ReceivedCall> Calls
    {
        get
        {
            lock (_calls)
            {
                return [.. _calls];
            }
        }
    }

    /// <summary>The requests to <paramref name="path"/> that were answered 2xx: the deliveries.</summary>
    public IReadOnlyList<ReceivedCall> Accepted(string path) =>
        Calls.Where(c => c.Path == path && c.Answered is >= 200 and < 300).ToList();

    public void Dispose()
    {
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The loop ends with the listener's disposal.
        }
    }

    private static HttpListener Listen(out int port)
    {
        // FreePort releases the port before HttpListener binds it: retry the rare case that something took it meanwhile.
        for (int attempt = 0; ; attempt++)
        {
            port = Infrastructure.FreePort();
            var listener = new HttpListener();
            listener.Prefixes.Add(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/"));
            try
            {
                listener.Start();
                return listener;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            try
            {
                Handle(context);
            }
            catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException)
            {
                // The client went away; the outbox counts that as a failed attempt and retries.
            }
        }
    }

    private void Handle(HttpListenerContext context)
    {
        var request = context.Request;
        using var buffer = new MemoryStream();
        request.InputStream.CopyTo(buffer);
        byte[] body = buffer.ToArray();
        string path = request.Url?.AbsolutePath ?? string.Empty;
        bool valid = long.TryParse(request.Headers[WebhookSignature.TimestampHeader], NumberStyles.None, CultureInfo.InvariantCulture, out long timestamp)
            && WebhookSignature.Verify(_secret, timestamp, body, request.Headers[WebhookSignature.SignatureHeader]);
        string? bodyKey = null;
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("idempotency_key", out var k))
            {
                bodyKey = k.GetString();
            }
        }
        catch (JsonException)
        {
            // Recorded with no body key: the test's assertion on the body key fails and shows it.
        }

        int status = _down ? 503 : _statusByPath.GetValueOrDefault(path, 200);
        lock (_calls)
        {
            _calls.Add(new ReceivedCall(path, request.Headers[WebhookSignature.IdempotencyKeyHeader], bodyKey, valid, status, body));
        }

        context.Response.StatusCode = status;
        context.Response.ContentLength64 = 0;
        context.Response.Close();
    }
}
