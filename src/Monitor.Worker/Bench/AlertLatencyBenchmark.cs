using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Monitor.Alerts.Channels;
using Monitor.Alerts.Outbox;
using Monitor.Core.Alerts;
using Monitor.Core.Drift;
using Monitor.Core.Pipeline;
using Monitor.Core.Rules;
using Monitor.Exporters.Prometheus;
using Monitor.Worker.Daemon;
using Monitor.Worker.Models;

namespace Monitor.Worker.Bench;

/// <summary>What <c>monitor bench alert-latency</c> runs.</summary>
/// <param name="Windows">Windows closed; they alternate drifted and clean, so every one fires or resolves alerts.</param>
/// <param name="EventsPerWindow">Events per window.</param>
/// <param name="Interval">Real time one window's events are spread over (the pace of window closes).</param>
/// <param name="Features">Numeric features per event.</param>
/// <param name="Smtp">An external SMTP server as host:port; null: the in-process <see cref="SmtpReceiver"/>.</param>
/// <param name="Timeout">How long to wait for the last e-mail after the last window closed.</param>
internal sealed record AlertLatencySettings(int Windows, int EventsPerWindow, TimeSpan Interval, int Features, string? Smtp, TimeSpan Timeout);

/// <summary>One closed window and its alert e-mails; every time is in milliseconds from its close, NaN when unknown.</summary>
/// <param name="Index">0-based window index.</param>
/// <param name="Drifted">Whether its feature values were shifted (the alerts fire) or not (they resolve).</param>
/// <param name="Notifications">Notifications the alert policy decided for it.</param>
/// <param name="Reported">Its report came out of <see cref="ModelPipeline.Evaluate"/>.</param>
/// <param name="Enqueued">Its last notification was durably in the outbox (<see cref="AlertSink.Decided"/>).</param>
/// <param name="SendStarted">The e-mail channel began sending its first notification.</param>
/// <param name="FirstAccepted">The SMTP server answered 250 to the end of DATA for its first e-mail (in-process receiver only).</param>
/// <param name="LastAccepted">The same for its last e-mail.</param>
/// <param name="LastDelivered">The e-mail channel returned success for its last e-mail (after QUIT).</param>
internal sealed record AlertLatencyWindow(int Index, bool Drifted, int Notifications, double Reported, double Enqueued, double SendStarted, double FirstAccepted, double LastAccepted, double LastDelivered);

/// <summary>The outcome of <c>monitor bench alert-latency</c>.</summary>
internal sealed record AlertLatencyResult(AlertLatencySettings Settings, string Server, IReadOnlyList<AlertLatencyWindow> Windows, int Decided, int Delivered, int Accepted, string Machine, string LoadAverage);

/// <summary>
/// Window close to alert e-mail accepted by an SMTP server, through the daemon's alert path: a
/// <see cref="ModelPipeline"/> fed a paced stream on one thread closes a window, its report goes through the
/// daemon's <see cref="ReportFanOut"/> to the <see cref="AlertSink"/> (the model's <see cref="AlertPolicy"/>), which
/// writes the notifications to a <see cref="FileOutbox"/> (fsync before send) whose dispatcher runs as in the
/// daemon and sends with the MailKit <see cref="EmailChannel"/>. No Kafka: <c>bench e2e</c> measures the ingest's
/// own window close to report.
/// </summary>
internal static class AlertLatencyBenchmark
{
    public const string Target = "oncall@example.com";

    /// <summary>Event time of one window: 1 h, as in the other benchmarks.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    private const int Slices = 20;
    private static readonly DateTimeOffset EventStart = new(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);

