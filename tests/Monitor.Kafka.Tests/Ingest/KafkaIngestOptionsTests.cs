using Confluent.Kafka;
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

    [Theory]
    [InlineData(null, null, null, "4194304")] // Monitor's default response size
    [InlineData("10000000", null, null, "10000000")] // large events: librdkafka refuses fetch.max.bytes < message.max.bytes
    [InlineData(null, "2000000", null, "1999488")] // a small receive buffer: it must hold a response + 512
    [InlineData("10000000", null, "20000000", "20000000")] // the user's own value is kept
    public void ConsumerConfig_FetchMaxBytes_FitsTheUsersMessageAndReceiveSizes(string? messageMax, string? receiveMax, string? fetchMax, string expected)
    {
        var kafka = new Dictionary<string, string> { ["bootstrap.servers"] = "127.0.0.1:1" };
        var consumerSettings = new Dictionary<string, string>();
        if (messageMax is not null)
        {
            kafka["message.max.bytes"] = messageMax;
        }

        if (receiveMax is not null)
        {
            consumerSettings["receive.message.max.bytes"] = receiveMax;
        }

        if (fetchMax is not null)
        {
            consumerSettings["fetch.max.bytes"] = fetchMax;
        }

        var options = new KafkaIngestOptions { StateDirectory = "/tmp/x", Kafka = kafka, Consumer = consumerSettings };
        var config = options.ConsumerConfig();

        Assert.Equal(expected, config["fetch.max.bytes"]);
        // librdkafka checks these constraints when the client is created, before it connects anywhere.
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(config).Build();
        Assert.NotNull(consumer.Name);
    }
}
