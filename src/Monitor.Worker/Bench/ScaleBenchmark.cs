using System.Diagnostics;
using System.Globalization;
using Monitor.Core.Drift;
using Monitor.Core.Ingest;
using Monitor.Core.Pipeline;
using Monitor.Core.Windows;

namespace Monitor.Worker.Bench;

/// <summary>What <c>monitor bench scale</c> runs.</summary>
/// <param name="Events">Window sizes (events fed into the one window of a cell).</param>
/// <param name="Features">Numeric feature counts.</param>
/// <param name="MaxValues">Cells with events × features above this are skipped; null: none.</param>
/// <param name="Categorical">Categorical features per event (besides the numeric ones).</param>
/// <param name="Pool">Distinct messages generated per feature count and fed cyclically.</param>
/// <param name="BaselineRows">Events of the baseline (another seed) the windows are compared with.</param>
internal sealed record ScaleSettings(
    IReadOnlyList<long> Events, IReadOnlyList<int> Features, long? MaxValues, int Categorical = 0, int Pool = 4096, int BaselineRows = 5000);

/// <summary>One cell of the scale table.</summary>
/// <param name="Events">Events fed.</param>
/// <param name="Features">Numeric features per event.</param>
/// <param name="Skipped">Over <see cref="ScaleSettings.MaxValues"/>: not run, every measurement is zero.</param>
/// <param name="IngestSeconds">Decode and accumulate of all events, one thread.</param>
/// <param name="IngestCpuSeconds">Process CPU time over the same interval.</param>
/// <param name="AllocatedBytes">Bytes allocated by the feeding thread during ingest.</param>
/// <param name="CloseSeconds">Advancing the watermark past the window's end (merging its panes).</param>
/// <param name="EvaluateSeconds"><see cref="ModelPipeline.Evaluate"/> of the closed window.</param>
/// <param name="EvaluateAllocatedBytes">Bytes allocated by the evaluation.</param>
/// <param name="StateBytes">Window state of the numeric streams (features and score): values or sketch, plus PSI bin counts.</param>
/// <param name="NumericStreams">Numeric streams in the window (features plus the score).</param>
/// <param name="WindowEvents">Events the window counted.</param>
/// <param name="MinFeatureCount">Smallest value count of a numeric stream in the window.</param>
/// <param name="MaxFeatureCount">Largest value count of a numeric stream in the window.</param>
/// <param name="Reports">Window reports produced.</param>
/// <param name="FeatureReports">Feature (and prediction) reports in them.</param>
/// <param name="TestedFeatures">Feature reports with at least one drift test result.</param>
/// <param name="Tests">The distinct drift tests run on numeric features.</param>
/// <param name="Mode">Exact or sketch, as the evaluation reported for the first feature.</param>
/// <param name="Rejected">Messages the decoder did not accept (should be 0).</param>
/// <param name="ManagedHeapBytes">Managed heap after a full collection with the window full (message pool included).</param>
/// <param name="RssBytes">Process resident set with the window full.</param>
internal sealed record ScaleCell(
    long Events,
    int Features,
    bool Skipped,
    double IngestSeconds = 0,
    double IngestCpuSeconds = 0,
    long AllocatedBytes = 0,
    double CloseSeconds = 0,
    double EvaluateSeconds = 0,
    long EvaluateAllocatedBytes = 0,
    long StateBytes = 0,
    int NumericStreams = 0,
    long WindowEvents = 0,
    long MinFeatureCount = 0,
    long MaxFeatureCount = 0,
    int Reports = 0,
    int FeatureReports = 0,
    int TestedFeatures = 0,
    string Tests = "",
    string Mode = "",
    long Rejected = 0,
    long ManagedHeapBytes = 0,
    long RssBytes = 0)
{
    /// <summary>Feature values fed: events × numeric features (the score and categorical values come on top).</summary>
    public double Values => (double)Events * Features;

    public double EventsPerSecond => Events / IngestSeconds;

    public double NanosPerValue => IngestSeconds * 1e9 / Values;

    public double AllocatedPerEvent => (double)AllocatedBytes / Events;

    public double StateBytesPerStream => NumericStreams == 0 ? 0 : (double)StateBytes / NumericStreams;
}

