using Monitor.Kafka.Ingest;

namespace Monitor.Kafka.Tests.Ingest;

public sealed class KafkaIngestOptionsTests
{
    [Fact]
    public void Validate_EverythingWrong_ListsEveryProblem()
    {
        var options = new KafkaIngestOptions
        {
            CheckpointEveryMessages = 0,
            CheckpointInterval = TimeSpan.Zero,
            MaxMessageBytes = 0,
            Consumer = new Dictionary<string, string> { ["enable.auto.offset.store"] = "true" },
        };

        var errors = options.Validate();

        Assert.Contains(errors, e => e.Contains("StateDirectory", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("bootstrap.servers", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("CheckpointEveryMessages", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("CheckpointInterval", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("MaxMessageBytes", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("enable.auto.offset.store", StringComparison.Ordinal));
        Assert.Equal(6, errors.Count);
    }

    [Fact]
    public void ConsumerConfig_UserSettings_OverrideDefaultsButNotManagedKeys()
    {
        var options = new KafkaIngestOptions
        {
            StateDirectory = "/tmp/x",
            Kafka = new Dictionary<string, string>
            {
                ["bootstrap.servers"] = "k1:9093",
                ["security.protocol"] = "SASL_SSL",
                ["sasl.mechanism"] = "SCRAM-SHA-512",
                ["auto.offset.reset"] = "latest",
            },
            Consumer = new Dictionary<string, string> { ["group.protocol"] = "consumer" },
            Producer = new Dictionary<string, string> { ["compression.type"] = "zstd" },
        };

        Assert.Empty(options.Validate());
        var consumer = options.ConsumerConfig();
        var producer = options.ProducerConfig();

        Assert.Equal("k1:9093", consumer["bootstrap.servers"]);
        Assert.Equal("SASL_SSL", consumer["security.protocol"]);
        Assert.Equal("latest", consumer["auto.offset.reset"]);
        Assert.Equal("consumer", consumer["group.protocol"]);
        Assert.Equal("monitor", consumer["group.id"]);
        Assert.Equal("false", consumer["enable.auto.offset.store"]);
        Assert.Equal("true", consumer["enable.auto.commit"]);
        Assert.Equal("SCRAM-SHA-512", producer["sasl.mechanism"]);
        Assert.Equal("zstd", producer["compression.type"]);
        Assert.Equal("all", producer["acks"]);
        Assert.False(producer.ContainsKey("group.id"));
    }
}