    public static async Task<AlertLatencyResult> RunAsync(AlertLatencySettings s, DriftTestRegistry registry, TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(s);
        var c = CultureInfo.InvariantCulture;
        var workload = new BenchWorkload(s.Features, 0, EventStart, Window / s.EventsPerWindow);
        var rules = workload.Rules("bench.alerts", Window, TimeSpan.Zero) with
        {
            Alerts = new AlertRules
            {
                Routes =
                [
                    // No cooldown and resolve after one clean window: every window of the alternating stream notifies.
                    new AlertRoute { Name = "oncall", Channel = AlertChannel.Email, Targets = [Target], Cooldown = TimeSpan.Zero, ResolveAfter = 1 },
                ],
            },
        };
        var model = CompiledModel.Compile(rules, workload.Baseline(rules, registry, 5000, EventStart.AddDays(-1)), registry);
        var messages = Messages(s);

        await using var receiver = s.Smtp is null ? new SmtpReceiver() : null;
        var (host, port) = receiver is not null ? ("127.0.0.1", receiver.Port) : ParseServer(s.Smtp!);
        string server = receiver is not null ? string.Create(c, $"in-process receiver on 127.0.0.1:{port}") : string.Create(c, $"{host}:{port}");
        log.WriteLine(string.Create(c, $"SMTP: {server}. {s.Windows} windows of {s.EventsPerWindow:N0} events ({s.Features} numeric features), one closing every {s.Interval.TotalMilliseconds:F0} ms..."));

        string directory = Directory.CreateTempSubdirectory("monitor-alert-latency-").FullName;
        using var stop = new CancellationTokenSource();
        try
        {
            var channel = new TimedChannel(new EmailChannel(new EmailOptions { Host = host, Port = port, Security = SmtpSecurity.None }, NullLogger<EmailChannel>.Instance));
            await using var outbox = new FileOutbox(new OutboxOptions { Directory = directory }, [channel], TimeProvider.System, NullLogger<FileOutbox>.Instance);
            var dispatcher = Task.Run(() => outbox.RunAsync(stop.Token), CancellationToken.None);

            var runtime = new ModelRuntime(new RuleFile("bench-alerts.yaml", rules), model);
            var models = new ModelRuntimes([runtime]);
            var sink = new AlertSink(models, outbox, new MonitorMetrics(Prometheus.Metrics.NewCustomRegistry()), TimeProvider.System, NullLogger<AlertSink>.Instance);
            var fanOut = new ReportFanOut(models, [sink], NullLogger<ReportFanOut>.Instance);
            var decided = new ConcurrentDictionary<string, (int Window, long At)>(StringComparer.Ordinal);
            int current = -1;
            sink.Decided += n => decided[n.IdempotencyKey] = (current, Stopwatch.GetTimestamp());

            var closedAt = new long[s.Windows];
            var reportedAt = new long[s.Windows];
            var pipeline = new ModelPipeline(model);
            var clock = Stopwatch.StartNew();
            for (int w = 0; w <= s.Windows; w++)
            {
                for (int slice = 0; slice < Slices; slice++)
                {
                    // Window w's events are spread over [w, w + 1) intervals of real time.
                    var due = s.Interval * (w + ((double)slice / Slices));
                    while (clock.Elapsed < due)
                    {
                        await Task.Delay(due - clock.Elapsed > TimeSpan.FromMilliseconds(2) ? TimeSpan.FromMilliseconds(1) : TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
                    }

                    int from = slice * s.EventsPerWindow / Slices;
                    int to = (slice + 1) * s.EventsPerWindow / Slices;
                    for (int i = from; i < to; i++)
                    {
                        bool closing = w > 0 && i == 0;
                        if (closing)
                        {
                            closedAt[w - 1] = Stopwatch.GetTimestamp();
                        }

                        pipeline.OnPrediction(messages[w][i]);
                        if (closing)
                        {
                            // The ingest evaluates right after the message that closed a window (KafkaIngest.Report).
                            var reports = pipeline.Evaluate(includeBackfills: false);
                            reportedAt[w - 1] = Stopwatch.GetTimestamp();
                            current = w - 1;
                            fanOut.Publish(model.Model, reports);
                        }
                    }

                    if (w == s.Windows)
                    {
                        break; // only the event that closes the last window
                    }
                }
            }

            var deadline = Stopwatch.StartNew();
            while (channel.Delivered.Count < decided.Count || (receiver is not null && receiver.Messages.Count < decided.Count))
            {
                if (deadline.Elapsed > s.Timeout)
                {
                    throw new InvalidOperationException(string.Create(c,
                        $"Only {channel.Delivered.Count} of {decided.Count} alert e-mails were delivered within {s.Timeout.TotalSeconds:F0} s of the last window's close; is the SMTP server at {host}:{port} up?"));
                }

                await Task.Delay(5, cancellationToken).ConfigureAwait(false);
            }

            await stop.CancelAsync().ConfigureAwait(false);
            await dispatcher.ConfigureAwait(false);

            var accepted = receiver?.Messages.ToDictionary(m => m.IdempotencyKey, m => m.AcceptedAt, StringComparer.Ordinal) ?? [];
            var windows = new List<AlertLatencyWindow>();
            for (int w = 0; w < s.Windows; w++)
            {
                var keys = decided.Where(kv => kv.Value.Window == w).Select(kv => kv.Key).ToList();
                long close = closedAt[w];
                windows.Add(new AlertLatencyWindow(w, Drifted(w), keys.Count,
                    Ms(close, reportedAt[w]),
                    Max(keys.Select(k => Ms(close, decided[k].At))),
                    Min(keys.Select(k => channel.Started.TryGetValue(k, out long t) ? Ms(close, t) : double.NaN)),
                    Min(keys.Select(k => accepted.TryGetValue(k, out long t) ? Ms(close, t) : double.NaN)),
                    Max(keys.Select(k => accepted.TryGetValue(k, out long t) ? Ms(close, t) : double.NaN)),
                    Max(keys.Select(k => channel.Delivered.TryGetValue(k, out long t) ? Ms(close, t) : double.NaN))));
            }

            return new AlertLatencyResult(s, server, windows, decided.Count, channel.Delivered.Count, accepted.Count, ProcessStats.Machine(), ScaleBenchmark.LoadAverage());
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Even windows are drifted (alerts fire), odd ones clean (they resolve).</summary>
    public static bool Drifted(int window) => window % 2 == 0;

    private static (string Host, int Port) ParseServer(string text)
    {
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
        {
            throw new ArgumentException($"--smtp must be host:port, not '{text}'.", nameof(text));
        }

        return (text[..colon], port);
    }

    /// <summary>
    /// The stream, generated before the clock starts: window w's events, plus the first event of window
    /// <c>Windows</c> (it closes the last window). Features of drifted windows are shifted by their whole range.
    /// </summary>
    private static byte[][][] Messages(AlertLatencySettings s)
    {
        var random = new Random(17);
        var text = new StringBuilder(64 + (s.Features * 20));
        var c = CultureInfo.InvariantCulture;
        var windows = new byte[s.Windows + 1][][];
        var step = Window / s.EventsPerWindow;
        for (int w = 0; w <= s.Windows; w++)
        {
            double shift = w < s.Windows && Drifted(w) ? 100 : 0;
            windows[w] = new byte[s.EventsPerWindow][];
            for (int i = 0; i < s.EventsPerWindow; i++)
            {
                var time = EventStart + (Window * w) + (step * i);
                text.Clear();
                text.Append(c, $"{{\"model\":\"{BenchWorkload.ModelName}\",\"model_version\":\"3\",\"timestamp\":\"{time:yyyy-MM-ddTHH:mm:ss.fffZ}\",\"features\":{{");
                for (int f = 0; f < s.Features; f++)
                {
                    text.Append(c, $"{(f == 0 ? "" : ",")}\"num_{f:D2}\":{Math.Round((random.NextDouble() * 100) + f + shift, 4)}");
                }

                text.Append(c, $"}},\"prediction\":{{\"score\":{Math.Round(random.NextDouble(), 4)}}}}}");
                windows[w][i] = Encoding.UTF8.GetBytes(text.ToString());
            }
        }

        return windows;
    }

    private static double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;

    private static double Min(IEnumerable<double> values) => values.Where(double.IsFinite).DefaultIfEmpty(double.NaN).Min();

    private static double Max(IEnumerable<double> values) => values.Where(double.IsFinite).DefaultIfEmpty(double.NaN).Max();

    /// <summary>The e-mail channel with the times each send started and succeeded, by idempotency key.</summary>
    private sealed class TimedChannel(INotificationChannel inner) : INotificationChannel
    {
        public ConcurrentDictionary<string, long> Started { get; } = new(StringComparer.Ordinal);

        public ConcurrentDictionary<string, long> Delivered { get; } = new(StringComparer.Ordinal);

        public string Name => inner.Name;

        public async Task<DeliveryResult> SendAsync(Delivery delivery, CancellationToken cancellationToken)
        {
            Started.TryAdd(delivery.IdempotencyKey, Stopwatch.GetTimestamp());
            var result = await inner.SendAsync(delivery, cancellationToken).ConfigureAwait(false);
            if (result.Delivered)
            {
                Delivered.TryAdd(delivery.IdempotencyKey, Stopwatch.GetTimestamp());
            }

            return result;
        }
    }
}
