using System.Diagnostics;
using System.Globalization;
using System.Text;
using Monitor.Core.Drift;
using Monitor.Kafka.Embedded;

namespace Monitor.Worker.Bench;

/// <summary>What <c>monitor bench rss</c> runs.</summary>
internal sealed record RssSettings(int Features, int Windows, long EventsPerWindow, int? ExactMemoryMb = null);

/// <summary>What <c>monitor bench rss</c> measured.</summary>
internal sealed record RssResult(RssSettings Settings, long Events, double BytesPerEvent, int Partitions, double Seconds,
    long PeakRss, long FinalRss, long PeakRssBeforeIngest, string Machine, RssBreakdown AtPeak, double IngestCpuSeconds);

/// <summary>The daemon's own metrics at the sample with the highest RSS: where the memory was.</summary>
/// <param name="Rss">process_resident_memory_bytes.</param>
/// <param name="GcCommitted">monitor_gc_committed_bytes: the managed heap's committed memory, free space included.</param>
/// <param name="GcHeap">monitor_gc_heap_bytes: managed heap in use (live and not yet collected).</param>
/// <param name="ExactValues">monitor_exact_values_bytes: exact feature values held.</param>
internal sealed record RssBreakdown(double Rss, double GcCommitted, double GcHeap, double ExactValues);

/// <summary>
/// The daemon's memory, measured from outside: <c>monitor run</c> as a child process (the same executable)
/// consumes W windows × N events of F numeric features from the embedded broker, which runs in this process, so
/// the broker's log is not counted. All W windows stay open (one day of allowed lateness), as in the memory
/// target's "3 open windows". The child's VmRSS is sampled every 100 ms; VmHWM is its peak.
/// </summary>
internal static class RssBenchmark
{
    private const string Topic = "bench.rss";
    private static readonly DateTimeOffset EventStart = new(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);
    private static readonly Queue<string> ErrorTail = new();

