using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Monitor.Worker.Daemon;

namespace Monitor.Worker.Tests.Daemon;

public sealed class MemoryGiveBackTests
{
    private long _released;

    [Fact]
    public void Trim_OnGlibcLinux_ReachesMallocTrim()
    {
        // CI and the docker image run on Debian (glibc): the binding must resolve there, or the daemon keeps
        // librdkafka's freed buffers resident without saying so.
        Assert.Equal(OperatingSystem.IsLinux() && File.Exists("/lib/x86_64-linux-gnu/libc.so.6"), MemoryGiveBack.Trim());
    }

    [Fact]
    public async Task Service_TrimsAtStartAndEveryIntervalUntilStopped()
    {
        var time = new FakeTimeProvider();
        using var service = Start(time);
        long perRound = MemoryGiveBack.Trim() ? 1 : 0; // nothing to trim without glibc: the rounds still run
        await WaitFor(() => service.Trims == perRound);
        for (int i = 2; i <= 4; i++)
        {
            time.Advance(MemoryGiveBack.Interval);
            await WaitFor(() => service.Trims == i * perRound);
        }

        await service.StopAsync(CancellationToken.None);
        Assert.True(service.ExecuteTask!.IsCompleted);
        Assert.Equal(4 * perRound, service.Trims);
        Assert.Equal(1, service.Compactions); // the one at start: no exact values were released
    }

    [Fact]
    public async Task Service_CompactsAtStartThenAfterEnoughReleasedValuesAtMostOncePerMinimumInterval()
    {
        var time = new FakeTimeProvider();
        using var service = Start(time);
        await Round(time, service);
        Assert.Equal(1, service.Compactions); // start-up garbage (the baselines' parse), before any release

        Interlocked.Exchange(ref _released, MemoryGiveBack.CompactAfterReleased - 1);
        await Round(time, service);
        Assert.Equal(1, service.Compactions); // not worth a pause yet

        Interlocked.Exchange(ref _released, MemoryGiveBack.CompactAfterReleased);
        await Round(time, service);
        await WaitFor(() => service.Compactions == 2);

        Interlocked.Exchange(ref _released, 3 * MemoryGiveBack.CompactAfterReleased);
        await Round(time, service);
        Assert.Equal(2, service.Compactions); // too soon after the last one for released values

        time.Advance(MemoryGiveBack.MinCompactionInterval);
        await WaitFor(() => service.Compactions == 3);
        await service.StopAsync(CancellationToken.None);
    }

    private MemoryGiveBack Start(FakeTimeProvider time)
    {
        var service = new MemoryGiveBack(time, () => Interlocked.Read(ref _released), NullLogger<MemoryGiveBack>.Instance);
        service.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        return service;
    }

    // One more round: advance the clock by an interval and wait until the service has made it.
    private static async Task Round(FakeTimeProvider time, MemoryGiveBack service)
    {
        await WaitFor(() => service.Rounds > 0);
        long before = service.Rounds;
        time.Advance(MemoryGiveBack.Interval);
        await WaitFor(() => service.Rounds > before);
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), "the service did not get there in 10 s");
            await Task.Delay(5);
        }
    }
}
