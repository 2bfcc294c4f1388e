using Monitor.Worker.Commands;
using Monitor.Worker.Tests.Support;

namespace Monitor.Worker.Tests.Commands;

public sealed class RunCommandTests : IDisposable
{
    private readonly string _state = Path.Combine(Path.GetTempPath(), "monitor-run-tests-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_state))
        {
            Directory.Delete(_state, recursive: true);
        }
    }

    [Theory]
    [InlineData("fetch.max.bytes", "abc", "Invalid value for configuration property \"fetch.max.bytes\"")]
    [InlineData("no.such.property", "1", "No such configuration property: \"no.such.property\"")]
    [InlineData("fetch.max.bytes", "2000000", "`fetch.max.bytes` must be >= `message.max.bytes`")] // with message.max.bytes below
    public async Task Run_KafkaSettingLibrdkafkaRefuses_FailsAtStartWithTheKeyAndAFix(string key, string value, string librdkafkaSays)
    {
        var (code, _, error) = await Cli.InvokeAsync("run",
            $"--Monitor:Rules={Path.Combine(AppContext.BaseDirectory, "rules")}",
            "--Monitor:Kafka:BootstrapServers=127.0.0.1:9",
            $"--Monitor:StateDirectory={_state}",
            "--Monitor:Kafka:Settings:message.max.bytes=3000000",
            $"--Monitor:Kafka:Settings:{key}={value}");

        Assert.Equal(MonitorCommandLine.InvalidInput, code);
        Assert.StartsWith("monitor run: cannot start:\n", error, StringComparison.Ordinal);
        Assert.Contains($"Monitor:Kafka:Settings: librdkafka refuses the consumer settings: {librdkafkaSays}. Fix: correct or remove the setting", error, StringComparison.Ordinal);
    }
}