/// <summary>
/// How the cost of one window grows with its size and the number of features: per cell, a pool of distinct
/// generated messages is fed cyclically into one window through a real <see cref="ModelPipeline"/> (decode and
/// accumulate, default sketch settings, one thread); then the window is closed and evaluated with the default
/// drift tests against a baseline. Holding 10M × 1,000-feature messages is impossible, so the pool stands in.
/// </summary>
internal static class ScaleBenchmark
{
    public const string Topic = "bench.scale";

    /// <summary>The window: 1 h of event time; every pool message lies inside the first one.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    private static readonly DateTimeOffset EventStart = new(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Runs every cell, features outermost (the pool and baseline are built once per feature count).</summary>
    /// <param name="s">The settings.</param>
    /// <param name="registry">The drift tests.</param>
    /// <param name="cell">Called with each cell as soon as it is measured (or skipped).</param>
    /// <param name="log">Progress lines.</param>
    /// <param name="cancellationToken">Stops between events.</param>
    public static List<ScaleCell> Run(ScaleSettings s, DriftTestRegistry registry, Action<ScaleCell> cell, TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(s);
        var c = CultureInfo.InvariantCulture;
        var cells = new List<ScaleCell>();
        foreach (int features in s.Features)
        {
            var sizes = s.Events.Where(n => !Skip(s, n, features)).ToList();
            if (sizes.Count > 0)
            {
                var workload = new BenchWorkload(features, s.Categorical, EventStart, Window / s.Pool);
                var rules = workload.Rules(Topic, Window, TimeSpan.Zero);
                log.WriteLine(string.Create(c, $"{features} features: baseline from {s.BaselineRows:N0} events, pool of {s.Pool:N0} messages..."));
                var baseline = workload.Baseline(rules, registry, s.BaselineRows, EventStart.AddDays(-1));
                var model = CompiledModel.Compile(rules, baseline, registry);
                var pool = Pool(workload, s.Pool, features);
                log.WriteLine(string.Create(c, $"{features} features: {pool.Average(m => m.Length):F0} bytes per message; warming up..."));
                Warm(model, pool, features, cancellationToken);
                foreach (long events in s.Events)
                {
                    if (sizes.Contains(events))
                    {
                        var measured = RunCell(model, pool, events, features, cancellationToken);
                        cells.Add(measured);
                        cell(measured);
                    }
                    else
                    {
                        Skipped(events, features);
                    }
                }
            }
            else
            {
                foreach (long events in s.Events)
                {
                    Skipped(events, features);
                }
            }
        }

        return cells;

        void Skipped(long events, int features)
        {
            var skipped = new ScaleCell(events, features, Skipped: true);
            cells.Add(skipped);
            cell(skipped);
        }
    }

    /// <summary>Whether the cell exceeds the cap on events × features.</summary>
    public static bool Skip(ScaleSettings s, long events, int features) => s.MaxValues is { } max && (double)events * features > max;

    /// <summary>
    /// Not reported: passes over the pool, for at least a second and three passes, so that the decode, accumulate and
    /// evaluate code reaches its optimized tier (tiered JIT recompiles hot methods in the background) before the first cell.
    /// </summary>
    private static void Warm(CompiledModel model, byte[][] pool, int features, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        for (int pass = 0; pass < 3 || watch.Elapsed < TimeSpan.FromSeconds(1); pass++)
        {
            RunCell(model, pool, pool.Length, features, cancellationToken);
        }
    }

