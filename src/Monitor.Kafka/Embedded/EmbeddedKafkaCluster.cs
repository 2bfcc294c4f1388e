using System.Globalization;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace Monitor.Kafka.Embedded;

/// <summary>
/// A Kafka-protocol cluster running inside this process: librdkafka's mock cluster, started by a client
/// created with <c>test.mock.num.brokers</c>. Brokers listen on loopback TCP ports and speak the real
/// protocol, so every other client (the daemon included) connects with plain <c>bootstrap.servers</c>
/// exactly as to a production cluster. Used by <c>monitor demo</c> and the integration tests.
/// </summary>
/// <remarks>
/// <para>
/// The broker does not implement the CreateTopics admin request (an admin client's call hangs): create
/// topics with <see cref="CreateTopic"/>, or let them be auto-created on first use (4 partitions).
/// </para>
/// <para>
/// Consumer groups using the classic protocol wait the broker's initial rebalance delay (3 s by default,
/// as in Apache Kafka) before the first assignment; <see cref="SetInitialRebalanceDelay"/> shortens it.
/// </para>
/// <para>All members are thread-safe. Disposing stops every broker; clients still connected see disconnects.</para>
/// </remarks>
public sealed class EmbeddedKafkaCluster : IDisposable
{
    /// <summary>The broker count used when none is given: 3, enough for replication and outage tests.</summary>
    public const int DefaultBrokerCount = 3;

    /// <summary>
    /// Bytes of record batches each partition retains (5 MiB, librdkafka's fixed mock-broker limit, not
    /// configurable); older batches are deleted and the partition's start offset moves forward.
    /// </summary>
    public const int PartitionRetentionBytes = 5 * 1024 * 1024;

    private readonly Lock _gate = new();
    private readonly IProducer<Null, Null> _host;
    private IntPtr _cluster;
    private bool _disposed;

    /// <summary>Starts a cluster of <paramref name="brokerCount"/> brokers (ids 1..N) on loopback ports.</summary>
    /// <param name="brokerCount">Number of brokers; default <see cref="DefaultBrokerCount"/>.</param>
    /// <param name="log">
    /// Receives the hosting client's librdkafka log lines (broker start-up, connection errors while a broker
    /// is down). Default: discarded, since the hosting client is an implementation detail.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="brokerCount"/> is below 1.</exception>
    /// <exception cref="InvalidOperationException">librdkafka did not start a mock cluster.</exception>
    public EmbeddedKafkaCluster(int brokerCount = DefaultBrokerCount, Action<LogMessage>? log = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokerCount, 1);
        BrokerCount = brokerCount;