    public static async Task<RssResult> RunAsync(RssSettings s, DriftTestRegistry registry, TextWriter log, CancellationToken cancellationToken)
    {
        var c = CultureInfo.InvariantCulture;
        long events = s.EventsPerWindow * s.Windows;
        var workload = new BenchWorkload(s.Features, 0, EventStart, TimeSpan.FromHours(1) / s.EventsPerWindow);
        double bytesPerEvent = workload.Event(0, new Random(1)).Length;
        int partitions = (int)Math.Max(4, Math.Ceiling(events * (bytesPerEvent + 64) * 1.25 / EmbeddedKafkaCluster.PartitionRetentionBytes));

        string folder = Path.Combine(Path.GetTempPath(), "monitor-bench-rss-" + Guid.NewGuid().ToString("N")[..8]);
        string rulesFolder = Path.Combine(folder, "rules");
        Directory.CreateDirectory(rulesFolder);
        try
        {
            log.WriteLine(string.Create(c, $"Building the baseline from 20,000 generated events ({s.Features} numeric features)..."));
            var baseline = workload.Baseline(workload.Rules(Topic, TimeSpan.FromHours(1), TimeSpan.FromDays(1)), registry, 20_000, EventStart.AddDays(-1));
            string baselinePath = Path.Combine(folder, "baseline.json");
            await using (var file = File.Create(baselinePath))
            {
                baseline.Save(file);
            }

            await File.WriteAllTextAsync(Path.Combine(rulesFolder, "bench.yaml"), RulesYaml(s.Features, s.ExactMemoryMb, baselinePath), cancellationToken).ConfigureAwait(false);

            using var cluster = new EmbeddedKafkaCluster();
            cluster.SetInitialRebalanceDelay(TimeSpan.Zero);
            cluster.CreateTopic(Topic, partitions);
            cluster.CreateTopic(Topic + ".dead-letter", 1);
            log.WriteLine(string.Create(c, $"Producing {events:N0} events of ~{bytesPerEvent:F0} bytes ({s.Windows} windows of {s.EventsPerWindow:N0}) to {partitions} partitions..."));
            E2eBenchmark.Produce(cluster.BootstrapServers, Topic, workload, events, partitions, cancellationToken);

            int port = FreePort();
            using var child = StartChild(folder, rulesFolder, cluster.BootstrapServers, port);
            try
            {
                return await MeasureAsync(child, port, s, events, bytesPerEvent, partitions, log, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                if (!child.HasExited)
                {
                    child.Kill(entireProcessTree: true); // also when measuring failed: never leave a daemon behind
                    await child.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task<RssResult> MeasureAsync(Process child, int port, RssSettings s, long events, double bytesPerEvent, int partitions,
        TextWriter log, CancellationToken cancellationToken)
    {
        var c = CultureInfo.InvariantCulture;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        long peakBefore = 0;
        long sampledPeak = 0;
        var watch = Stopwatch.StartNew();
        long consumed = 0;
        var atPeak = new RssBreakdown(0, 0, 0, 0);
        double cpuBefore = 0;
        double cpu = 0;
        var deadline = TimeSpan.FromMinutes(10);
        while (consumed < events)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (child.HasExited)
            {
                throw new InvalidOperationException(string.Create(c, $"monitor run exited with {child.ExitCode} after {consumed:N0} of {events:N0} events: {Tail()}"));
            }

            if (watch.Elapsed > deadline)
            {
                throw new TimeoutException(string.Create(c, $"monitor run consumed {consumed:N0} of {events:N0} events in {deadline.TotalMinutes} minutes."));
            }

            if (ProcessStats.RssOf(child.Id) is { } rss)
            {
                sampledPeak = Math.Max(sampledPeak, rss.Current);
                if (consumed == 0)
                {
                    peakBefore = rss.Peak;
                }
            }

            if (await Scrape(http, port, cancellationToken).ConfigureAwait(false) is { } text)
            {
                string[] metrics = text.Split('\n');
                consumed = (long)Sample(metrics, $"monitor_events_consumed_total{{topic=\"{Topic}\"}} ");
                cpu = Sample(metrics, "process_cpu_seconds_total ");
                if (consumed == 0)
                {
                    cpuBefore = cpu; // the daemon's own CPU from its first event on is what the stream cost
                }

                double own = Sample(metrics, "process_resident_memory_bytes ");
                if (own > atPeak.Rss)
                {
                    atPeak = new RssBreakdown(own, Sample(metrics, "monitor_gc_committed_bytes "), Sample(metrics, "monitor_gc_heap_bytes "),
                        Sample(metrics, $"monitor_exact_values_bytes{{model=\"{BenchWorkload.ModelName}\"}} "));
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
        }

        double seconds = watch.Elapsed.TotalSeconds;
        var final = ProcessStats.RssOf(child.Id) ?? (sampledPeak, sampledPeak);
        log.WriteLine(string.Create(c, $"monitor run consumed {consumed:N0} events; stopping it."));
        return new RssResult(s, events, bytesPerEvent, partitions, seconds, Math.Max(final.Peak, sampledPeak), final.Current, peakBefore, ProcessStats.Machine(), atPeak, cpu - cpuBefore);
    }

    private static string Tail()
    {
        lock (ErrorTail)
        {
            return string.Join('\n', ErrorTail);
        }
    }

    private static string RulesYaml(int features, int? exactMemoryMb, string baselinePath)
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("model:").AppendLine($"  name: {BenchWorkload.ModelName}").AppendLine("  version: \"3\"");
        sb.AppendLine("task: binary_classification");
        sb.AppendLine("topics:").AppendLine($"  predictions: {Topic}").AppendLine($"  dead_letter: {Topic}.dead-letter");
        sb.AppendLine("features:");
        for (int f = 0; f < features; f++)
        {
            sb.AppendLine(c, $"  - name: num_{f:D2}").AppendLine("    kind: numeric");
        }

        sb.AppendLine("window:").AppendLine("  size: 1h").AppendLine("  allowed_lateness: 1d");
        sb.AppendLine("baseline:").AppendLine("  kind: file").AppendLine(c, $"  path: {baselinePath}");
        if (exactMemoryMb is { } mb)
        {
            sb.AppendLine("sketch:").AppendLine(c, $"  exact_memory_mb: {mb}");
        }

        return sb.ToString();
    }

    private static Process StartChild(string folder, string rules, string bootstrap, int port)
    {
        // The same build of monitor: its apphost when this runs as one, else `dotnet monitor.dll`.
        string self = Environment.ProcessPath ?? "dotnet";
        var info = Path.GetFileNameWithoutExtension(self) == "monitor"
            ? new ProcessStartInfo(self)
            : new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet") { ArgumentList = { typeof(RssBenchmark).Assembly.Location } };
        info.WorkingDirectory = folder;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        foreach (string arg in new[]
        {
            "run", $"--Monitor:Rules={rules}", $"--Monitor:Kafka:BootstrapServers={bootstrap}",
            $"--Monitor:StateDirectory={Path.Combine(folder, "state")}", string.Create(CultureInfo.InvariantCulture, $"--Monitor:HttpUrl=http://127.0.0.1:{port}"),
            "--Monitor:Kafka:GroupId=bench-rss", "--Serilog:MinimumLevel:Default=Warning",
        })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("monitor run did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lock (ErrorTail)
                {
                    ErrorTail.Enqueue(line);
                    while (ErrorTail.Count > 20)
                    {
                        ErrorTail.Dequeue();
                    }
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    // The child's /metrics; null while it is not up yet.
    private static async Task<string?> Scrape(HttpClient http, int port, CancellationToken cancellationToken)
    {
        try
        {
            return await http.GetStringAsync(new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/metrics")), cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    // The value of the line starting with prefix; 0 when absent.
    private static double Sample(string[] metrics, string prefix)
    {
        foreach (string line in metrics)
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return double.Parse(line.AsSpan(prefix.Length), CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
