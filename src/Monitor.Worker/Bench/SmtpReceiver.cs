using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Monitor.Worker.Bench;

/// <summary>One message the receiver accepted.</summary>
/// <param name="AcceptedAt"><see cref="Stopwatch.GetTimestamp"/> just before the receiver answered 250 to the end of DATA.</param>
/// <param name="IdempotencyKey">The message's <c>X-Monitor-Idempotency-Key</c> header, or empty.</param>
/// <param name="Recipients">The RCPT TO addresses.</param>
/// <param name="Bytes">The size of the message data.</param>
internal sealed record ReceivedMail(long AcceptedAt, string IdempotencyKey, IReadOnlyList<string> Recipients, int Bytes);

/// <summary>
/// A minimal SMTP server on a loopback port for the alert-latency benchmark: EHLO/HELO, MAIL, RCPT, DATA, RSET,
/// NOOP and QUIT, no TLS, no authentication, no extensions. It accepts every message and records when it
/// answered 250 to the end of its data: the moment a real relay takes responsibility for an e-mail.
/// </summary>
internal sealed class SmtpReceiver : IAsyncDisposable
{
    private const string HeaderName = "X-Monitor-Idempotency-Key:";

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Task, bool> _sessions = new();
    private readonly Task _accepting;

    public SmtpReceiver()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = Task.Run(AcceptAsync);
    }

    /// <summary>The port it listens on (chosen by the system).</summary>
    public int Port { get; }

    /// <summary>Raised on a session's task for every accepted message, after the 250 was written.</summary>
    public event Action<ReceivedMail>? Received;

    /// <summary>Every accepted message, in acceptance order per session.</summary>
    public ConcurrentQueue<ReceivedMail> Messages { get; } = new();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        try
        {
            await _accepting.ConfigureAwait(false);
            await Task.WhenAll(_sessions.Keys).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            client.NoDelay = true;
            var session = Task.Run(() => ServeAsync(client));
            _sessions[session] = true;
            _ = session.ContinueWith(t => _sessions.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var owned = client;
        var token = _stop.Token;
        try
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.Latin1, detectEncodingFromByteOrderMarks: false, bufferSize: 8192, leaveOpen: true);
            await using var writer = new StreamWriter(stream, Encoding.Latin1, bufferSize: 1024, leaveOpen: true) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 localhost Monitor bench SMTP").ConfigureAwait(false);
            var recipients = new List<string>();
            while (await reader.ReadLineAsync(token).ConfigureAwait(false) is { } line)
            {
                string verb = line.Length >= 4 ? line[..4].ToUpperInvariant() : line.ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await writer.WriteLineAsync("250-localhost").ConfigureAwait(false);
                        await writer.WriteLineAsync("250 8BITMIME").ConfigureAwait(false);
                        break;
                    case "HELO":
                    case "NOOP":
                        await writer.WriteLineAsync("250 OK").ConfigureAwait(false);
                        break;
                    case "MAIL":
                    case "RSET":
                        recipients.Clear();
                        await writer.WriteLineAsync("250 OK").ConfigureAwait(false);
                        break;
                    case "RCPT":
                        recipients.Add(Address(line));
                        await writer.WriteLineAsync("250 OK").ConfigureAwait(false);
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>").ConfigureAwait(false);
                        var (key, bytes) = await ReadDataAsync(reader, token).ConfigureAwait(false);
                        long acceptedAt = Stopwatch.GetTimestamp();
                        await writer.WriteLineAsync("250 OK queued").ConfigureAwait(false);
                        var mail = new ReceivedMail(acceptedAt, key, [.. recipients], bytes);
                        recipients.Clear();
                        Messages.Enqueue(mail);
                        Received?.Invoke(mail);
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 Bye").ConfigureAwait(false);
                        return;
                    default:
                        await writer.WriteLineAsync("502 Command not implemented").ConfigureAwait(false);
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away or the receiver is stopping.
        }
    }

    /// <summary>Reads the message data up to the lone dot; returns the idempotency header (unfolded, decoded) and the size.</summary>
    private static async Task<(string Key, int Bytes)> ReadDataAsync(StreamReader reader, CancellationToken token)
    {
        bool inHeaders = true;
        var key = new StringBuilder();
        bool inKey = false;
        int bytes = 0;
        while (await reader.ReadLineAsync(token).ConfigureAwait(false) is { } line)
        {
            if (line == ".")
            {
                break;
            }

            bytes += line.Length + 2;
            if (!inHeaders)
            {
                continue;
            }

            if (line.Length == 0)
            {
                inHeaders = false;
            }
            else if (inKey && (line[0] == ' ' || line[0] == '\t'))
            {
                key.Append(line); // unfolding removes the line break only
            }
            else
            {
                inKey = line.StartsWith(HeaderName, StringComparison.OrdinalIgnoreCase);
                if (inKey)
                {
                    key.Append(line.AsSpan(HeaderName.Length));
                }
            }
        }

        // MimeKit writes a value too long for one line as RFC 2047 encoded words.
        return (MimeKit.Utils.Rfc2047.DecodeText(Encoding.Latin1.GetBytes(key.ToString())).Trim(), bytes);
    }

    private static string Address(string line)
    {
        int open = line.IndexOf('<', StringComparison.Ordinal);
        int close = line.IndexOf('>', StringComparison.Ordinal);
        return open >= 0 && close > open ? line[(open + 1)..close] : line;
    }
}