        var config = new ProducerConfig();
        config.Set("test.mock.num.brokers", brokerCount.ToString(CultureInfo.InvariantCulture));
        _host = new ProducerBuilder<Null, Null>(config)
            .SetLogHandler((_, message) => log?.Invoke(message))
            .SetErrorHandler((_, error) => log?.Invoke(new LogMessage("embedded-kafka", SyslogLevel.Warning, "ERROR", error.ToString())))
            .Build();
        try
        {
            LibrdkafkaNative.EnsureResolver();
            NativeLibraryPath = LibrdkafkaNative.LoadedPath!;
            IntPtr rk = NativeHandleAccessor.GetRdKafkaPointer(_host);
            _cluster = LibrdkafkaNative.HandleMockCluster(rk);
            if (_cluster == IntPtr.Zero)
            {
                throw new InvalidOperationException(
                    $"librdkafka ({LibrdkafkaNative.LoadedPath}) returned no mock cluster for a client created with " +
                    "test.mock.num.brokers; this librdkafka build may lack mock-cluster support.");
            }

            BootstrapServers = Marshal.PtrToStringUTF8(LibrdkafkaNative.MockClusterBootstraps(_cluster))
                ?? throw new InvalidOperationException("librdkafka returned no bootstrap servers for the mock cluster.");
        }
        catch
        {
            _host.Dispose();
            throw;
        }
    }

    /// <summary>The number of brokers; their ids are 1 to <see cref="BrokerCount"/>.</summary>
    public int BrokerCount { get; }

    /// <summary>Comma-separated <c>host:port</c> list of every broker, for clients' <c>bootstrap.servers</c>.</summary>
    public string BootstrapServers { get; }

    /// <summary>The librdkafka native file the cluster runs in (the one Confluent.Kafka loaded).</summary>
    public string NativeLibraryPath { get; }

    /// <summary>
    /// Creates a topic directly in the broker (the CreateTopics admin request is not implemented by it).
    /// Returns once the topic exists; clients see it on their next metadata refresh.
    /// </summary>
    /// <param name="name">Topic name.</param>
    /// <param name="partitions">Partition count, at least 1.</param>
    /// <param name="replicationFactor">Replicas per partition, 1 to <see cref="BrokerCount"/>; default 1.</param>
    /// <exception cref="InvalidOperationException">The broker refused (for example, the topic exists).</exception>
    public void CreateTopic(string name, int partitions, int replicationFactor = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(replicationFactor, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(replicationFactor, BrokerCount);
        lock (_gate)
        {
            ErrorCode code = LibrdkafkaNative.MockTopicCreate(Cluster(), name, partitions, replicationFactor);
            ThrowOnError(code, string.Create(CultureInfo.InvariantCulture,
                $"create topic '{name}' with {partitions} partitions and replication factor {replicationFactor}"));
        }
    }

    /// <summary>
    /// Sets how long the broker waits for more members before the first rebalance of a new classic-protocol
    /// consumer group (Kafka's <c>group.initial.rebalance.delay.ms</c>; librdkafka's default is 3 s).
    /// <see cref="TimeSpan.Zero"/> makes tests and the demo start consuming at once.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative, or more than <see cref="int.MaxValue"/> ms.</exception>
    public void SetInitialRebalanceDelay(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(delay, TimeSpan.FromMilliseconds(int.MaxValue));
        lock (_gate)
        {
            LibrdkafkaNative.MockGroupInitialRebalanceDelayMs(Cluster(), (int)delay.TotalMilliseconds);
        }
    }

    /// <summary>
    /// Takes a broker down: its connections are closed and new ones refused. Partition leadership does not
    /// move, so partitions it leads become unavailable until <see cref="SetBrokerUp"/>.
    /// </summary>
    /// <param name="brokerId">Broker id, 1 to <see cref="BrokerCount"/>.</param>
    public void SetBrokerDown(int brokerId)
    {
        ValidateBrokerId(brokerId);
        lock (_gate)
        {
            ThrowOnError(LibrdkafkaNative.MockBrokerSetDown(Cluster(), brokerId),
                string.Create(CultureInfo.InvariantCulture, $"take broker {brokerId} down"));
        }
    }

    /// <summary>Brings a broker taken down by <see cref="SetBrokerDown"/> back up.</summary>
    /// <param name="brokerId">Broker id, 1 to <see cref="BrokerCount"/>.</param>
    public void SetBrokerUp(int brokerId)
    {
        ValidateBrokerId(brokerId);
        lock (_gate)
        {
            ThrowOnError(LibrdkafkaNative.MockBrokerSetUp(Cluster(), brokerId),
                string.Create(CultureInfo.InvariantCulture, $"bring broker {brokerId} up"));
        }
    }

    /// <summary>Stops every broker and releases the hosting client. Safe to call more than once.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _cluster = IntPtr.Zero;
            _host.Dispose();
        }
    }

    private IntPtr Cluster()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _cluster;
    }

    private void ValidateBrokerId(int brokerId)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokerId, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(brokerId, BrokerCount);
    }

    private static void ThrowOnError(ErrorCode code, string action)
    {
        if (code != ErrorCode.NoError)
        {
            throw new InvalidOperationException(
                $"Embedded Kafka cluster could not {action}: {LibrdkafkaNative.Describe(code)}.");
        }
    }
}
