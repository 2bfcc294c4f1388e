using System.Text.Json;
using Monitor.Worker.Tests.Support;
using Xunit.Abstractions;

namespace Monitor.Worker.Tests.Bench;

/// <summary>
/// <c>monitor bench</c> on tiny inputs: the commands run end to end (embedded broker, bare consumer, Monitor's
/// ingest) and print both rates, their ratio and the JSON line. No timing is asserted.
/// </summary>
public sealed class BenchCommandTests(ITestOutputHelper log)
{
    [Fact]
    public async Task E2e_FiveThousandEvents_PrintsBothRatesRatioAndJson()
    {
        var (code, output, error) = await Cli.InvokeAsync("bench", "e2e", "--events", "5000", "--rounds", "1");
        log.WriteLine(output);
        Assert.True(code == 0, error);
        Assert.Contains("best bare consumer: ", output, StringComparison.Ordinal);
        Assert.Contains("best Monitor: ", output, StringComparison.Ordinal);
        Assert.Contains("ratio Monitor/bare: ", output, StringComparison.Ordinal);

        string json = output.Split('\n').Single(l => l.StartsWith("{\"bench\":\"e2e\"", StringComparison.Ordinal));
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Equal(5000, root.GetProperty("events").GetInt64());
        double bare = root.GetProperty("bare_eps").GetDouble();
        double monitor = root.GetProperty("monitor_eps").GetDouble();
        Assert.True(bare > 0 && monitor > 0, json);
        // The ratio is rounded to 3 decimals, the rates to whole events/s.
        double ratio = root.GetProperty("ratio").GetDouble();
        Assert.True(Math.Abs(ratio - (monitor / bare)) <= 0.0005 + (ratio * 0.001), json);
        Assert.True(root.GetProperty("peak_rss_mb").GetDouble() > 0, json);
        Assert.Equal(8, root.GetProperty("live_windows").GetInt32());
        Assert.True(root.GetProperty("close_to_report_max_ms").GetDouble() >= 0, json);
        Assert.Equal(0, root.GetProperty("late_events").GetInt64());
    }

    [Fact]
    public async Task Memory_SmallRun_ReportsBytesPerFeatureWindowAtEachPowerOfTen()
    {
        var (code, output, error) = await Cli.InvokeAsync("bench", "memory", "--features", "3", "--windows", "2", "--events-per-window", "20000");
        log.WriteLine(output);
        Assert.True(code == 0, error);
        var lines = output.Split('\n');
        Assert.Contains(lines, l => l.TrimStart().StartsWith("1,000 |", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.TrimStart().StartsWith("10,000 |", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.TrimStart().StartsWith("20,000 |", StringComparison.Ordinal));
        string json = lines.Single(l => l.StartsWith("{\"bench\":\"memory\"", StringComparison.Ordinal));
        using var document = JsonDocument.Parse(json);
        double bytes = document.RootElement.GetProperty("bytes_per_feature_window").GetDouble();
        // A KLL sketch of k = 200 plus 10 bin counts: far below the 16 KiB target, and never zero.
        Assert.InRange(bytes, 80, 16 * 1024);
    }
}
