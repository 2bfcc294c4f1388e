using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Monitor.Core.Drift;
using Monitor.Core.Pipeline;
using Monitor.Kafka.Embedded;
using Monitor.Kafka.Ingest;

namespace Monitor.Worker.Bench;

/// <summary>What <c>monitor bench e2e</c> runs.</summary>
/// <param name="Events">Events produced, then consumed by every run.</param>
/// <param name="Partitions">Topic partitions; null: enough that no partition exceeds the broker's 5 MiB retention.</param>
/// <param name="Numeric">Numeric features per event.</param>
/// <param name="Categorical">Categorical features per event.</param>
/// <param name="Rounds">Alternating rounds (bare consumer, then Monitor); the best run of each is reported.</param>
/// <param name="Stall">A run fails when nothing new arrives for this long (records lost to retention, say).</param>
/// <param name="CheckpointEvery">The ingest's <see cref="KafkaIngestOptions.CheckpointEveryMessages"/>; null: its default.</param>
internal sealed record E2eSettings(long Events, int? Partitions, int Numeric, int Categorical, int Rounds, TimeSpan Stall, int? CheckpointEvery = null);

/// <summary>One timed consumption of the whole topic.</summary>
/// <param name="Kind"><c>bare</c> or <c>monitor</c>.</param>
/// <param name="Round">1-based round.</param>
/// <param name="Events">Records counted (bare) or applied (Monitor).</param>
/// <param name="Seconds">From the first record to the last.</param>
/// <param name="CpuSeconds">Process CPU time over the same interval (broker and producer threads included).</param>
/// <param name="Checkpoints">Checkpoints written (Monitor runs).</param>
/// <param name="CheckpointSeconds">Time spent writing them, as <see cref="KafkaIngest.CheckpointWritten"/> reports it.</param>
internal sealed record E2eRun(string Kind, int Round, long Events, double Seconds, double CpuSeconds, long Checkpoints = 0, double CheckpointSeconds = 0)
{
    public double Rate => Events / Seconds;

    public double CpuMicrosPerEvent => CpuSeconds * 1e6 / Events;
}

/// <summary>Window close to report, in the live phase; each list sorted, in milliseconds.</summary>
/// <param name="ClosedToReport">From the sampled moment the engine's watermark passed the window's end to <see cref="KafkaIngest.WindowsReported"/>.</param>
/// <param name="ProducedToReport">From producing the event that closes the window to <see cref="KafkaIngest.WindowsReported"/> (Kafka transit included).</param>
internal sealed record E2eLatency(IReadOnlyList<double> ClosedToReport, IReadOnlyList<double> ProducedToReport);

/// <summary>The outcome of <c>monitor bench e2e</c>.</summary>
internal sealed record E2eResult(
    E2eSettings Settings,
    int Partitions,
    double BytesPerEvent,
    double ProduceRate,
    IReadOnlyList<E2eRun> Runs,
    E2eRun Core,
    E2eLatency Latency,
    long LateEvents,
    long PeakRssBytes,
    long RssAfterBytes,
    string Machine,
    string LoadAverage)
{
    public E2eRun BestBare => Runs.Where(r => r.Kind == E2eBenchmark.Bare).MaxBy(r => r.Rate)!;

    public E2eRun BestMonitor => Runs.Where(r => r.Kind == E2eBenchmark.Monitor).MaxBy(r => r.Rate)!;

    public double Ratio => BestMonitor.Rate / BestBare.Rate;
}

/// <summary>
/// End to end through Kafka over TCP, in one process: the embedded broker, a generated stream of predictions,
/// then alternately a bare Confluent.Kafka consume loop that only counts records and Monitor's
/// <see cref="KafkaIngest"/> (decode, windows, checkpoints), each in a fresh consumer group.
/// </summary>
internal static class E2eBenchmark
{
    public const string Bare = "bare";
    public const string Monitor = "monitor";
    public const string Core = "core";
    public const string Topic = "bench.predictions";

    /// <summary>The windows: 1 h.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    /// <summary>
    /// The throughput stream covers two windows and closes none: a backlog spread over many partitions is read
    /// partition by partition (a fetch of up to 1 MiB each), so event time is far out of order and a short
    /// lateness would drop much of it as late. Window closes are timed in a separate live phase instead.
    /// </summary>
    public static readonly TimeSpan Span = TimeSpan.FromHours(2);

