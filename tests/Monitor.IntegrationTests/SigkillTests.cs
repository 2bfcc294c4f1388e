using System.Diagnostics;
using System.Globalization;
using System.Net;
using Monitor.IntegrationTests.Support;
using Monitor.Kafka.Embedded;
using Xunit.Abstractions;

namespace Monitor.IntegrationTests;

/// <summary>
/// The issue's central requirement: <c>monitor run</c> killed with SIGKILL at seeded points while traffic flows, restarted
/// over the same state directory and consumer group each time, ends with every window counting exactly what was produced.
/// </summary>
public sealed class SigkillTests(ITestOutputHelper output) : IDisposable
{
    private const int Windows = 6;
    private const int PerWindow = 400;
    private const int Segments = 8;

    private readonly string _folder = Directory.CreateTempSubdirectory("monitor-it-kill-").FullName;

    [Fact]
    public async Task Run_KilledWithSigkillAndRestartedRepeatedly_EveryWindowCountsEachEventOnce()
    {
        var clock = Stopwatch.StartNew();
        using var cluster = new EmbeddedKafkaCluster();
        Infrastructure.CreateTopics(cluster);
        // A lateness of 1 h keeps all six windows open until the withheld closing event at +2 h: every report is made
        // by the last process, whose in-memory API history is the one read at the end.
        string rules = ShopModel.Write(_folder, allowedLateness: "1h");
        string state = Path.Combine(_folder, "state");
        var events = ShopModel.Traffic(seed: 7, Windows, PerWindow, new HashSet<int> { 3 }, idPrefix: "k");
        var segments = events.Chunk(events.Count / Segments).ToList();

        // Seeded kill plan: after which segments the running process is killed, and how it is killed.
        var random = new Random(20261128);
        var killAfter = Enumerable.Range(0, Segments).OrderBy(_ => random.Next()).Take(4).ToHashSet();
        int kills = 0;
        string url = string.Empty;

        MonitorProcess StartChild()
        {
            url = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Infrastructure.FreePort()}");
            return MonitorProcess.Start(_folder, "run",
                $"--Monitor:Rules={rules}",
                $"--Monitor:Kafka:BootstrapServers={cluster.BootstrapServers}",
                $"--Monitor:StateDirectory={state}",
                $"--Monitor:HttpUrl={url}",
                "--Monitor:Kafka:GroupId=monitor-it-kill",
                "--Monitor:Kafka:CheckpointInterval=00:00:01",
                // A killed member leaves the classic group only when its session times out: keep that short.
                "--Monitor:Kafka:Settings:session.timeout.ms=6000",
                "--Monitor:Kafka:Settings:heartbeat.interval.ms=500");
        }

        var child = StartChild();
        try
        {
            using var producer = Infrastructure.Producer(cluster.BootstrapServers);
            // One kill during start-up (restore, group join): the first child, a seeded moment after spawning.
            await KillAtAsync(child, random.Next(300, 1500), consumedAtLeast: 0, () => url);
            kills++;
            child.Dispose();
            child = StartChild();

            long produced = 0;
            for (int s = 0; s < segments.Count; s++)
            {
                Infrastructure.Produce(producer, segments[s], labels: true);
                produced += segments[s].Length * 2L;
                if (killAfter.Contains(s))
                {
                    // Killed once it has read a seeded share of this segment, plus a seeded delay: before, during or
                    // after the next checkpoint (every second).
                    long threshold = random.Next(1, segments[s].Length * 2);
                    await KillAtAsync(child, random.Next(0, 1500), threshold, () => url);
                    kills++;
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{clock.Elapsed.TotalSeconds:F1} s: killed after segment {s} ({produced} records produced)"));
                    child.Dispose();
                    child = StartChild();
                }
            }

            await WaitReadyAsync(url, child);
            var closer = ShopModel.Single("closer", ShopModel.Start + TimeSpan.FromHours(2));
            Infrastructure.Produce(producer, [closer], labels: false);
            var reports = await Deadline.PollAsync(TimeSpan.FromSeconds(60), "six windows reported with all labels", async () =>
            {
                var r = await Infrastructure.WindowsAsync(url);
                bool done = r.Count(w => w.Events > 0) == Windows && r.Where(w => w.Events > 0).All(w => w.Labelled >= w.Events);
                return (done, r, string.Join(", ", r.Select(w => $"{Infrastructure.Index(w)}: {w.Events} events, {w.Labelled} labelled")));
            });

            var expected = Infrastructure.Expected(events);
            foreach (var report in reports.Where(r => r.Events > 0))
            {
                int window = Infrastructure.Index(report);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"window {window}: {report.Events} events (produced {expected[window]}), {report.Labelled} labelled, severity {report.Severity}"));
                Assert.Equal(expected[window], report.Events);
                Assert.Equal(expected[window], report.Labelled);
            }

            Assert.Equal(expected.Keys.Order(), reports.Where(r => r.Events > 0).Select(Infrastructure.Index).Order());
            var (_, metrics) = await Infrastructure.GetAsync(url + "/metrics");
            Assert.Equal(0, Infrastructure.Samples(metrics, "monitor_late_events_total").Values.Sum());
            await child.StopAsync(TimeSpan.FromSeconds(20));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{kills} SIGKILLs, {Windows * PerWindow} predictions + labels; test took {clock.Elapsed.TotalSeconds:F1} s"));
            Assert.Equal(5, kills);
        }
        catch
        {
            output.WriteLine("last child's output:\n" + child.Output);
            throw;
        }
        finally
        {
            child.Dispose();
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static async Task WaitReadyAsync(string url, MonitorProcess child) =>
        await Deadline.PollAsync(TimeSpan.FromSeconds(60), "child /readyz 200", async () =>
        {
            Assert.False(child.HasExited, "monitor run exited:\n" + child.Output);
            var (status, body) = await Infrastructure.GetAsync(url + "/readyz");
            return (status == HttpStatusCode.OK, true, body);
        });

    /// <summary>Kills the child once it has consumed <paramref name="consumedAtLeast"/> records (0: do not wait for it) and <paramref name="delayMs"/> have passed.</summary>
    private async Task KillAtAsync(MonitorProcess child, int delayMs, long consumedAtLeast, Func<string> url)
    {
        var since = Stopwatch.StartNew();
        if (consumedAtLeast > 0)
        {
            await WaitReadyAsync(url(), child);
            await Deadline.PollAsync(TimeSpan.FromSeconds(60), $"child consumed {consumedAtLeast} records", async () =>
            {
                var (_, metrics) = await Infrastructure.GetAsync(url() + "/metrics");
                double consumed = Infrastructure.Samples(metrics, "monitor_events_consumed_total").Values.Sum();
                return (consumed >= consumedAtLeast, true, $"{consumed} consumed");
            });
        }

        await Deadline.PollAsync(TimeSpan.FromSeconds(10), "the seeded kill moment", () =>
            Task.FromResult((since.ElapsedMilliseconds >= delayMs, true, $"{since.ElapsedMilliseconds} ms")));
        Assert.False(child.HasExited, "monitor run exited before it was killed:\n" + child.Output);
        string state = "not yet serving";
        if (consumedAtLeast > 0)
        {
            var (_, metrics) = await Infrastructure.GetAsync(url() + "/metrics");
            var (_, ready) = await Infrastructure.GetAsync(url() + "/readyz");
            state = string.Create(CultureInfo.InvariantCulture, $"{Infrastructure.Samples(metrics, "monitor_events_consumed_total").Values.Sum()} records read by this process; {ready}");
        }

        child.KillHard();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"SIGKILL (seeded delay {delayMs} ms): {state}"));
    }
}
