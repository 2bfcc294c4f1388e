using System.Diagnostics;
using System.Globalization;

namespace Monitor.Worker.Bench;

/// <summary>CPU time and memory of this process, for the load benchmarks.</summary>
internal static class ProcessStats
{
    /// <summary>User plus system CPU time of every thread of the process so far (the in-process broker included).</summary>
    public static TimeSpan CpuTime()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    /// <summary>Peak resident set size (VmHWM on Linux, else the peak working set), in bytes.</summary>
    public static long PeakRss() => ReadStatus("VmHWM:") ?? PeakWorkingSet();

    /// <summary>Current resident set size (VmRSS on Linux, else the working set), in bytes.</summary>
    public static long Rss() => ReadStatus("VmRSS:") ?? CurrentWorkingSet();

    /// <summary>The CPU model name (first <c>model name</c> of /proc/cpuinfo) and the logical processor count.</summary>
    public static string Machine()
    {
        string model = "unknown CPU";
        try
        {
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
            {
                if (line.StartsWith("model name", StringComparison.Ordinal) && line.IndexOf(':', StringComparison.Ordinal) is var colon and > 0)
                {
                    model = line[(colon + 1)..].Trim();
                    break;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessorCount} x {model}");
    }

    private static long PeakWorkingSet()
    {
        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64;
    }

    private static long CurrentWorkingSet()
    {
        using var self = Process.GetCurrentProcess();
        return self.WorkingSet64;
    }

    /// <summary>Another process's peak and current resident set size (VmHWM, VmRSS), in bytes; null off Linux
    /// or once the process is gone.</summary>
    public static (long Peak, long Current)? RssOf(int pid)
    {
        string path = string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/status");
        return ReadStatus("VmHWM:", path) is { } peak && ReadStatus("VmRSS:", path) is { } current ? (peak, current) : null;
    }

    private static long? ReadStatus(string key, string path = "/proc/self/status")
    {
        try
        {
            foreach (string line in File.ReadLines(path))
            {
                if (line.StartsWith(key, StringComparison.Ordinal))
                {
                    var parts = line[key.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return long.Parse(parts[0], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }
}
