using System.Runtime.InteropServices;

namespace Monitor.Worker.Daemon;

/// <summary>
/// Gives memory the daemon no longer uses back to the operating system: once as the daemon starts, then four times
/// a second:
/// <list type="bullet">
/// <item>at start, the managed heap: loading the baselines (a 100-feature profile of 20,000 reference values is
/// 35 MB of JSON) leaves it committed at twice its live data, which the GC would keep for the whole run; one
/// compacting collection returns it (idle RSS 145–152 → 129 MB, peak under load 10–17 MB lower).</item>
/// <item>glibc's free arena pages (<c>malloc_trim</c>): librdkafka's fetch buffers come from those arenas and, freed
/// in any order, leave free pages inside an arena that glibc only returns on a trim — ~20 MB under load
/// (<c>monitor bench rss</c>: RSS once the stream has passed 182–188 → 163–165 MB with sketches). A trim takes
/// ~0.6 ms (p90 1 ms). Not glibc (musl, macOS, Windows): skipped.</item>
/// <item>the managed heap after exact values were released (a switch to sketches, an evaluated window): their
/// chunks are old, sit in generation 2 and, once collected, stay committed. After at least
/// <see cref="CompactAfterReleased"/> of them, and at most once per <see cref="MinCompactionInterval"/>, one
/// compacting collection returns that memory: with the default 64 MiB exact budget the RSS once the exact phase is
/// over went from 240–246 to 182–184 MB; the collection took 11–23 ms.</item>
/// </list>
/// </summary>
/// <param name="time">The clock for the interval and the compaction rate limit.</param>
/// <param name="releasedBytes">Bytes of exact values released to the collector so far (<see cref="Core.Accumulators.ExactValueMemory"/>).</param>
/// <param name="logger">Logs each compaction (debug).</param>
internal sealed class MemoryGiveBack(TimeProvider time, Func<long> releasedBytes, ILogger<MemoryGiveBack> logger) : BackgroundService
{
    /// <summary>Time between two rounds.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    /// <summary>Released exact values that make a compacting collection worth its pause.</summary>
    public const long CompactAfterReleased = 32L << 20;

    /// <summary>Shortest time between two compacting collections.</summary>
    public static readonly TimeSpan MinCompactionInterval = TimeSpan.FromSeconds(10);

    private long _rounds;
    private long _trims;
    private long _compactions;
    private long _releasedAtCompaction;
    private long? _lastReleaseCompaction;

    /// <summary>Periodic rounds completed (a trim where possible, then the compaction check).</summary>
    public long Rounds => Interlocked.Read(ref _rounds);

    /// <summary>Arena trims made by this service.</summary>
    public long Trims => Interlocked.Read(ref _trims);

    /// <summary>Compacting collections made by this service (the first at start).</summary>
    public long Compactions => Interlocked.Read(ref _compactions);

    /// <summary>Trims glibc's arenas once; false where the C library has no <c>malloc_trim</c>.</summary>
    public static bool Trim()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            _ = MallocTrim(0);
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Compact(releasedBytes());
        using var timer = new PeriodicTimer(Interval, time);
        bool canTrim = true;
        do
        {
            if (canTrim && (canTrim = Trim()))
            {
                Interlocked.Increment(ref _trims);
            }

            long released = releasedBytes();
            // The limit counts from the last compaction for released values: the one at start paused nothing yet.
            if (released - _releasedAtCompaction >= CompactAfterReleased
                && (_lastReleaseCompaction is not { } last || time.GetElapsedTime(last) >= MinCompactionInterval))
            {
                Compact(released);
                _lastReleaseCompaction = time.GetTimestamp();
            }

            Interlocked.Increment(ref _rounds);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private void Compact(long released)
    {
        long started = time.GetTimestamp();
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        double milliseconds = time.GetElapsedTime(started).TotalMilliseconds;
        Log.HeapCompacted(logger, (released - _releasedAtCompaction) >> 20, milliseconds);
        _releasedAtCompaction = released;
        Interlocked.Increment(ref _compactions);
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);
}
