using System.Net.Sockets;
using System.Text.Json;
using Monitor.Worker.Bench;
using Monitor.Worker.Commands;
using Monitor.Worker.Tests.Support;
using Xunit.Abstractions;

namespace Monitor.Worker.Tests.Bench;

/// <summary>
/// <c>monitor bench scale</c> and <c>monitor bench alert-latency</c> on tiny sizes: the counts they report equal what
/// was fed, every feature is evaluated, every alert e-mail reaches the SMTP server. No timing is asserted.
/// </summary>
public sealed class ScaleAndAlertLatencyCommandTests(ITestOutputHelper log)
{
    [Fact]
    public async Task Scale_TinyCells_CountsEqualWhatWasFedAndEveryFeatureIsReported()
    {
        var (code, output, error) = await Cli.InvokeAsync("bench", "scale", "--events", "3000,5000", "--features", "4,12", "--max-values", "50000", "--pool", "512", "--baseline-rows", "2000");
        log.WriteLine(output);
        Assert.True(code == 0, error);
        var cells = JsonLines(output, "scale");
        Assert.Equal(4, cells.Count);
        foreach (var cell in cells)
        {
            long events = cell.GetProperty("events").GetInt64();
            int features = cell.GetProperty("features").GetInt32();
            if (events * features > 50_000)
            {
                Assert.True(cell.GetProperty("skipped").GetBoolean(), cell.ToString());
                Assert.False(cell.TryGetProperty("ingest_s", out _), cell.ToString());
                continue;
            }

            Assert.False(cell.GetProperty("skipped").GetBoolean(), cell.ToString());
            Assert.Equal(events, cell.GetProperty("window_events").GetInt64());
            // The features plus the prediction score: every one holds a value of every event.
            Assert.Equal(features + 1, cell.GetProperty("numeric_streams").GetInt32());
            Assert.Equal(events, cell.GetProperty("min_feature_count").GetInt64());
            Assert.Equal(events, cell.GetProperty("max_feature_count").GetInt64());
            Assert.Equal(0, cell.GetProperty("rejected").GetInt64());
            Assert.Equal(1, cell.GetProperty("reports").GetInt32());
            Assert.Equal(features + 1, cell.GetProperty("feature_reports").GetInt32());
            Assert.Equal(features + 1, cell.GetProperty("tested_features").GetInt32());
            Assert.Equal("wasserstein_norm", cell.GetProperty("tests").GetString());
            Assert.Equal("exact", cell.GetProperty("mode").GetString());
            // Exact mode below the limit: at least 8 bytes per value held.
            Assert.True(cell.GetProperty("state_bytes_per_feature").GetDouble() >= 8 * events, cell.ToString());
            Assert.True(cell.GetProperty("ingest_s").GetDouble() > 0 && cell.GetProperty("events_per_s").GetDouble() > 0, cell.ToString());
            Assert.True(cell.GetProperty("rss_mb").GetDouble() > 0, cell.ToString());
        }

        Assert.Contains(output.Split('\n'), l => l.Contains("skipped: 60,000 values > --max-values", StringComparison.Ordinal));
        Assert.Contains("3 cells measured, 1 skipped", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scale_PastTheExactLimit_ReportsSketchModeWithBoundedState()
    {
        var (code, output, error) = await Cli.InvokeAsync("bench", "scale", "--events", "120000", "--features", "2", "--pool", "256", "--baseline-rows", "2000");
        log.WriteLine(output);
        Assert.True(code == 0, error);
        var cell = Assert.Single(JsonLines(output, "scale"));
        Assert.Equal(120_000, cell.GetProperty("window_events").GetInt64());
        Assert.Equal(120_000, cell.GetProperty("min_feature_count").GetInt64());
        Assert.Equal("sketch", cell.GetProperty("mode").GetString());
        // A KLL sketch of k = 200 with its bin counts, far below the 960,000 bytes of the exact values.
        Assert.InRange(cell.GetProperty("state_bytes_per_feature").GetDouble(), 80, 16 * 1024);
    }

    [Theory]
    [InlineData("--events", "10,x")]
    [InlineData("--features", "0")]
    [InlineData("--max-values", "0")]
    public async Task Scale_InvalidOption_FailsWithUsage(string option, string value)
    {
        var (code, _, error) = await Cli.InvokeAsync("bench", "scale", option, value);
        Assert.Equal(MonitorCommandLine.InvalidInput, code);
        Assert.Contains("--events and --features", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AlertLatency_FourWindows_EveryWindowAlertsAndEveryEmailIsAccepted()
    {
        var (code, output, error) = await Cli.InvokeAsync("bench", "alert-latency", "--windows", "4", "--events-per-window", "1200", "--interval-ms", "100", "--features", "3");
        log.WriteLine(output);
        log.WriteLine(error);
        Assert.True(code == 0, error);
        var result = Assert.Single(JsonLines(output, "alert-latency"));
        Assert.Equal(4, result.GetProperty("windows").GetInt32());
        Assert.Equal(4, result.GetProperty("windows_with_alerts").GetInt32());
        int decided = result.GetProperty("emails_decided").GetInt32();
        // Drifted windows fire feature and dataset drift, clean ones resolve both.
        Assert.True(decided >= 4, result.ToString());
        Assert.Equal(decided, result.GetProperty("emails_delivered").GetInt32());
        Assert.Equal(decided, result.GetProperty("emails_accepted").GetInt32());
        double first = result.GetProperty("close_to_first_accepted_median_ms").GetDouble();
        double last = result.GetProperty("close_to_last_accepted_max_ms").GetDouble();
        Assert.True(first >= 0 && last >= first, result.ToString());
    }

    [Theory]
    [InlineData("bench|feature_drift|oncall|2026-11-28T01:00:00.0000000+00:00|firing:critical")]
    [InlineData("model=bench;rule=feature_drift;route=oncall;window=2026-11-28T00:00:00Z/2026-11-28T01:00:00Z;state=firing;severity=critical")]
    [InlineData("a key with spaces that is long enough to be folded over more than one line by MimeKit's header formatting rules")]
    public async Task SmtpReceiver_MailKitMessage_RecordsRecipientAndIdempotencyKeyAsSent(string key)
    {
        await using var receiver = new SmtpReceiver();
        using (var message = new MimeKit.MimeMessage())
        {
            message.From.Add(MimeKit.MailboxAddress.Parse("monitor@localhost"));
            message.To.Add(MimeKit.MailboxAddress.Parse("oncall@example.com"));
            message.Subject = "test";
            message.Headers.Add("X-Monitor-Idempotency-Key", key);
            message.Body = new MimeKit.TextPart("plain") { Text = "line one\r\n.line starting with a dot\r\nline three" };
            using var client = new MailKit.Net.Smtp.SmtpClient();
            await client.ConnectAsync("127.0.0.1", receiver.Port, MailKit.Security.SecureSocketOptions.None);
            await client.SendAsync(message);
            await client.DisconnectAsync(true);
        }

        var mail = Assert.Single(receiver.Messages);
        Assert.Equal(key, mail.IdempotencyKey);
        Assert.Equal(["oncall@example.com"], mail.Recipients);
        Assert.True(mail.Bytes > 0);
    }

    [Fact]
    public async Task SmtpReceiver_UnknownCommandThenQuit_Answers502Then221()
    {
        await using var receiver = new SmtpReceiver();
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", receiver.Port);
        using var reader = new StreamReader(client.GetStream());
        await using var writer = new StreamWriter(client.GetStream()) { NewLine = "\r\n", AutoFlush = true };
        Assert.StartsWith("220 ", await reader.ReadLineAsync(), StringComparison.Ordinal);
        await writer.WriteLineAsync("VRFY someone");
        Assert.StartsWith("502 ", await reader.ReadLineAsync(), StringComparison.Ordinal);
        await writer.WriteLineAsync("QUIT");
        Assert.StartsWith("221 ", await reader.ReadLineAsync(), StringComparison.Ordinal);
        Assert.Empty(receiver.Messages);
    }

    private static List<JsonElement> JsonLines(string output, string bench) =>
        [.. output.Split('\n')
            .Where(l => l.StartsWith("{\"bench\":\"" + bench + "\"", StringComparison.Ordinal))
            .Select(l => JsonDocument.Parse(l).RootElement.Clone())];
}