    /// <summary>Allowed lateness of the throughput model: longer than <see cref="Span"/>, so nothing is late.</summary>
    public static readonly TimeSpan Lateness = TimeSpan.FromDays(1);

    /// <summary>Events per second of the live latency phase; each 1 h window lasts one second of real time.</summary>
    public const int LatencyRate = 5_000;

    /// <summary>Windows closed in the latency phase.</summary>
    public const int LatencyWindows = 8;

    public const string LatencyTopic = "bench.live";

    /// <summary>Consecutive events produced to one partition before moving to the next.</summary>
    private const int ProduceBlock = 250;

    /// <summary>Events held in memory for the decode-and-accumulate pass without Kafka.</summary>
    private const int CoreEvents = 200_000;

    private static readonly DateTimeOffset EventStart = new(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);

    public static async Task<E2eResult> RunAsync(E2eSettings s, DriftTestRegistry registry, TextWriter log, CancellationToken cancellationToken)
    {
        var c = CultureInfo.InvariantCulture;
        var workload = new BenchWorkload(s.Numeric, s.Categorical, EventStart, Span / s.Events);
        double bytesPerEvent = workload.Event(0, new Random(1)).Length;
        int partitions = s.Partitions ?? (int)Math.Max(4, Math.Ceiling(s.Events * (bytesPerEvent + 64) * 1.25 / EmbeddedKafkaCluster.PartitionRetentionBytes));

        var rules = workload.Rules(Topic, Window, Lateness);
        log.WriteLine(string.Create(c, $"Building the baseline from 20,000 generated events ({s.Numeric} numeric, {s.Categorical} categorical features)..."));
        var baseline = workload.Baseline(rules, registry, 20_000, EventStart.AddDays(-1));
        var model = CompiledModel.Compile(rules, baseline, registry);

        using var cluster = new EmbeddedKafkaCluster();
        cluster.SetInitialRebalanceDelay(TimeSpan.Zero);
        cluster.CreateTopic(Topic, partitions);
        cluster.CreateTopic("monitor.dead-letters", 1);
        log.WriteLine(string.Create(c, $"Embedded broker at {cluster.BootstrapServers}; topic {Topic} with {partitions} partitions. Producing {s.Events:N0} events of ~{bytesPerEvent:F0} bytes..."));
        double produceRate = Produce(cluster.BootstrapServers, Topic, workload, s.Events, partitions, cancellationToken);
        log.WriteLine(string.Create(c, $"Produced at {produceRate:N0} events/s."));

        var runs = new List<E2eRun>();
        long late = 0;
        for (int round = 1; round <= s.Rounds; round++)
        {
            var bare = RunBare(cluster.BootstrapServers, s, round, cancellationToken);
            runs.Add(bare);
            log.WriteLine(string.Create(c, $"round {round}: bare consumer {bare.Rate:N0} events/s ({bare.Seconds:F2} s, {bare.CpuMicrosPerEvent:F2} µs CPU/event)"));
            var (monitor, lateEvents) = await RunMonitorAsync(cluster.BootstrapServers, model, s, round, cancellationToken).ConfigureAwait(false);
            runs.Add(monitor);
            late = Math.Max(late, lateEvents);
            log.WriteLine(string.Create(c, $"round {round}: Monitor {monitor.Rate:N0} events/s ({monitor.Seconds:F2} s, {monitor.CpuMicrosPerEvent:F2} µs CPU/event)"));
        }

        var core = RunCore(workload, model, Math.Min(s.Events, CoreEvents));
        log.WriteLine(string.Create(c, $"decode and accumulate in memory, one thread: {core.Rate:N0} events/s ({core.CpuMicrosPerEvent:F2} µs CPU/event)"));
        log.WriteLine(string.Create(c, $"Live phase: {LatencyRate:N0} events/s into {LatencyTopic}, one 1 h window closing per second, {LatencyWindows} windows..."));
        var liveRules = workload.Rules(LatencyTopic, Window, TimeSpan.Zero);
        cluster.CreateTopic(LatencyTopic, 1);
        var latency = await RunLatencyAsync(cluster.BootstrapServers, CompiledModel.Compile(liveRules, baseline, registry), s, cancellationToken).ConfigureAwait(false);
        return new E2eResult(s, partitions, bytesPerEvent, produceRate, runs, core, latency, late,
            ProcessStats.PeakRss(), ProcessStats.Rss(), ProcessStats.Machine(), LoadAverage());
    }

