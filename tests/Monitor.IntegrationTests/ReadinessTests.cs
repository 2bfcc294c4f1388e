using System.Globalization;
using System.Net;
using Monitor.IntegrationTests.Support;
using Monitor.Kafka.Embedded;
using Monitor.Worker.Daemon;
using Xunit.Abstractions;

namespace Monitor.IntegrationTests;

/// <summary>/readyz follows the brokers: 503 while every broker is down, 200 again once they are back.</summary>
public sealed class ReadinessTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("monitor-it-ready-").FullName;

    [Fact]
    public async Task Readyz_AllBrokersDownThenUp_503Then200()
    {
        using var cluster = new EmbeddedKafkaCluster();
        Infrastructure.CreateTopics(cluster);
        string url = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Infrastructure.FreePort()}");
        var settings = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["Monitor:Rules"] = ShopModel.Write(_folder),
            ["Monitor:StateDirectory"] = Path.Combine(_folder, "state"),
            ["Monitor:HttpUrl"] = url,
            ["Monitor:Kafka:BootstrapServers"] = cluster.BootstrapServers,
            ["Monitor:Kafka:GroupId"] = "monitor-it-ready",
            // librdkafka reports "all brokers down" once every connection has failed; short back-offs make both edges quick.
            ["Monitor:Kafka:Settings:reconnect.backoff.ms"] = "100",
            ["Monitor:Kafka:Settings:reconnect.backoff.max.ms"] = "200",
        };
        var app = DaemonHost.Build([], DaemonServices.Add, settings);
        await using (app)
        {
            await app.StartAsync();
            string up = await WaitForAsync(url, HttpStatusCode.OK, "ready after start");
            output.WriteLine("up: " + up);

            for (int broker = 1; broker <= cluster.BrokerCount; broker++)
            {
                cluster.SetBrokerDown(broker);
            }

            string down = await WaitForAsync(url, HttpStatusCode.ServiceUnavailable, "503 with every broker down");
            output.WriteLine("down: " + down);
            Assert.Contains("Kafka unreachable", down, StringComparison.Ordinal);
            // Liveness does not depend on Kafka: the process is healthy, only not ready.
            Assert.Equal(HttpStatusCode.OK, (await Infrastructure.GetAsync(url + "/healthz")).Status);

            for (int broker = 1; broker <= cluster.BrokerCount; broker++)
            {
                cluster.SetBrokerUp(broker);
            }

            output.WriteLine("up again: " + await WaitForAsync(url, HttpStatusCode.OK, "200 once the brokers are back"));
            await app.StopAsync();
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static Task<string> WaitForAsync(string url, HttpStatusCode want, string what) =>
        Deadline.PollAsync(TimeSpan.FromSeconds(60), what, async () =>
        {
            var (status, body) = await Infrastructure.GetAsync(url + "/readyz");
            return (status == want, body, $"{(int)status} {body}");
        });
}
