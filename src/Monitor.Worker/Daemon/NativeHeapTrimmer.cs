using System.Runtime.InteropServices;

namespace Monitor.Worker.Daemon;

/// <summary>
/// Returns the free memory in glibc's malloc arenas to the operating system four times a second. librdkafka's
/// fetch buffers (up to <c>fetch.max.bytes</c> each) come from those arenas and, freed in any order, leave free
/// pages in the middle of an arena that glibc only gives back on <c>malloc_trim</c>: under load the daemon's
/// RSS held ~20 MB of them (<c>monitor bench rss</c>: RSS at the end of the stream 182–188 → 163–165 MB; at
/// 1 s intervals only half of that). A trim takes ~0.6 ms (p90 1 ms), 0.25% of a core.
/// Not glibc (musl, macOS, Windows): nothing to do, the service ends at once.
/// </summary>
internal sealed class NativeHeapTrimmer(TimeProvider time) : BackgroundService
{
    /// <summary>Time between two trims.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private long _trims;

    /// <summary>Trims made by this service.</summary>
    public long Trims => Interlocked.Read(ref _trims);

    /// <summary>Trims once; false where the C library has no <c>malloc_trim</c>.</summary>
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
        using var timer = new PeriodicTimer(Interval, time);
        while (Trim())
        {
            Interlocked.Increment(ref _trims);
            if (!await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);
}
