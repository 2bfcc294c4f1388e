using System.Text.Json;
using Monitor.Worker.Tests.Support;
using Xunit.Abstractions;

namespace Monitor.Worker.Tests.Bench;

/// <summary>
/// <c>monitor bench rss</c> on a tiny stream: a real <c>monitor run</c> child consumes every produced event from
/// the embedded broker and its memory is read from /proc. No size or time is asserted beyond plausibility.
/// </summary>
public sealed class RssCommandTests(ITestOutputHelper log)
{
    [Fact]
    public async Task Rss_TinyStream_ChildConsumesEveryEventAndItsMemoryIsRead()
    {
        var (code, output, error) = await Cli.InvokeAsync("bench", "rss", "--features", "3", "--windows", "2", "--events-per-window", "150");
        log.WriteLine(output);
        log.WriteLine(error);

        Assert.True(code == 0, error);
        string line = output.Split('\n').Single(l => l.StartsWith("{\"bench\":\"rss\"", StringComparison.Ordinal));
        var json = JsonDocument.Parse(line).RootElement;
        Assert.Equal(300, json.GetProperty("events").GetInt64());
        Assert.Contains("monitor run consumed 300 events", error, StringComparison.Ordinal);
        if (OperatingSystem.IsLinux())
        {
            double peak = json.GetProperty("peak_rss_mb").GetDouble();
            Assert.InRange(peak, 10, 4096);
            Assert.True(json.GetProperty("final_rss_mb").GetDouble() <= peak, line);
        }

        // The daemon's own metrics were read: its GC holds some memory, less than the whole process.
        double committed = json.GetProperty("at_peak_gc_committed_mb").GetDouble();
        Assert.True(committed > 0 && json.GetProperty("at_peak_other_mb").GetDouble() > 0, line);
        Assert.InRange(json.GetProperty("at_peak_gc_heap_mb").GetDouble(), 0.1, committed);
    }
}
