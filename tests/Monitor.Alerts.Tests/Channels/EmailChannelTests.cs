using Monitor.Alerts.Channels;
using Monitor.Core.Alerts;
using Monitor.Core.Rules;
using MimeKit;

namespace Monitor.Alerts.Tests.Channels;

public sealed class EmailChannelTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static Delivery For(AlertNotification n, string to) => new(ChannelNames.Email, to, n.IdempotencyKey, n, null);

    [Fact]
    public void BuildMessage_Alert_TextAndHtmlAlternativesWithInlinePngReferencedByContentId()
    {
        using var message = EmailChannel.BuildMessage(For(Some.Alert(channel: AlertChannel.Email), "oncall@example.com"), new EmailOptions());

        AssertStructure(message);
    }

    [Fact]
    public void BuildMessage_ResolvedWithoutChart_NoImageAndResolvedSubject()
    {
        var alert = Some.Alert(channel: AlertChannel.Email, state: AlertState.Resolved) with { Chart = null };
        using var message = EmailChannel.BuildMessage(For(alert, "oncall@example.com"), new EmailOptions());

        Assert.Equal("[RESOLVED] fraud: feature drift — amount, country (window 06:00–07:00Z)", message.Subject);
        Assert.DoesNotContain(message.BodyParts.OfType<MimePart>(), p => p.ContentType.MimeType == "image/png");
        Assert.DoesNotContain("cid:", message.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_RealSmtpServer_DeliversSubjectBodyValuesAndValidInlinePng()
    {
        int smtpPort = Poll.FreePort(), apiPort = Poll.FreePort();
        await using var smtp = await Smtp4dev.StartAsync(smtpPort, apiPort);
        var channel = new EmailChannel(new EmailOptions { Host = "127.0.0.1", Port = smtpPort, Security = SmtpSecurity.None, From = "monitor@example.com" }, new LogCapture().For<EmailChannel>());
        var alert = Some.Alert(channel: AlertChannel.Email);

        var result = await channel.SendAsync(For(alert, "oncall@example.com"), CancellationToken.None);

        Assert.True(result.Delivered, result.Error);
        List<(string Id, string Subject, string[] To)> messages = [];
        await Poll.UntilAsync(async () => (messages = await smtp.MessagesAsync()).Count == 1, Deadline, "the message in smtp4dev");
        var (id, subject, to) = messages[0];
        Assert.Equal("[CRITICAL] fraud: feature drift — amount, country (window 06:00–07:00Z)", subject);
        Assert.Equal(["oncall@example.com"], to);

        string text = await smtp.PlainTextAsync(id);
        Assert.Contains(alert.Summary, text, StringComparison.Ordinal);
        Assert.Contains("amount: psi = 0.4182 (warning 0.1, critical 0.25) [critical]", text, StringComparison.Ordinal);
        Assert.Contains("country: jensenshannon = 0.1834 (warning 0.1, critical 0.2) [warning]", text, StringComparison.Ordinal);
        Assert.Contains("Dashboard: https://grafana.example.com/d/monitor?var-model=fraud", text, StringComparison.Ordinal);
        Assert.Contains("Runbook:   https://runbooks.example.com/fraud-drift", text, StringComparison.Ordinal);

        using var raw = new MemoryStream(await smtp.RawAsync(id));
        using var received = await MimeMessage.LoadAsync(raw);
        AssertStructure(received);
        Assert.Equal(alert.IdempotencyKey, received.Headers["X-Monitor-Idempotency-Key"]);
    }

    [Fact]
    public async Task SendAsync_InvalidAddress_PermanentFailureWithoutConnecting()
    {
        var channel = new EmailChannel(new EmailOptions { Host = "127.0.0.1", Port = 1, Security = SmtpSecurity.None }, new LogCapture().For<EmailChannel>());

        var result = await channel.SendAsync(For(Some.Alert(channel: AlertChannel.Email), "not an address@@"), CancellationToken.None);

        Assert.False(result.Delivered);
        Assert.False(result.Retryable);
        Assert.StartsWith("invalid e-mail address", result.Error, StringComparison.Ordinal);
    }

    private static void AssertStructure(MimeMessage message)
    {
        Assert.Equal("[CRITICAL] fraud: feature drift — amount, country (window 06:00–07:00Z)", message.Subject);
        var alternative = Assert.IsType<MultipartAlternative>(message.Body);
        Assert.Contains(alternative, e => e is TextPart { IsPlain: true });
        Assert.Contains("amount: psi = 0.4182", message.TextBody ?? string.Empty, StringComparison.Ordinal);
        string html = message.HtmlBody ?? throw new Xunit.Sdk.XunitException("no HTML part");
        Assert.Contains("<td>amount</td><td>psi</td><td>0.4182</td><td>0.1</td><td>0.25</td>", html, StringComparison.Ordinal);
        Assert.Contains("href=\"https://runbooks.example.com/fraud-drift\"", html, StringComparison.Ordinal);
        int at = html.IndexOf("src=\"cid:", StringComparison.Ordinal);
        Assert.True(at >= 0, "the HTML references no inline image");
        string cid = html[(at + 9)..html.IndexOf('"', at + 9)];
        var image = message.BodyParts.OfType<MimePart>().Single(p => p.ContentId == cid);
        Assert.Equal("image/png", image.ContentType.MimeType);
        using var png = new MemoryStream();
        Assert.NotNull(image.Content);
        image.Content.DecodeTo(png);
        var (width, height) = Png.Decode(png.ToArray());
        Assert.Equal((ChartRenderer.Width, ChartRenderer.Height), (width, height));
    }
}
