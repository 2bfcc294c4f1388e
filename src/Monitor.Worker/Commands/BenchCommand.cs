using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Monitor.Core.Drift;
using Monitor.Worker.Bench;

namespace Monitor.Worker.Commands;

/// <summary>
/// <c>monitor bench e2e</c> and <c>monitor bench memory</c>: the load benchmarks behind the performance targets
/// (docs/benchmarks.md). Each prints a table and one JSON line with the same numbers.
/// </summary>
internal static class BenchCommand
{
    public static Command Create(DriftTestRegistry registry)
    {
        var events = new Option<long>("--events") { Description = "Events produced and consumed by every run (default 2,000,000).", DefaultValueFactory = _ => 2_000_000 };
        var partitions = new Option<int?>("--partitions") { Description = "Topic partitions (default: enough for the broker's 5 MiB retention per partition)." };
        var features = new Option<int>("--features") { Description = "Numeric features per event (default 20).", DefaultValueFactory = _ => 20 };
        var categorical = new Option<int>("--categorical") { Description = "Categorical features per event (default 5).", DefaultValueFactory = _ => 5 };
        var checkpointEvery = new Option<int?>("--checkpoint-every") { Description = "The ingest's checkpoint interval in records (default: the daemon's, 50,000)." };
        var rounds = new Option<int>("--rounds") { Description = "Alternating rounds of bare consumer and Monitor; the best of each is reported (default 2).", DefaultValueFactory = _ => 2 };
        var e2e = new Command("e2e", "End to end through the embedded Kafka broker over TCP: Monitor's ingest against a bare consume loop that only counts.")
        {
            events, partitions, features, categorical, rounds, checkpointEvery,
        };
        e2e.SetAction(async (result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            var error = result.InvocationConfiguration.Error;
            var settings = new E2eSettings(result.GetValue(events), result.GetValue(partitions), result.GetValue(features), result.GetValue(categorical),
                result.GetValue(rounds), TimeSpan.FromSeconds(30), result.GetValue(checkpointEvery));
            if (settings.Events < 1 || settings.Partitions is < 1 || settings.CheckpointEvery is < 1 || settings.Numeric is < 0 or > 100 || settings.Categorical is < 0 or > 100 || settings.Rounds < 1)
            {
                await error.WriteLineAsync("--events, --partitions, --rounds and --checkpoint-every must be positive; --features and --categorical 0 to 100.").ConfigureAwait(false);
                return MonitorCommandLine.InvalidInput;
            }

            var outcome = await E2eBenchmark.RunAsync(settings, registry, error, cancellationToken).ConfigureAwait(false);
            Print(outcome, output);
            return MonitorCommandLine.Success;
        });

        var memFeatures = new Option<int>("--features") { Description = "Numeric features (default 100).", DefaultValueFactory = _ => 100 };
        var windows = new Option<int>("--windows") { Description = "Open windows per feature (default 3).", DefaultValueFactory = _ => 3 };
        var perWindow = new Option<long>("--events-per-window") { Description = "Values per feature per window (default 1,000,000).", DefaultValueFactory = _ => 1_000_000 };
        var memory = new Command("memory", "Sketch-mode accumulators for features × windows fed generated values: bytes per feature per window and process RSS.")
        {
            memFeatures, windows, perWindow,
        };
        memory.SetAction((result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            var settings = new MemorySettings(result.GetValue(memFeatures), result.GetValue(windows), result.GetValue(perWindow));
            if (settings.Features < 1 || settings.Windows < 1 || settings.EventsPerWindow < 1)
            {
                result.InvocationConfiguration.Error.WriteLine("--features, --windows and --events-per-window must be positive.");
                return Task.FromResult(MonitorCommandLine.InvalidInput);
            }

            var c = CultureInfo.InvariantCulture;
            output.WriteLine(string.Create(c, $"{settings.Features} features × {settings.Windows} windows, sketch mode, on {ProcessStats.Machine()}"));
            output.WriteLine("values per window | bytes per feature per window (mean, max) | managed heap | process RSS | elapsed");
            var points = MemoryBenchmark.Run(settings, p => output.WriteLine(string.Create(c,
                $"{p.Events,17:N0} | {p.BytesPerAccumulator,10:N0} B, {p.MaxBytesPerAccumulator,10:N0} B | {Mb(p.ManagedBytes),9:F1} MB | {Mb(p.RssBytes),8:F1} MB | {p.Seconds,6:F1} s")), cancellationToken);
            var last = points[^1];
            output.WriteLine(Json(w =>
            {
                w.WriteString("bench", "memory");
                w.WriteNumber("features", settings.Features);
                w.WriteNumber("windows", settings.Windows);
                w.WriteNumber("events_per_window", settings.EventsPerWindow);
                w.WriteNumber("bytes_per_feature_window", Math.Round(last.BytesPerAccumulator));
                w.WriteNumber("max_bytes_per_feature_window", last.MaxBytesPerAccumulator);
                w.WriteNumber("peak_rss_mb", Math.Round(Mb(ProcessStats.PeakRss()), 1));
                w.WriteNumber("rss_mb", Math.Round(Mb(last.RssBytes), 1));
                w.WriteString("machine", ProcessStats.Machine());
            }));
            return Task.FromResult(MonitorCommandLine.Success);
        });

        var dir = new Option<string>("--dir") { Description = "The folder tests/Monitor.Benchmarks/peer/compare.py wrote the arrays to.", Required = true };
        var peer = new Command("peer", "Exact KS and PSI per feature on arrays written by the scipy comparison script (tests/Monitor.Benchmarks/peer).") { dir };
        peer.SetAction((result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            var (features, seconds) = PeerBenchmark.Run(result.GetRequiredValue(dir));
            foreach (var f in features)
            {
                output.WriteLine(Json(w =>
                {
                    w.WriteNumber("feature", f.Feature);
                    w.WriteNumber("ks", f.Ks);
                    w.WriteNumber("ks_p", f.KsPValue);
                    w.WriteNumber("psi", f.Psi);
                }));
            }

            output.WriteLine(Json(w =>
            {
                w.WriteString("bench", "peer");
                w.WriteNumber("seconds", seconds);
                w.WriteString("machine", ProcessStats.Machine());
            }));
            return Task.FromResult(MonitorCommandLine.Success);
        });

        var rssFeatures = new Option<int>("--features") { Description = "Numeric features (default 100).", DefaultValueFactory = _ => 100 };
        var rssWindows = new Option<int>("--windows") { Description = "Windows the stream spans, all kept open (default 3).", DefaultValueFactory = _ => 3 };
        var rssPerWindow = new Option<long>("--events-per-window") { Description = "Events per window (default 40,000).", DefaultValueFactory = _ => 40_000 };
        var rss = new Command("rss", "The daemon's memory from outside: `monitor run` as a child process consumes open windows of many features from the embedded broker; its peak RSS.")
        {
            rssFeatures, rssWindows, rssPerWindow,
        };
        rss.SetAction(async (result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            var settings = new RssSettings(result.GetValue(rssFeatures), result.GetValue(rssWindows), result.GetValue(rssPerWindow));
            if (settings.Features is < 1 or > 1000 || settings.Windows is < 1 or > 24 || settings.EventsPerWindow < 1)
            {
                await result.InvocationConfiguration.Error.WriteLineAsync("--features 1 to 1000, --windows 1 to 24, --events-per-window positive.").ConfigureAwait(false);
                return MonitorCommandLine.InvalidInput;
            }

            var r = await RssBenchmark.RunAsync(settings, registry, result.InvocationConfiguration.Error, cancellationToken).ConfigureAwait(false);
            var c = CultureInfo.InvariantCulture;
            output.WriteLine(string.Create(c, $"monitor run: {settings.Features} numeric features, {settings.Windows} open windows × {settings.EventsPerWindow:N0} events (~{r.BytesPerEvent:F0} B each, {r.Partitions} partitions), on {r.Machine}"));
            output.WriteLine(string.Create(c, $"consumed {r.Events:N0} events in {r.Seconds:F1} s; peak RSS {Mb(r.PeakRss):F1} MB (before the first event: {Mb(r.PeakRssBeforeIngest):F1} MB), RSS at the end {Mb(r.FinalRss):F1} MB, managed heap {Mb(r.ManagedBytes):F1} MB"));
            output.WriteLine(Json(w =>
            {
                w.WriteString("bench", "rss");
                w.WriteNumber("features", settings.Features);
                w.WriteNumber("windows", settings.Windows);
                w.WriteNumber("events_per_window", settings.EventsPerWindow);
                w.WriteNumber("events", r.Events);
                w.WriteNumber("seconds", Math.Round(r.Seconds, 1));
                w.WriteNumber("peak_rss_mb", Math.Round(Mb(r.PeakRss), 1));
                w.WriteNumber("rss_before_ingest_mb", Math.Round(Mb(r.PeakRssBeforeIngest), 1));
                w.WriteNumber("final_rss_mb", Math.Round(Mb(r.FinalRss), 1));
                w.WriteNumber("managed_heap_mb", Math.Round(Mb(r.ManagedBytes), 1));
                w.WriteString("machine", r.Machine);
            }));
            return MonitorCommandLine.Success;
        });

        return new Command("bench", "Load benchmarks: end-to-end throughput through Kafka, accumulator memory, the daemon's RSS, and the scipy comparison.") { e2e, memory, rss, peer };
    }

