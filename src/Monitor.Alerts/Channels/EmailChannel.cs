using System.Globalization;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using MimeKit;
using MimeKit.Utils;

namespace Monitor.Alerts.Channels;

/// <summary>How the SMTP connection is secured.</summary>
public enum SmtpSecurity
{
    /// <summary>Plain text; only for a relay on the same host or a test server.</summary>
    None,

    /// <summary>Connect in plain text, then require STARTTLS (port 587).</summary>
    StartTls,

    /// <summary>TLS from the first byte (port 465).</summary>
    SslOnConnect,
}

/// <summary>The SMTP relay and sender for alert e-mails.</summary>
public sealed record EmailOptions
{
    /// <summary>The SMTP host; default <c>localhost</c>.</summary>
    public string Host { get; init; } = "localhost";

    /// <summary>The SMTP port; default 587 (submission with STARTTLS).</summary>
    public int Port { get; init; } = 587;

    /// <summary>Connection security; default <see cref="SmtpSecurity.StartTls"/>, so credentials never cross in clear by accident.</summary>
    public SmtpSecurity Security { get; init; } = SmtpSecurity.StartTls;

    /// <summary>The login user; none means no authentication.</summary>
    public string? User { get; init; }

    /// <summary>The password from configuration; takes precedence over <see cref="PasswordEnv"/>. Never logged.</summary>
    public string? Password { get; init; }

    /// <summary>The environment variable holding the password.</summary>
    public string? PasswordEnv { get; init; }

    /// <summary>The sender address; default <c>monitor@localhost</c>.</summary>
    public string From { get; init; } = "monitor@localhost";

    /// <summary>The sender's display name; default <c>Monitor</c>.</summary>
    public string FromName { get; init; } = "Monitor";
}

/// <summary>
/// E-mail through MailKit: one message per target address, multipart/alternative (text and HTML), the HTML referencing
/// an inline PNG chart of the worst feature's reference vs current distribution by Content-Id.
/// </summary>
public sealed class EmailChannel : INotificationChannel
{
    private readonly EmailOptions _options;
    private readonly ILogger<EmailChannel> _logger;

    /// <summary>Creates the channel.</summary>
    /// <param name="options">The relay and sender.</param>
    /// <param name="logger">The logger.</param>
    public EmailChannel(EmailOptions options, ILogger<EmailChannel> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = logger;
    }

    /// <inheritdoc/>
    public string Name => ChannelNames.Email;

    /// <inheritdoc/>
    public async Task<DeliveryResult> SendAsync(Delivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        MimeMessage message;
        try
        {
            message = BuildMessage(delivery, _options);
        }
        catch (ParseException ex)
        {
            return DeliveryResult.Fail(false, "invalid e-mail address: " + ex.Message);
        }

        using var owned = message;
        using var client = new SmtpClient();
        try
        {
            var security = _options.Security switch
            {
                SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
                SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
                _ => SecureSocketOptions.None,
            };
            await client.ConnectAsync(_options.Host, _options.Port, security, cancellationToken).ConfigureAwait(false);
            if (_options.User is not null)
            {
                string password = _options.Password
                    ?? (_options.PasswordEnv is null ? null : Environment.GetEnvironmentVariable(_options.PasswordEnv))
                    ?? string.Empty;
                if (password.Length == 0 && _options.PasswordEnv is not null)
                {
                    Log.SecretMissing(_logger, _options.PasswordEnv);
                }

                await client.AuthenticateAsync(_options.User, password, cancellationToken).ConfigureAwait(false);
            }

            await client.SendAsync(message, cancellationToken).ConfigureAwait(false);
            await client.DisconnectAsync(true, cancellationToken).ConfigureAwait(false);
            return DeliveryResult.Ok(250);
        }
        catch (SmtpCommandException ex)
        {
            int status = (int)ex.StatusCode;
            // 5xx is a permanent refusal (unknown mailbox, policy); 4xx is transient (greylisting, full queue).
            return DeliveryResult.Fail(status < 500, string.Create(CultureInfo.InvariantCulture, $"SMTP {status}: {ex.Message}"), status);
        }
    }

    /// <summary>The MIME message for one target; internal so tests can inspect the structure without a server.</summary>
    internal static MimeMessage BuildMessage(Delivery delivery, EmailOptions options)
    {
        var n = delivery.RequireAlert();
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(options.FromName, options.From));
        message.To.Add(MailboxAddress.Parse(delivery.Target));
        message.Subject = AlertText.Subject(n);
        message.Date = n.CreatedAt;
        // A Message-Id derived from the idempotency key lets mail systems drop a re-sent duplicate.
        message.MessageId = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(delivery.IdempotencyKey + "\n" + delivery.Target)))[..32]
            + "@monitor.alerts";
        message.Headers.Add("X-Monitor-Idempotency-Key", delivery.IdempotencyKey);

        var builder = new BodyBuilder { TextBody = AlertText.PlainText(n) };
        byte[]? png = ChartRenderer.RenderPng(n.Chart);
        string? contentId = null;
        if (png is not null)
        {
            var image = builder.LinkedResources.Add("chart.png", png, new ContentType("image", "png"));
            contentId = MimeUtils.GenerateMessageId("monitor.alerts");
            image.ContentId = contentId;
        }

        builder.HtmlBody = AlertText.Html(n, contentId);
        message.Body = builder.ToMessageBody();
        return message;
    }
}
