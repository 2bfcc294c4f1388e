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
        var rssExactMemory = new Option<int?>("--exact-memory-mb") { Description = "The model's sketch.exact_memory_mb (default: the rules' default)." };
        var rss = new Command("rss", "The daemon's memory from outside: `monitor run` as a child process consumes open windows of many features from the embedded broker; its peak RSS.")
        {
            rssFeatures, rssWindows, rssPerWindow, rssExactMemory,
        };
        rss.SetAction(async (result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            var settings = new RssSettings(result.GetValue(rssFeatures), result.GetValue(rssWindows), result.GetValue(rssPerWindow), result.GetValue(rssExactMemory));
            if (settings.Features is < 1 or > 1000 || settings.Windows is < 1 or > 24 || settings.EventsPerWindow < 1 || settings.ExactMemoryMb is < 0)
            {
                await result.InvocationConfiguration.Error.WriteLineAsync("--features 1 to 1000, --windows 1 to 24, --events-per-window positive, --exact-memory-mb not negative.").ConfigureAwait(false);
                return MonitorCommandLine.InvalidInput;
            }

            var r = await RssBenchmark.RunAsync(settings, registry, result.InvocationConfiguration.Error, cancellationToken).ConfigureAwait(false);
            var c = CultureInfo.InvariantCulture;
            output.WriteLine(string.Create(c, $"monitor run: {settings.Features} numeric features, {settings.Windows} open windows × {settings.EventsPerWindow:N0} events (~{r.BytesPerEvent:F0} B each, {r.Partitions} partitions), on {r.Machine}"));
            output.WriteLine(string.Create(c, $"consumed {r.Events:N0} events in {r.Seconds:F1} s; peak RSS {Mb(r.PeakRss):F1} MB (before the first event: {Mb(r.PeakRssBeforeIngest):F1} MB), RSS at the end {Mb(r.FinalRss):F1} MB; the daemon's CPU from its first event on {r.IngestCpuSeconds:F2} s ({r.IngestCpuSeconds * 1e6 / r.Events:F2} µs per event)"));
            var p = r.AtPeak;
            output.WriteLine(string.Create(c, $"at the highest RSS the daemon reported ({Mb(p.Rss):F1} MB): GC committed {Mb(p.GcCommitted):F1} MB (heap in use {Mb(p.GcHeap):F1} MB, of it exact feature values {Mb(p.ExactValues):F1} MB); runtime, code and native memory {Mb(p.Rss - p.GcCommitted):F1} MB"));
            output.WriteLine(Json(w =>
            {
                w.WriteString("bench", "rss");
                w.WriteNumber("features", settings.Features);
                w.WriteNumber("windows", settings.Windows);
                w.WriteNumber("events_per_window", settings.EventsPerWindow);
                if (settings.ExactMemoryMb is { } exactMemory)
                {
                    w.WriteNumber("exact_memory_mb", exactMemory);
                }

                w.WriteNumber("events", r.Events);
                w.WriteNumber("seconds", Math.Round(r.Seconds, 1));
                w.WriteNumber("peak_rss_mb", Math.Round(Mb(r.PeakRss), 1));
                w.WriteNumber("rss_before_ingest_mb", Math.Round(Mb(r.PeakRssBeforeIngest), 1));
                w.WriteNumber("final_rss_mb", Math.Round(Mb(r.FinalRss), 1));
                w.WriteNumber("ingest_cpu_s", Math.Round(r.IngestCpuSeconds, 2));
                w.WriteNumber("cpu_us_per_event", Math.Round(r.IngestCpuSeconds * 1e6 / r.Events, 2));
                w.WriteNumber("at_peak_gc_committed_mb", Math.Round(Mb(r.AtPeak.GcCommitted), 1));
                w.WriteNumber("at_peak_gc_heap_mb", Math.Round(Mb(r.AtPeak.GcHeap), 1));
                w.WriteNumber("at_peak_exact_values_mb", Math.Round(Mb(r.AtPeak.ExactValues), 1));
                w.WriteNumber("at_peak_other_mb", Math.Round(Mb(r.AtPeak.Rss - r.AtPeak.GcCommitted), 1));
                w.WriteString("machine", r.Machine);
            }));
            return MonitorCommandLine.Success;
        });

        return new Command("bench", "Load benchmarks: end-to-end throughput through Kafka, accumulator memory, the daemon's RSS, the scipy comparison, cost against window size and features, and alert latency.")
        {
            e2e, memory, rss, peer, Scale(registry), AlertLatency(registry),
        };
    }

    private static Command Scale(DriftTestRegistry registry)
    {
        var events = new Option<string>("--events") { Description = "Window sizes, comma-separated (default 10000,100000,1000000,10000000).", DefaultValueFactory = _ => "10000,100000,1000000,10000000" };
        var features = new Option<string>("--features") { Description = "Numeric feature counts, comma-separated (default 10,100,1000).", DefaultValueFactory = _ => "10,100,1000" };
        var maxValues = new Option<long?>("--max-values") { Description = "Skip cells with events × features above this (default: none skipped)." };
        var categorical = new Option<int>("--categorical") { Description = "Categorical features per event besides the numeric ones (default 0).", DefaultValueFactory = _ => 0 };
        var pool = new Option<int>("--pool") { Description = "Distinct messages per feature count, fed cyclically (default 4,096).", DefaultValueFactory = _ => 4096 };
        var baselineRows = new Option<int>("--baseline-rows") { Description = "Events of the baseline (default 5,000).", DefaultValueFactory = _ => 5000 };
        var scale = new Command("scale", "Cost of one window against its size and the number of numeric features: ingest, close, evaluation and state, one thread, no Kafka.")
        {
            events, features, maxValues, categorical, pool, baselineRows,
        };
        scale.SetAction((result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            var error = result.InvocationConfiguration.Error;
            var sizes = ParseList(result.GetValue(events));
            var counts = ParseList(result.GetValue(features));
            var settings = sizes is null || counts is null || counts.Any(f => f > 100_000) ? null
                : new ScaleSettings(sizes, [.. counts.Select(f => (int)f)], result.GetValue(maxValues), result.GetValue(categorical), result.GetValue(pool), result.GetValue(baselineRows));
            if (settings is null || settings.MaxValues is < 1 || settings.Categorical is < 0 or > 100 || settings.Pool < 1 || settings.BaselineRows < 1)
            {
                error.WriteLine("--events and --features take comma-separated positive integers (features at most 100,000); --max-values, --pool and --baseline-rows must be positive, --categorical 0 to 100.");
                return Task.FromResult(MonitorCommandLine.InvalidInput);
            }

            PrintScale(settings, registry, output, error, cancellationToken);
            return Task.FromResult(MonitorCommandLine.Success);
        });
        return scale;
    }

    private static Command AlertLatency(DriftTestRegistry registry)
    {
        var windows = new Option<int>("--windows") { Description = "Windows closed, alternately drifted and clean (default 16).", DefaultValueFactory = _ => 16 };
        var perWindow = new Option<int>("--events-per-window") { Description = "Events per window (default 5,000).", DefaultValueFactory = _ => 5000 };
        var interval = new Option<int>("--interval-ms") { Description = "Real time between window closes, in milliseconds (default 1,000).", DefaultValueFactory = _ => 1000 };
        var features = new Option<int>("--features") { Description = "Numeric features per event (default 20).", DefaultValueFactory = _ => 20 };
        var smtp = new Option<string?>("--smtp") { Description = "An external SMTP server as host:port, e.g. smtp4dev (default: an in-process receiver on a loopback port)." };
        var command = new Command("alert-latency", "Window close to alert e-mail accepted by an SMTP server, through the alert policy, the durable outbox and the MailKit channel.")
        {
            windows, perWindow, interval, features, smtp,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            var error = result.InvocationConfiguration.Error;
            var settings = new AlertLatencySettings(result.GetValue(windows), result.GetValue(perWindow), TimeSpan.FromMilliseconds(result.GetValue(interval)),
                result.GetValue(features), result.GetValue(smtp), TimeSpan.FromSeconds(60));
            if (settings.Windows < 1 || settings.EventsPerWindow < 20 || settings.Interval <= TimeSpan.Zero || settings.Features is < 1 or > 1000
                || (settings.Smtp is { } server && (server.LastIndexOf(':') <= 0 || !int.TryParse(server.AsSpan(server.LastIndexOf(':') + 1), NumberStyles.None, CultureInfo.InvariantCulture, out _))))
            {
                await error.WriteLineAsync("--windows and --interval-ms must be positive, --events-per-window at least 20, --features 1 to 1,000, --smtp host:port.").ConfigureAwait(false);
                return MonitorCommandLine.InvalidInput;
            }

            var outcome = await AlertLatencyBenchmark.RunAsync(settings, registry, error, cancellationToken).ConfigureAwait(false);
            Print(outcome, output);
            return MonitorCommandLine.Success;
        });
        return command;
    }

    internal static void Print(AlertLatencyResult r, TextWriter output)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"Alert latency: {r.Settings.Windows} windows of {r.Settings.EventsPerWindow:N0} events ({r.Settings.Features} numeric features), one closing every {r.Settings.Interval.TotalMilliseconds:F0} ms; SMTP {r.Server}; on {r.Machine}, load average {r.LoadAverage}"));
        output.WriteLine("times in ms from the window's close (its closing event handed to the pipeline); '-' where not observed");
        output.WriteLine("window | drifted | e-mails | reported | enqueued | send start | first accepted | last accepted | last delivered");
        foreach (var w in r.Windows)
        {
            output.WriteLine(string.Create(c,
                $"{w.Index,6} | {(w.Drifted ? "yes" : "no"),7} | {w.Notifications,7} | {w.Reported,8:F1} | {w.Enqueued,8:F1} | {w.SendStarted,10:F1} | {Cell(w.FirstAccepted),14} | {Cell(w.LastAccepted),13} | {w.LastDelivered,14:F1}"));
        }

        var first = Sorted(r.Windows.Select(w => w.FirstAccepted));
        var last = Sorted(r.Windows.Select(w => w.LastAccepted));
        var delivered = Sorted(r.Windows.Select(w => w.LastDelivered));
        var enqueued = Sorted(r.Windows.Select(w => w.Enqueued));
        output.WriteLine(r.Settings.Smtp is null
            ? string.Create(c, $"decided {r.Decided} e-mails, delivered {r.Delivered}, accepted by the in-process receiver {r.Accepted}")
            : string.Create(c, $"decided {r.Decided} e-mails, delivered {r.Delivered}; an external server's 250 is not observed, so 'last delivered' (the channel returned after QUIT) stands for it"));
        if (first.Count > 0)
        {
            output.WriteLine(string.Create(c, $"close → first e-mail accepted: median {Median(first):F1} ms, max {Max(first):F1} ms; close → last e-mail accepted: median {Median(last):F1} ms, max {Max(last):F1} ms"));
        }

        output.WriteLine(string.Create(c, $"close → last e-mail delivered (channel returned): median {Median(delivered):F1} ms, max {Max(delivered):F1} ms; close → enqueued: median {Median(enqueued):F1} ms, max {Max(enqueued):F1} ms"));
        output.WriteLine(Json(w =>
        {
            w.WriteString("bench", "alert-latency");
            w.WriteNumber("windows", r.Windows.Count);
            w.WriteNumber("events_per_window", r.Settings.EventsPerWindow);
            w.WriteNumber("features", r.Settings.Features);
            w.WriteNumber("interval_ms", r.Settings.Interval.TotalMilliseconds);
            w.WriteString("smtp", r.Server);
            w.WriteNumber("emails_decided", r.Decided);
            w.WriteNumber("emails_delivered", r.Delivered);
            w.WriteNumber("emails_accepted", r.Accepted);
            w.WriteNumber("windows_with_alerts", r.Windows.Count(x => x.Notifications > 0));
            WriteStats(w, "close_to_enqueued", enqueued);
            WriteStats(w, "close_to_first_accepted", first);
            WriteStats(w, "close_to_last_accepted", last);
            WriteStats(w, "close_to_last_delivered", delivered);
            w.WriteString("machine", r.Machine);
            w.WriteString("load", r.LoadAverage);
        }));
    }

    private static string Cell(double ms) => double.IsFinite(ms) ? ms.ToString("F1", CultureInfo.InvariantCulture) : "-";

    private static List<double> Sorted(IEnumerable<double> values) => [.. values.Where(double.IsFinite).Order()];

    private static void WriteStats(Utf8JsonWriter w, string name, List<double> sorted)
    {
        if (sorted.Count > 0)
        {
            w.WriteNumber(name + "_median_ms", Math.Round(Median(sorted), 1));
            w.WriteNumber(name + "_max_ms", Math.Round(Max(sorted), 1));
        }
    }

    private static List<long>? ParseList(string? text)
    {
        var values = new List<long>();
        foreach (string part in (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!long.TryParse(part.Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out long v) || v < 1)
            {
                return null;
            }

            values.Add(v);
        }

        return values.Count == 0 ? null : values;
    }

    private static void PrintScale(ScaleSettings settings, DriftTestRegistry registry, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var c = CultureInfo.InvariantCulture;
        string cap = settings.MaxValues is { } max ? string.Create(c, $"cells above {max:N0} values skipped") : "no cap";
        output.WriteLine(string.Create(c, $"Scale: one 1 h window per cell, {settings.Categorical} categorical features, a pool of {settings.Pool:N0} messages fed cyclically, {cap}; on {ProcessStats.Machine()}, load average {ScaleBenchmark.LoadAverage()}"));
        output.WriteLine("    events | features | ingest s |   events/s | ns/value | alloc B/event | close s | evaluate s | tests            | mode   | state B/feature | heap MB |  RSS MB");
        var nanosPerValue = new Dictionary<int, double>();
        var cells = ScaleBenchmark.Run(settings, registry, cell =>
        {
            if (cell.Skipped)
            {
                string estimate = nanosPerValue.TryGetValue(cell.Features, out double ns)
                    ? string.Create(c, $"; at the {ns:F1} ns/value measured for {cell.Features} features its ingest would take ~{ns * cell.Values / 1e9:F0} s (an estimate, not a measurement)")
                    : string.Empty;
                output.WriteLine(string.Create(c, $"{cell.Events,10:N0} | {cell.Features,8:N0} | skipped: {cell.Values:N0} values > --max-values{estimate}"));
            }
            else
            {
                nanosPerValue[cell.Features] = cell.NanosPerValue;
                output.WriteLine(string.Create(c,
                    $"{cell.Events,10:N0} | {cell.Features,8:N0} | {cell.IngestSeconds,8:F2} | {cell.EventsPerSecond,10:N0} | {cell.NanosPerValue,8:F1} | {cell.AllocatedPerEvent,13:F1} | {cell.CloseSeconds,7:F3} | {cell.EvaluateSeconds,10:F3} | {cell.Tests,-16} | {cell.Mode,-6} | {cell.StateBytesPerStream,15:N0} | {Mb(cell.ManagedHeapBytes),7:F0} | {Mb(cell.RssBytes),7:F0}"));
            }

            output.WriteLine(Json(w =>
            {
                w.WriteString("bench", "scale");
                w.WriteNumber("events", cell.Events);
                w.WriteNumber("features", cell.Features);
                w.WriteNumber("categorical", settings.Categorical);
                w.WriteBoolean("skipped", cell.Skipped);
                if (!cell.Skipped)
                {
                    w.WriteNumber("ingest_s", Math.Round(cell.IngestSeconds, 3));
                    w.WriteNumber("ingest_cpu_s", Math.Round(cell.IngestCpuSeconds, 3));
                    w.WriteNumber("events_per_s", Math.Round(cell.EventsPerSecond));
                    w.WriteNumber("ns_per_value", Math.Round(cell.NanosPerValue, 2));
                    w.WriteNumber("alloc_bytes_per_event", Math.Round(cell.AllocatedPerEvent, 1));
                    w.WriteNumber("close_s", Math.Round(cell.CloseSeconds, 4));
                    w.WriteNumber("evaluate_s", Math.Round(cell.EvaluateSeconds, 4));
                    w.WriteNumber("evaluate_alloc_mb", Math.Round(Mb(cell.EvaluateAllocatedBytes), 1));
                    w.WriteString("tests", cell.Tests);
                    w.WriteString("mode", cell.Mode);
                    w.WriteNumber("state_bytes_per_feature", Math.Round(cell.StateBytesPerStream));
                    w.WriteNumber("state_mb", Math.Round(Mb(cell.StateBytes), 1));
                    w.WriteNumber("window_events", cell.WindowEvents);
                    w.WriteNumber("min_feature_count", cell.MinFeatureCount);
                    w.WriteNumber("max_feature_count", cell.MaxFeatureCount);
                    w.WriteNumber("numeric_streams", cell.NumericStreams);
                    w.WriteNumber("reports", cell.Reports);
                    w.WriteNumber("feature_reports", cell.FeatureReports);
                    w.WriteNumber("tested_features", cell.TestedFeatures);
                    w.WriteNumber("rejected", cell.Rejected);
                    w.WriteNumber("heap_mb", Math.Round(Mb(cell.ManagedHeapBytes), 1));
                    w.WriteNumber("rss_mb", Math.Round(Mb(cell.RssBytes), 1));
                    w.WriteNumber("peak_rss_mb", Math.Round(Mb(ProcessStats.PeakRss()), 1));
                }

                w.WriteString("machine", ProcessStats.Machine());
                w.WriteString("load", ScaleBenchmark.LoadAverage());
            }));
        }, error, cancellationToken);
        output.WriteLine(string.Create(c, $"{cells.Count(x => !x.Skipped)} cells measured, {cells.Count(x => x.Skipped)} skipped; total ingest {cells.Sum(x => x.IngestSeconds):F1} s; peak RSS {Mb(ProcessStats.PeakRss()):F0} MB; load average {ScaleBenchmark.LoadAverage()}"));
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

    private static double Mb(double bytes) => bytes / (1024.0 * 1024.0);

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