    private static byte[][] Pool(BenchWorkload workload, int size, int features)
    {
        var random = new Random(1000 + features);
        var pool = new byte[size][];
        for (int i = 0; i < pool.Length; i++)
        {
            pool[i] = workload.Event(i, random);
        }

        return pool;
    }

    private static ScaleCell RunCell(CompiledModel model, byte[][] pool, long events, int features, CancellationToken cancellationToken)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var pipeline = new ModelPipeline(model);
        long rejected = 0;
        int next = 0;
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        var cpu = ProcessStats.CpuTime();
        long start = Stopwatch.GetTimestamp();
        for (long i = 0; i < events; i++)
        {
            if ((i & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (pipeline.OnPrediction(pool[next]) != DecodeOutcome.Ok)
            {
                rejected++;
            }

            if (++next == pool.Length)
            {
                next = 0;
            }
        }

        double ingest = Stopwatch.GetElapsedTime(start).TotalSeconds;
        double ingestCpu = (ProcessStats.CpuTime() - cpu).TotalSeconds;
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;

        long heap = GC.GetTotalMemory(forceFullCollection: true);
        long rss = ProcessStats.Rss();
        var (stateBytes, streams, windowEvents, minCount, maxCount) = State(pipeline.Engine);

        // Close: the watermark passes the window's end (no allowed lateness), which merges its panes.
        start = Stopwatch.GetTimestamp();
        pipeline.AdvanceWatermark(EventStart + Window);
        double close = Stopwatch.GetElapsedTime(start).TotalSeconds;

        long evaluateAllocated = GC.GetAllocatedBytesForCurrentThread();
        start = Stopwatch.GetTimestamp();
        var reports = pipeline.Evaluate();
        double evaluate = Stopwatch.GetElapsedTime(start).TotalSeconds;
        evaluateAllocated = GC.GetAllocatedBytesForCurrentThread() - evaluateAllocated;

        int featureReports = 0;
        int tested = 0;
        var tests = new SortedSet<string>(StringComparer.Ordinal);
        string mode = "";
        foreach (var report in reports)
        {
            foreach (var f in report.Features)
            {
                featureReports++;
                if (f.Tests.Count > 0)
                {
                    tested++;
                }

                if (f.Kind == FeatureKind.Numeric && f.Role == StreamRole.Feature)
                {
                    mode = mode.Length == 0 ? f.Mode.ToString().ToLowerInvariant() : mode;
                    foreach (var t in f.Tests)
                    {
                        tests.Add(t.Test);
                    }
                }
            }
        }

        return new ScaleCell(events, features, false, ingest, ingestCpu, allocated, close, evaluate, evaluateAllocated, stateBytes, streams,
            windowEvents, minCount, maxCount, reports.Count, featureReports, tested, string.Join('+', tests), mode, rejected, heap, rss);
    }

    /// <summary>
    /// The open window's numeric state, read from a provisional snapshot (a merged copy, outside every timed part):
    /// what <c>bench memory</c> counts, the store (values or sketch) plus 8 bytes per PSI bin count.
    /// </summary>
    private static (long Bytes, int Streams, long Events, long MinCount, long MaxCount) State(WindowEngine engine)
    {
        var open = engine.SnapshotOpen();
        if (open.Count != 1 || open[0].Numeric is not { } numeric)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"Expected one open window, found {open.Count}."));
        }

        long bytes = 0;
        long min = long.MaxValue;
        long max = 0;
        foreach (var a in numeric)
        {
            bytes += a.StoreBytes + (a.BinCounts.Length * sizeof(long));
            min = Math.Min(min, a.Count);
            max = Math.Max(max, a.Count);
        }

        return (bytes, numeric.Count, open[0].Events, numeric.Count == 0 ? 0 : min, max);
    }

    /// <summary>The 1, 5 and 15 minute load averages (Linux), or <c>n/a</c>.</summary>
    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
        catch (UnauthorizedAccessException)
        {
            return "n/a";
        }
    }
}
