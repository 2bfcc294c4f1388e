using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Monitor.Alerts.Channels;

/// <summary>Signing secrets and timeouts for the HTTP channels.</summary>
public sealed record HttpChannelOptions
{
    /// <summary>
    /// The HMAC-SHA256 secret itself, from configuration (user secrets, a mounted secret); takes precedence over
    /// <see cref="SecretEnv"/>. Never logged. Default none.
    /// </summary>
    public string? Secret { get; init; }

    /// <summary>The environment variable holding the secret, read at each send so a rotated secret applies without restart. Default none.</summary>
    public string? SecretEnv { get; init; }

    /// <summary>Sent as <c>User-Agent</c>; default <c>Monitor-Alerts/1</c>.</summary>
    public string UserAgent { get; init; } = "Monitor-Alerts/1";
}

/// <summary>Computes and checks the <c>X-Monitor-Signature</c> header.</summary>
public static class WebhookSignature
{
    /// <summary>The header carrying the unix time in seconds that was signed.</summary>
    public const string TimestampHeader = "X-Monitor-Timestamp";

    /// <summary>The header carrying <c>sha256=&lt;hex&gt;</c>.</summary>
    public const string SignatureHeader = "X-Monitor-Signature";

    /// <summary>The header receivers deduplicate by.</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary><c>sha256=</c> and the lower-case hex HMAC-SHA256 of <c>"{timestamp}.{body}"</c> under <paramref name="secret"/>.</summary>
    /// <param name="secret">The shared secret (UTF-8).</param>
    /// <param name="timestamp">Unix seconds, as sent in <see cref="TimestampHeader"/>.</param>
    /// <param name="body">The exact request body bytes.</param>
    /// <returns>The header value.</returns>
    public static string Compute(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        byte[] prefix = Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        byte[] message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        byte[] mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message);
        return "sha256=" + Convert.ToHexStringLower(mac);
    }

    /// <summary>Whether a received signature is valid, compared in constant time; receivers should also bound the timestamp's age.</summary>
    /// <param name="secret">The shared secret.</param>
    /// <param name="timestamp">The received <see cref="TimestampHeader"/>.</param>
    /// <param name="body">The received body bytes.</param>
    /// <param name="signature">The received <see cref="SignatureHeader"/>.</param>
    /// <returns>True when it matches.</returns>
    public static bool Verify(string secret, long timestamp, ReadOnlySpan<byte> body, string? signature)
    {
        if (signature is null)
        {
            return false;
        }

        byte[] expected = Encoding.ASCII.GetBytes(Compute(secret, timestamp, body));
        byte[] actual = Encoding.ASCII.GetBytes(signature);
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }
}

/// <summary>Posts a JSON body with the timestamp, signature and idempotency headers, and classifies the answer.</summary>
internal sealed class SignedHttpSender(HttpClient http, HttpChannelOptions options, TimeProvider time, ILogger logger)
{
    public async Task<DeliveryResult> PostAsync(string target, byte[] body, string idempotencyKey, string? secretEnvOverride, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(target, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            return DeliveryResult.Fail(false, "the target is not an absolute http(s) URL");
        }

        long timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, url);
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation("User-Agent", options.UserAgent);
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.IdempotencyKeyHeader, idempotencyKey);
        string? secret = ResolveSecret(secretEnvOverride);
        if (secret is not null)
        {
            request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Compute(secret, timestamp, body));
        }

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        int status = (int)response.StatusCode;
        if (response.IsSuccessStatusCode)
        {
            return DeliveryResult.Ok(status);
        }

        bool retryable = status >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or (HttpStatusCode)425;
        return DeliveryResult.Fail(retryable, string.Create(CultureInfo.InvariantCulture, $"HTTP {status} {response.ReasonPhrase}"), status);
    }

    private string? ResolveSecret(string? secretEnvOverride)
    {
        if (secretEnvOverride is not null)
        {
            string? fromOverride = Environment.GetEnvironmentVariable(secretEnvOverride);
            if (!string.IsNullOrEmpty(fromOverride))
            {
                return fromOverride;
            }

            Log.SecretMissing(logger, secretEnvOverride);
        }

        if (!string.IsNullOrEmpty(options.Secret))
        {
            return options.Secret;
        }

        if (options.SecretEnv is not null)
        {
            string? fromEnv = Environment.GetEnvironmentVariable(options.SecretEnv);
            if (!string.IsNullOrEmpty(fromEnv))
            {
                return fromEnv;
            }

            Log.SecretMissing(logger, options.SecretEnv);
        }

        return null;
    }
}
