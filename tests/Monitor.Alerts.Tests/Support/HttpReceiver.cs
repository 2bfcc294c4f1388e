using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Monitor.Alerts.Channels;

namespace Monitor.Alerts.Tests;

/// <summary>A real HTTP server on loopback that records each request and checks its signature.</summary>
internal sealed class HttpReceiver : IAsyncDisposable
{
    private readonly string? _secret;
    private HttpListener? _listener;
    private Task? _loop;

    public HttpReceiver(int port, string? secret)
    {
        Port = port;
        _secret = secret;
    }

    public int Port { get; }

    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    public ConcurrentQueue<Received> Requests { get; } = new();

    /// <summary>The status to answer per path; 200 when absent.</summary>
    public ConcurrentDictionary<string, int> StatusByPath { get; } = new();

    public void Start()
    {
        _listener = new HttpListener();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        var listener = _listener;
        _loop = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext ctx;
                try
                {
                    ctx = await listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                using var ms = new MemoryStream();
                await ctx.Request.InputStream.CopyToAsync(ms);
                byte[] body = ms.ToArray();
                string? ts = ctx.Request.Headers[WebhookSignature.TimestampHeader];
                string? sig = ctx.Request.Headers[WebhookSignature.SignatureHeader];
                bool valid = _secret is not null && ts is not null
                    && WebhookSignature.Verify(_secret, long.Parse(ts, CultureInfo.InvariantCulture), body, sig);
                string path = ctx.Request.Url!.AbsolutePath;
                int status = StatusByPath.TryGetValue(path, out int s) ? s : 200;
                Requests.Enqueue(new Received(path, ctx.Request.HttpMethod, ctx.Request.ContentType, ctx.Request.Headers[WebhookSignature.IdempotencyKeyHeader], ts, sig, valid, body, status));
                ctx.Response.StatusCode = status;
                ctx.Response.Close();
            }
        });
    }

    public async Task StopAsync()
    {
        if (_listener is null)
        {
            return;
        }

        // Close alone: Stop() followed by Close() makes Linux's HttpListener look its endpoint up again, which
        // re-binds the port and fails when another test has taken it meanwhile ("Address already in use").
        _listener.Close();
        if (_loop is not null)
        {
            await _loop;
        }

        _listener = null;
    }

    public int AcceptedCount(string path, string key) => Requests.Count(r => r.Path == path && r.IdempotencyKey == key && r.Status < 300);

    public async ValueTask DisposeAsync() => await StopAsync();

    internal sealed record Received(string Path, string Method, string? ContentType, string? IdempotencyKey, string? Timestamp, string? Signature, bool SignatureValid, byte[] Body, int Status)
    {
        public JsonElement Json => JsonDocument.Parse(Body).RootElement;

        public string Text => Encoding.UTF8.GetString(Body);
    }
}