    internal static void Print(E2eResult r, TextWriter output)
    {
        var c = CultureInfo.InvariantCulture;
        var bare = r.BestBare;
        var monitor = r.BestMonitor;
        output.WriteLine(string.Create(c, $"{r.Settings.Events:N0} events of ~{r.BytesPerEvent:F0} B ({r.Settings.Numeric} numeric, {r.Settings.Categorical} categorical features), {r.Partitions} partitions, on {r.Machine}, load average {r.LoadAverage}"));
        output.WriteLine("run             | events/s   | seconds | CPU s  | CPU µs/event | checkpoints");
        foreach (var run in r.Runs)
        {
            string checkpoints = run.Kind == E2eBenchmark.Monitor ? string.Create(c, $"{run.Checkpoints} in {run.CheckpointSeconds:F2} s") : "-";
            output.WriteLine(string.Create(c, $"{run.Kind,-7} round {run.Round} | {run.Rate,10:N0} | {run.Seconds,7:F2} | {run.CpuSeconds,6:F2} | {run.CpuMicrosPerEvent,12:F2} | {checkpoints}"));
        }

        output.WriteLine(string.Create(c, $"best bare consumer: {bare.Rate:N0} events/s"));
        output.WriteLine(string.Create(c, $"best Monitor:       {monitor.Rate:N0} events/s"));
        output.WriteLine(string.Create(c, $"ratio Monitor/bare: {r.Ratio:F3}"));
        output.WriteLine(string.Create(c, $"decode + accumulate from memory, one thread, no Kafka: {r.Core.Rate:N0} events/s ({r.Core.CpuMicrosPerEvent:F2} µs CPU/event, {r.Core.Events:N0} events)"));
        output.WriteLine(string.Create(c, $"produce: {r.ProduceRate:N0} events/s; peak RSS {Mb(r.PeakRssBytes):F0} MB (the broker holds the whole log), RSS at end {Mb(r.RssAfterBytes):F0} MB"));
        output.WriteLine(string.Create(c, $"late events in the throughput runs: {r.LateEvents}"));
        var closed = r.Latency.ClosedToReport;
        var produced = r.Latency.ProducedToReport;
        output.WriteLine(string.Create(c, $"live phase, {produced.Count} windows: window closed → reported median {Median(closed):F0} ms, max {Max(closed):F0} ms; closing event produced → reported median {Median(produced):F0} ms, max {Max(produced):F0} ms"));
        output.WriteLine(Json(w =>
        {
            w.WriteString("bench", "e2e");
            w.WriteNumber("events", r.Settings.Events);
            w.WriteNumber("partitions", r.Partitions);
            w.WriteNumber("bytes_per_event", Math.Round(r.BytesPerEvent));
            w.WriteNumber("produce_eps", Math.Round(r.ProduceRate));
            w.WriteNumber("bare_eps", Math.Round(bare.Rate));
            w.WriteNumber("monitor_eps", Math.Round(monitor.Rate));
            w.WriteNumber("ratio", Math.Round(r.Ratio, 3));
            w.WriteNumber("bare_cpu_s", Math.Round(bare.CpuSeconds, 2));
            w.WriteNumber("monitor_cpu_s", Math.Round(monitor.CpuSeconds, 2));
            w.WriteNumber("bare_cpu_us_per_event", Math.Round(bare.CpuMicrosPerEvent, 2));
            w.WriteNumber("monitor_cpu_us_per_event", Math.Round(monitor.CpuMicrosPerEvent, 2));
            w.WriteNumber("monitor_checkpoints", monitor.Checkpoints);
            w.WriteNumber("monitor_checkpoint_s", Math.Round(monitor.CheckpointSeconds, 2));
            w.WriteNumber("core_eps", Math.Round(r.Core.Rate));
            w.WriteNumber("core_cpu_us_per_event", Math.Round(r.Core.CpuMicrosPerEvent, 2));
            w.WriteNumber("peak_rss_mb", Math.Round(Mb(r.PeakRssBytes)));
            w.WriteNumber("live_windows", produced.Count);
            if (closed.Count > 0)
            {
                w.WriteNumber("close_to_report_median_ms", Math.Round(Median(closed), 1));
                w.WriteNumber("close_to_report_max_ms", Math.Round(Max(closed), 1));
            }

            if (produced.Count > 0)
            {
                w.WriteNumber("produce_to_report_median_ms", Math.Round(Median(produced), 1));
                w.WriteNumber("produce_to_report_max_ms", Math.Round(Max(produced), 1));
            }

            w.WriteNumber("late_events", r.LateEvents);
            w.WriteString("machine", r.Machine);
            w.WriteString("load", r.LoadAverage);
        }));
    }

    private static double Max(IReadOnlyList<double> sorted) => sorted.Count == 0 ? double.NaN : sorted[^1];

    private static double Median(IReadOnlyList<double> sorted) =>
        sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;

    private static double Mb(long bytes) => bytes / (1024.0 * 1024.0);

    private static string Json(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
