using Microsoft.Extensions.Time.Testing;
using Monitor.Worker.Daemon;

namespace Monitor.Worker.Tests.Daemon;

public sealed class NativeHeapTrimmerTests
{
    [Fact]
    public void Trim_OnGlibcLinux_ReachesMallocTrim()
    {
        // CI and the docker image run on Debian (glibc): the binding must resolve there, or the daemon keeps
        // librdkafka's freed buffers resident without saying so.
        Assert.Equal(OperatingSystem.IsLinux() && File.Exists("/lib/x86_64-linux-gnu/libc.so.6"), NativeHeapTrimmer.Trim());
    }

    [Fact]
    public async Task Service_TrimsAtStartAndEverySecondUntilStopped()
    {
        var time = new FakeTimeProvider();
        using var trimmer = new NativeHeapTrimmer(time);
        await trimmer.StartAsync(CancellationToken.None);
        if (!NativeHeapTrimmer.Trim())
        {
            await trimmer.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(10)); // nothing to trim: the service ends
            Assert.Equal(0, trimmer.Trims);
            return;
        }

        await WaitFor(() => trimmer.Trims == 1);
        for (int i = 2; i <= 4; i++)
        {
            time.Advance(NativeHeapTrimmer.Interval);
            await WaitFor(() => trimmer.Trims == i);
        }

        time.Advance(NativeHeapTrimmer.Interval / 2);
        await trimmer.StopAsync(CancellationToken.None);
        Assert.True(trimmer.ExecuteTask!.IsCompleted);
        Assert.Equal(4, trimmer.Trims);
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), "the trimmer did not trim in 10 s");
            await Task.Delay(5);
        }
    }
}
