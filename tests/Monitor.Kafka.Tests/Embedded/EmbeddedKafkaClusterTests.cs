using System.Globalization;
using Confluent.Kafka;
using Monitor.Kafka.Embedded;
using Monitor.Kafka.Tests.Support;
using Xunit.Abstractions;

namespace Monitor.Kafka.Tests.Embedded;

public sealed class EmbeddedKafkaClusterTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("classic")]
    [InlineData("consumer")]
    public void ProduceAndConsume_20000MessagesThroughConsumerGroup_EachArrivesExactlyOnce(string groupProtocol)
    {
        const int messageCount = 20_000;
        using var cluster = new EmbeddedKafkaCluster(brokerCount: 3);
        cluster.SetInitialRebalanceDelay(TimeSpan.Zero);
        string topic = KafkaClients.FreshName("exactly-once");
        cluster.CreateTopic(topic, partitions: 4, replicationFactor: 3);

        long expectedKeySum = 0;
        using (var producer = KafkaClients.Producer(cluster.BootstrapServers))
        {
            int failed = 0;
            for (int i = 0; i < messageCount; i++)
            {
                expectedKeySum += i;
                producer.Produce(topic, new Message<byte[], byte[]> { Key = KafkaClients.Key(i), Value = Value(i) },
                    report =>
                    {
                        if (report.Error.IsError)
                        {
                            Interlocked.Increment(ref failed);
                        }
                    });
            }

            Assert.Equal(0, producer.Flush(Patience));
            Assert.Equal(0, failed);
        }

        var seen = new bool[messageCount];
        int received = 0, duplicates = 0, corrupt = 0;
        long keySum = 0;
        var partitionsSeen = new HashSet<int>();
        using var consumer = KafkaClients.Consumer(cluster.BootstrapServers, KafkaClients.FreshName("group"),
            config => ConfigureGroupProtocol(config, groupProtocol));
        consumer.Subscribe(topic);
        var deadline = Deadline.After(Patience);
        while (received < messageCount && !deadline.Passed)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is null || result.IsPartitionEOF)
            {
                continue;
            }

            int key = KafkaClients.ReadKey(result.Message.Key);
            if (seen[key])
            {
                duplicates++;
            }

            seen[key] = true;
            received++;
            keySum += key;
            partitionsSeen.Add(result.Partition.Value);
            if (!result.Message.Value.AsSpan().SequenceEqual(Value(key)))
            {
                corrupt++;
            }
        }

        output.WriteLine($"{groupProtocol}: {received} messages from partitions [{string.Join(',', partitionsSeen.Order())}] in {deadline.Elapsed.TotalSeconds:F2} s");
        consumer.Close();
        Assert.Equal(messageCount, received);
        Assert.Equal(0, duplicates);
        Assert.Equal(0, corrupt);
        Assert.Equal(expectedKeySum, keySum);
        Assert.Equal(4, partitionsSeen.Count);
    }

    [Fact]
    public void CreateTopic_SixPartitions_VisibleInMetadataWithLeaders()
    {
        using var cluster = new EmbeddedKafkaCluster(brokerCount: 3);
        string topic = KafkaClients.FreshName("metadata");

        cluster.CreateTopic(topic, partitions: 6, replicationFactor: 2);

        using var admin = KafkaClients.Admin(cluster.BootstrapServers);
        var metadata = KafkaClients.WaitForTopic(admin, topic, Patience);
        Assert.Equal(Enumerable.Range(0, 6), metadata.Partitions.Select(p => p.PartitionId).Order());
        Assert.All(metadata.Partitions, p =>
        {
            Assert.InRange(p.Leader, 1, 3);
            Assert.Equal(2, p.Replicas.Length);
        });
        Assert.Equal(3, admin.GetMetadata(TimeSpan.FromSeconds(5)).Brokers.Count);
    }

    [Fact]
    public void CreateTopic_AlreadyExists_ThrowsWithBrokerError()
    {
        using var cluster = new EmbeddedKafkaCluster(brokerCount: 1);
        string topic = KafkaClients.FreshName("twice");
        cluster.CreateTopic(topic, partitions: 1);

        var error = Assert.Throws<InvalidOperationException>(() => cluster.CreateTopic(topic, partitions: 1));

        Assert.Contains(topic, error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(ErrorCode.TopicAlreadyExists), error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void SetBrokerDown_UnknownBrokerId_ThrowsArgumentOutOfRange(int brokerId)
    {
        using var cluster = new EmbeddedKafkaCluster(brokerCount: 3);

        Assert.Throws<ArgumentOutOfRangeException>(() => cluster.SetBrokerDown(brokerId));
    }

    [Fact]
    public async Task SetBrokerDown_PartitionLeader_ProduceFailsUntilBrokerUpThenTrafficResumes()
    {
        using var cluster = new EmbeddedKafkaCluster(brokerCount: 3);
        string topic = KafkaClients.FreshName("outage");
        cluster.CreateTopic(topic, partitions: 1);
        using var admin = KafkaClients.Admin(cluster.BootstrapServers);
        int leader = KafkaClients.WaitForTopic(admin, topic, Patience).Partitions.Single().Leader;

        using var producer = KafkaClients.Producer(cluster.BootstrapServers, config =>
        {
            config.MessageTimeoutMs = 1500;
            config.ReconnectBackoffMaxMs = 200;
        });
        cluster.SetBrokerDown(leader);
        // Metadata drops the broker from the broker list but still names it as the partition's leader.
        Assert.True(WaitForBrokerListed(admin, leader, listed: false), $"broker {leader} still listed while down");

        var produceError = await Assert.ThrowsAsync<ProduceException<byte[], byte[]>>(() => producer.ProduceAsync(topic, Message(1)));
        output.WriteLine($"leader {leader} down: {produceError.Error.Code} {produceError.Error.Reason}");
        Assert.Equal(ErrorCode.Local_MsgTimedOut, produceError.Error.Code);

        cluster.SetBrokerUp(leader);
        Assert.True(WaitForBrokerListed(admin, leader, listed: true), $"broker {leader} not listed after coming back up");

        var deadline = Deadline.After(Patience);
        DeliveryResult<byte[], byte[]>? delivered = null;
        while (delivered is null)
        {
            try
            {
                delivered = await producer.ProduceAsync(topic, Message(2));
            }
            catch (ProduceException<byte[], byte[]>) when (!deadline.Passed)
            {
                // The producer reconnects with back-off; a message may still time out while it does.
            }
        }

        output.WriteLine($"leader {leader} up: delivered at offset {delivered.Offset} after {deadline.Elapsed.TotalSeconds:F2} s");
        Assert.Equal(PersistenceStatus.Persisted, delivered.Status);

        using var consumer = KafkaClients.Consumer(cluster.BootstrapServers, KafkaClients.FreshName("outage-reader"));
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var readDeadline = Deadline.After(Patience);
        ConsumeResult<byte[], byte[]>? read = null;
        while (read is null && !readDeadline.Passed)
        {
            read = consumer.Consume(TimeSpan.FromMilliseconds(200));
        }

        Assert.NotNull(read);
        Assert.Equal(2, KafkaClients.ReadKey(read.Message.Key));
    }

    [Fact]
    public async Task Dispose_ThenSecondCluster_StartsAndServesTraffic()
    {
        var first = new EmbeddedKafkaCluster(brokerCount: 1);
        string firstPath = first.NativeLibraryPath;
        await RoundTrip(first);
        first.Dispose();
        first.Dispose();

        Assert.Throws<ObjectDisposedException>(() => first.CreateTopic("after-dispose", 1));
        Assert.Throws<ObjectDisposedException>(() => first.SetBrokerUp(1));

        using var second = new EmbeddedKafkaCluster(brokerCount: 2);
        Assert.Equal(firstPath, second.NativeLibraryPath);
        await RoundTrip(second);
    }

    [Fact]
    public void Produce_BeyondPartitionRetention_OldestRecordsAreDeleted()
    {
        const int valueBytes = 4096;
        int messageCount = 2 * EmbeddedKafkaCluster.PartitionRetentionBytes / valueBytes;
        using var cluster = new EmbeddedKafkaCluster(brokerCount: 1);
        string topic = KafkaClients.FreshName("retention");
        cluster.CreateTopic(topic, partitions: 1);
        using (var producer = KafkaClients.Producer(cluster.BootstrapServers, config => config.LingerMs = 5))
        {
            var value = new byte[valueBytes];
            for (int i = 0; i < messageCount; i++)
            {
                producer.Produce(topic, new Message<byte[], byte[]> { Key = KafkaClients.Key(i), Value = value });
            }

            Assert.Equal(0, producer.Flush(Patience));
        }

        using var consumer = KafkaClients.Consumer(cluster.BootstrapServers, KafkaClients.FreshName("retention"));
        var offsets = consumer.QueryWatermarkOffsets(new TopicPartition(topic, 0), Patience);

        output.WriteLine($"{messageCount} x {valueBytes} B produced; log holds offsets {offsets.Low}..{offsets.High}");
        Assert.Equal(messageCount, offsets.High.Value);
        Assert.InRange(offsets.Low.Value, 1, messageCount - 1);
        Assert.InRange((offsets.High.Value - offsets.Low.Value) * valueBytes, 1, EmbeddedKafkaCluster.PartitionRetentionBytes);
    }

    [Fact]
    public void NativeLibraryPath_IsTheFileConfluentKafkaLoaded()
    {
        using var cluster = new EmbeddedKafkaCluster(brokerCount: 1);

        output.WriteLine(cluster.NativeLibraryPath);
        Assert.True(File.Exists(cluster.NativeLibraryPath), cluster.NativeLibraryPath);
        Assert.Contains("librdkafka", Path.GetFileName(cluster.NativeLibraryPath), StringComparison.Ordinal);
        Assert.Contains(File.ReadLines("/proc/self/maps"), line => line.EndsWith(cluster.NativeLibraryPath, StringComparison.Ordinal));
    }

    private static async Task RoundTrip(EmbeddedKafkaCluster cluster)
    {
        string topic = KafkaClients.FreshName("round-trip");
        cluster.CreateTopic(topic, partitions: 1);
        using (var producer = KafkaClients.Producer(cluster.BootstrapServers))
        {
            var delivered = await producer.ProduceAsync(topic, Message(7));
            Assert.Equal(PersistenceStatus.Persisted, delivered.Status);
        }

        using var consumer = KafkaClients.Consumer(cluster.BootstrapServers, KafkaClients.FreshName("round-trip"));
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var deadline = Deadline.After(Patience);
        ConsumeResult<byte[], byte[]>? read = null;
        while (read is null && !deadline.Passed)
        {
            read = consumer.Consume(TimeSpan.FromMilliseconds(200));
        }

        Assert.NotNull(read);
        Assert.Equal(7, KafkaClients.ReadKey(read.Message.Key));
    }

    private static bool WaitForBrokerListed(IAdminClient admin, int brokerId, bool listed)
    {
        var deadline = Deadline.After(Patience);
        while (!deadline.Passed)
        {
            var brokers = admin.GetMetadata(TimeSpan.FromSeconds(2)).Brokers;
            if (brokers.Exists(b => b.BrokerId == brokerId) == listed)
            {
                return true;
            }
        }

        return false;
    }

    private static void ConfigureGroupProtocol(ConsumerConfig config, string groupProtocol)
    {
        config.Set("group.protocol", groupProtocol);
        if (groupProtocol == "classic")
        {
            // The classic protocol's session timeout is client-side; the KIP-848 protocol rejects it.
            config.SessionTimeoutMs = 6000;
        }
    }

    private static Message<byte[], byte[]> Message(int key) => new() { Key = KafkaClients.Key(key), Value = Value(key) };

    private static byte[] Value(int key) => System.Text.Encoding.UTF8.GetBytes(key.ToString("D8", CultureInfo.InvariantCulture));
}