    /// <summary>Produces <paramref name="events"/> events of <paramref name="workload"/> to <paramref name="topic"/>,
    /// in blocks of consecutive events per partition; returns events per second.</summary>
    internal static double Produce(string bootstrap, string topic, BenchWorkload workload, long events, int partitions, CancellationToken cancellationToken)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = bootstrap,
            LingerMs = 50,
            BatchSize = 1_000_000,
            BatchNumMessages = 10_000,
            QueueBufferingMaxMessages = 200_000,
        };
        long failed = 0;
        using var producer = new ProducerBuilder<Null, byte[]>(config).Build();
        var random = new Random(7);
        var watch = Stopwatch.StartNew();
        Action<DeliveryReport<Null, byte[]>> onDelivery = report =>
        {
            if (report.Error.IsError)
            {
                Interlocked.Increment(ref failed);
            }
        };
        for (long i = 0; i < events; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Blocks of consecutive events, round robin: every partition gets the same share (none exceeds the
            // broker's retention) in few large record batches. One event per batch would make the broker's fetches
            // slow (it scans a partition's batches linearly), for the bare consumer and Monitor alike.
            var partition = new TopicPartition(topic, new Partition((int)(i / ProduceBlock % partitions)));
            var message = new Message<Null, byte[]> { Value = workload.Event(i, random) };
            while (true)
            {
                try
                {
                    producer.Produce(partition, message, onDelivery);
                    break;
                }
                catch (ProduceException<Null, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(10));
                }
            }
        }

        producer.Flush(cancellationToken);
        double seconds = watch.Elapsed.TotalSeconds;
        if (Interlocked.Read(ref failed) > 0)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"{failed} of {events} events could not be produced."));
        }

        return events / seconds;
    }

    private static E2eRun RunBare(string bootstrap, E2eSettings s, int round, CancellationToken cancellationToken)
    {
        // Monitor's consumer settings (KafkaIngestOptions.ConsumerDefaults): background commits, none per record.
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = string.Create(CultureInfo.InvariantCulture, $"bench-bare-{round}"),
            ClientId = "bench-bare",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = true,
            EnablePartitionEof = false,
        };
        foreach (var (key, value) in KafkaIngestOptions.ConsumerDefaults)
        {
            if (key is not ("group.id" or "client.id"))
            {
                config.Set(key, value);
            }
        }

        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(config).Build();
        consumer.Subscribe(Topic);
        long count = 0;
        long bytes = 0;
        var watch = new Stopwatch();
        var cpu = TimeSpan.Zero;
        var idle = Stopwatch.StartNew();
        while (count < s.Events)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (result is null)
            {
                if (idle.Elapsed > s.Stall)
                {
                    throw Stalled(Bare, count, s.Events);
                }

                continue;
            }

            if (count == 0)
            {
                cpu = ProcessStats.CpuTime();
                watch.Start();
            }

            bytes += result.Message.Value?.Length ?? 0;
            count++;
            idle.Restart();
        }

        watch.Stop();
        var run = new E2eRun(Bare, round, count, watch.Elapsed.TotalSeconds, (ProcessStats.CpuTime() - cpu).TotalSeconds);
        consumer.Close();
        return bytes > 0 ? run : throw new InvalidOperationException("The bare consumer received only empty values.");
    }

    private static async Task<(E2eRun Run, long Late)> RunMonitorAsync(
        string bootstrap, CompiledModel model, E2eSettings s, int round, CancellationToken cancellationToken)
    {
        string state = Directory.CreateTempSubdirectory("monitor-bench-").FullName;
        try
        {
            var options = new KafkaIngestOptions
            {
                Kafka = { ["bootstrap.servers"] = bootstrap },
                Consumer = { ["group.id"] = string.Create(CultureInfo.InvariantCulture, $"bench-monitor-{round}") },
                StateDirectory = state,
                CheckpointEveryMessages = s.CheckpointEvery ?? new KafkaIngestOptions().CheckpointEveryMessages,
            };
            long checkpointTicks = 0;
            await using var ingest = new KafkaIngest([model], options, TimeProvider.System);
            ingest.CheckpointWritten += took => Interlocked.Add(ref checkpointTicks, took.Ticks);
            using var timer = new AppliedTimer(ingest, s.Events);
            ingest.Start();
            timer.Start();
            long applied = 0;
            long lastApplied = 0;
            var idle = Stopwatch.StartNew();
            while (!timer.Done)
            {
                await Task.Delay(10, cancellationToken).ConfigureAwait(false);
                if (ingest.Completion.IsFaulted)
                {
                    await ingest.Completion.ConfigureAwait(false);
                }

                applied = ingest.Applied;
                if (applied != lastApplied)
                {
                    lastApplied = applied;
                    idle.Restart();
                }
                else if (idle.Elapsed > s.Stall)
                {
                    throw Stalled(Monitor, applied, s.Events);
                }
            }

            var run = new E2eRun(Monitor, round, s.Events, timer.Seconds, timer.CpuSeconds,
                ingest.Checkpoints, TimeSpan.FromTicks(Interlocked.Read(ref checkpointTicks)).TotalSeconds);
            await ingest.StopAsync().ConfigureAwait(false);
            return (run, ingest.Pipelines[0].Engine.LateEvents);
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }

    /// <summary>
    /// A live stream at <see cref="LatencyRate"/> events/s through the broker into a running ingest whose model
    /// has no allowed lateness: each window closes with the first event of the next one. Times each close to its
    /// report: from producing that event, and from the sampled moment the watermark passed the window's end.
    /// </summary>
    private static async Task<E2eLatency> RunLatencyAsync(string bootstrap, CompiledModel model, E2eSettings s, CancellationToken cancellationToken)
    {
        string state = Directory.CreateTempSubdirectory("monitor-bench-").FullName;
        try
        {
            var live = new BenchWorkload(s.Numeric, s.Categorical, EventStart, Window / LatencyRate);
            var options = new KafkaIngestOptions
            {
                Kafka = { ["bootstrap.servers"] = bootstrap },
                Consumer = { ["group.id"] = "bench-live" },
                StateDirectory = state,
            };
            var reported = new ConcurrentDictionary<DateTimeOffset, long>();
            await using var ingest = new KafkaIngest([model], options, TimeProvider.System);
            ingest.WindowsReported += (_, reports) =>
            {
                long now = Stopwatch.GetTimestamp();
                foreach (var report in reports)
                {
                    if (report.Final)
                    {
                        reported.TryAdd(report.Window.End, now);
                    }
                }
            };
            ingest.Start();

            using var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = bootstrap }).Build();
            var random = new Random(11);
            var produced = new Dictionary<DateTimeOffset, long>();
            var closed = new Dictionary<DateTimeOffset, long>();
            producer.Produce(LatencyTopic, new Message<Null, byte[]> { Value = live.Event(0, random) });
            await Until(() => ingest.Applied >= 1, s.Stall, "the first live event was not applied", cancellationToken).ConfigureAwait(false);

            long last = (long)LatencyRate * LatencyWindows;
            var clock = Stopwatch.StartNew();
            for (long i = 1; i <= last; i++)
            {
                // Paced: event i leaves at i / rate seconds.
                while (clock.Elapsed.TotalSeconds * LatencyRate < i)
                {
                    Sample(ingest, closed);
                    await Task.Delay(1, cancellationToken).ConfigureAwait(false);
                }

                producer.Produce(LatencyTopic, new Message<Null, byte[]> { Value = live.Event(i, random) });
                if (i % LatencyRate == 0)
                {
                    produced[live.TimeOf(i)] = Stopwatch.GetTimestamp();
                }
            }

            producer.Flush(cancellationToken);
            await Until(() =>
            {
                Sample(ingest, closed);
                return produced.Keys.All(reported.ContainsKey);
            }, s.Stall, "not every live window was reported", cancellationToken).ConfigureAwait(false);
            await ingest.StopAsync().ConfigureAwait(false);

            var fromClose = new List<double>();
            var fromProduce = new List<double>();
            foreach (var (end, at) in produced)
            {
                long reportedAt = reported[end];
                fromProduce.Add(Stopwatch.GetElapsedTime(at, reportedAt).TotalMilliseconds);
                if (closed.TryGetValue(end, out long closedAt))
                {
                    fromClose.Add(Math.Max(0, Stopwatch.GetElapsedTime(closedAt, reportedAt).TotalMilliseconds));
                }
            }

            fromClose.Sort();
            fromProduce.Sort();
            return new E2eLatency(fromClose, fromProduce);
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }

    /// <summary>A sampled read of the watermark (one 64-bit field, written by the processing task): when each window closed.</summary>
    private static void Sample(KafkaIngest ingest, Dictionary<DateTimeOffset, long> closed)
    {
        if (ingest.Pipelines.Count == 0 || ingest.Pipelines[0].Engine.Watermark is not { } watermark)
        {
            return;
        }

        long now = Stopwatch.GetTimestamp();
        var end = EventStart + Window;
        while (end <= watermark)
        {
            closed.TryAdd(end, now);
            end += Window;
        }
    }

    private static async Task Until(Func<bool> condition, TimeSpan timeout, string failure, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > timeout)
            {
                throw new InvalidOperationException("Live phase: " + failure + string.Create(CultureInfo.InvariantCulture, $" within {timeout.TotalSeconds:F0} s."));
            }

            await Task.Delay(1, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The same events through a <see cref="ModelPipeline"/> straight from memory (decode, windows, no Kafka, no
    /// checkpoints), on this thread: what one processing thread can do at most. Best of two passes.
    /// </summary>
    private static E2eRun RunCore(BenchWorkload workload, CompiledModel model, long count)
    {
        var random = new Random(7);
        var events = new byte[count][];
        for (int i = 0; i < events.Length; i++)
        {
            events[i] = workload.Event(i, random);
        }

        E2eRun? best = null;
        for (int pass = 1; pass <= 2; pass++)
        {
            var pipeline = new ModelPipeline(model);
            var cpu = ProcessStats.CpuTime();
            var watch = Stopwatch.StartNew();
            foreach (var e in events)
            {
                pipeline.OnPrediction(e);
            }

            pipeline.Evaluate(includeBackfills: false);
            watch.Stop();
            var run = new E2eRun(Core, pass, events.Length, watch.Elapsed.TotalSeconds, (ProcessStats.CpuTime() - cpu).TotalSeconds);
            if (best is null || run.Rate > best.Rate)
            {
                best = run;
            }
        }

        return best!;
    }

    /// <summary>
    /// Times an ingest from its first applied record to its N-th on a dedicated thread that polls
    /// <see cref="KafkaIngest.Applied"/> about every millisecond (<see cref="SpinWait"/> falling back to 1 ms sleeps), so that the thread pool
    /// the ingest's processing task runs on cannot delay the readings.
    /// </summary>
    private sealed class AppliedTimer(KafkaIngest ingest, long events) : IDisposable
    {
        private volatile bool _stop;
        private volatile bool _done;
        private long _first;
        private long _last;
        private TimeSpan _firstCpu;
        private TimeSpan _lastCpu;

        public bool Done => _done;

        public double Seconds => Stopwatch.GetElapsedTime(_first, _last).TotalSeconds;

        public double CpuSeconds => (_lastCpu - _firstCpu).TotalSeconds;

        public void Start()
        {
            var thread = new Thread(Poll) { IsBackground = true, Name = "bench-timer" };
            thread.Start();
        }

        public void Dispose() => _stop = true;

        private void Poll()
        {
            var spin = default(SpinWait);
            while (!_stop && ingest.Applied == 0)
            {
                spin.SpinOnce(sleep1Threshold: 1);
            }

            _first = Stopwatch.GetTimestamp();
            _firstCpu = ProcessStats.CpuTime();
            spin.Reset();
            while (!_stop && ingest.Applied < events)
            {
                spin.SpinOnce(sleep1Threshold: 1);
            }

            _last = Stopwatch.GetTimestamp();
            _lastCpu = ProcessStats.CpuTime();
            _done = !_stop;
        }
    }

    private static InvalidOperationException Stalled(string kind, long count, long expected) => new(string.Create(CultureInfo.InvariantCulture,
        $"The {kind} run stalled at {count:N0} of {expected:N0} events; were records deleted by the broker's 5 MiB partition retention? Use more --partitions."));

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
    }
}
