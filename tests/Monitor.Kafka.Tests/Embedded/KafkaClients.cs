using System.Buffers.Binary;
using Confluent.Kafka;
using Monitor.Kafka.Tests.Support;

namespace Monitor.Kafka.Tests.Embedded;

/// <summary>Ordinary clients configured as the daemon would be: only <c>bootstrap.servers</c> points at the cluster.</summary>
internal static class KafkaClients
{
    public static IProducer<byte[], byte[]> Producer(string bootstrapServers, Action<ProducerConfig>? configure = null)
    {
        var config = new ProducerConfig { BootstrapServers = bootstrapServers };
        configure?.Invoke(config);
        return new ProducerBuilder<byte[], byte[]>(config).SetLogHandler(static (_, _) => { }).Build();
    }

    public static IConsumer<byte[], byte[]> Consumer(string bootstrapServers, string groupId, Action<ConsumerConfig>? configure = null)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = groupId,
            AutoOffsetReset = AutoOffsetReset.Earliest,
        };
        configure?.Invoke(config);
        return new ConsumerBuilder<byte[], byte[]>(config).SetLogHandler(static (_, _) => { }).Build();
    }

    public static IAdminClient Admin(string bootstrapServers) =>
        new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers })
            .SetLogHandler(static (_, _) => { })
            .Build();

    public static string FreshName(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    public static byte[] Key(int i)
    {
        var key = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(key, i);
        return key;
    }

    public static int ReadKey(byte[] key) => BinaryPrimitives.ReadInt32BigEndian(key);

    /// <summary>Fetches metadata until <paramref name="topic"/> shows up with no error, or the deadline passes.</summary>
    public static TopicMetadata WaitForTopic(IAdminClient admin, string topic, TimeSpan within)
    {
        var deadline = Deadline.After(within);
        while (true)
        {
            var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(2));
            var found = metadata.Topics.SingleOrDefault(t => t.Topic == topic);
            if (found is not null && found.Error.Code == ErrorCode.NoError && found.Partitions.Count > 0)
            {
                return found;
            }

            if (deadline.Passed)
            {
                throw new TimeoutException($"Topic {topic} not in metadata after {within}: {found?.Error}");
            }
        }
    }
}
