using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Monitor.Core.Drift;
using Monitor.Core.Pipeline;
using Monitor.Core.Rules;
using Monitor.Kafka.Embedded;
using Monitor.Kafka.Ingest;
using Monitor.Kafka.Tests.Embedded;
using Monitor.Kafka.Tests.Support;

namespace Monitor.Kafka.Tests.Ingest;

/// <summary>An embedded cluster with a model's topics, a state directory, and helpers to produce its events.</summary>
internal sealed class IngestHarness : IDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static readonly DateTimeOffset Start = new(2026, 11, 28, 6, 0, 0, TimeSpan.Zero);

    private readonly IProducer<byte[], byte[]> _producer;

    public IngestHarness(int brokerCount = 1, int partitions = 2)
    {
        Cluster = new EmbeddedKafkaCluster(brokerCount);
        Cluster.SetInitialRebalanceDelay(TimeSpan.Zero);
        Predictions = KafkaClients.FreshName("predictions");
        Labels = KafkaClients.FreshName("labels");
        DeadLetters = KafkaClients.FreshName("dead-letters");
        GlobalDeadLetters = KafkaClients.FreshName("monitor-dead-letters");
        GroupId = KafkaClients.FreshName("monitor");
        Cluster.CreateTopic(Predictions, partitions, brokerCount);
        Cluster.CreateTopic(Labels, partitions, brokerCount);
        Cluster.CreateTopic(DeadLetters, 1, brokerCount);
        Cluster.CreateTopic(GlobalDeadLetters, 1, brokerCount);
        StateDirectory = Path.Combine(Path.GetTempPath(), KafkaClients.FreshName("monitor-state"));
        _producer = KafkaClients.Producer(Cluster.BootstrapServers, c => c.ReconnectBackoffMaxMs = 200);
        Model = CompileModel("fraud");
    }

    public EmbeddedKafkaCluster Cluster { get; }

    public string Predictions { get; }

    public string Labels { get; }

    public string DeadLetters { get; }

    public string GlobalDeadLetters { get; }

    public string GroupId { get; }

    public string StateDirectory { get; }

    public CompiledModel Model { get; }

    /// <summary>Records produced to the model's input topics so far.</summary>
    public int Produced { get; private set; }

    public CompiledModel CompileModel(string name)
    {
        var rules = new ModelRules
        {
            Name = name,
            Task = ModelTask.BinaryClassification,
            Topics = new TopicRules { Predictions = Predictions, Labels = Labels, DeadLetter = DeadLetters },
            Features =
            [
                new FeatureRule { Name = "amount", Kind = FeatureKind.Numeric },
                new FeatureRule { Name = "country", Kind = FeatureKind.Categorical },
            ],
            // One window holds every event; the long lateness keeps it open whatever order partitions arrive in.
            Window = new WindowRule { Size = TimeSpan.FromHours(1), AllowedLateness = TimeSpan.FromDays(1) },
            Performance = new PerformanceRule(),
        };
        return CompiledModel.Compile(rules, baseline: null, DriftTestRegistry.Default);
    }

    public KafkaIngestOptions Options(int checkpointEvery = 100, TimeSpan? interval = null, int channelCapacity = 1000, Action<Dictionary<string, string>>? consumer = null)
    {
        var consumerConfig = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["group.id"] = GroupId,
            ["session.timeout.ms"] = "6000",
        };
        consumer?.Invoke(consumerConfig);
        return new KafkaIngestOptions
        {
            Kafka = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["bootstrap.servers"] = Cluster.BootstrapServers,
                ["reconnect.backoff.max.ms"] = "200",
            },
            Consumer = consumerConfig,
            StateDirectory = StateDirectory,
            DeadLetterTopic = GlobalDeadLetters,
            CheckpointEveryMessages = checkpointEvery,
            CheckpointInterval = interval ?? TimeSpan.FromMilliseconds(300),
            PollTimeout = TimeSpan.FromMilliseconds(50),
            MaxMessageBytes = 4096,
            ChannelCapacity = channelCapacity,
        };
    }

    public KafkaIngest Ingest(KafkaIngestOptions? options = null) => new([Model], options ?? Options());

    public static string PredictionJson(int i, string model = "fraud") => string.Create(CultureInfo.InvariantCulture,
        $"{{\"event_id\":\"e{i}\",\"model\":\"{model}\",\"model_version\":\"7\",\"timestamp\":\"{Start.AddSeconds(i % 3000):O}\","
        + $"\"features\":{{\"amount\":{10 + (i % 97) * 0.5},\"country\":\"{(i % 3 == 0 ? "DE" : "FR")}\"}},"
        + $"\"prediction\":{{\"score\":{(i % 10) / 10.0},\"label\":{i % 2}}}}}");

    public static string LabelJson(int i) => string.Create(CultureInfo.InvariantCulture,
        $"{{\"event_id\":\"e{i}\",\"timestamp\":\"{Start.AddSeconds(i % 3000 + 60):O}\",\"label\":{(i % 3 == 0 ? 1 : 0)}}}");

    /// <summary>Produces predictions and labels for event ids [from, to), keyed by event id.</summary>
    public void ProduceEvents(int from, int to)
    {
        for (int i = from; i < to; i++)
        {
            Send(Predictions, PredictionJson(i), KafkaClients.Key(i));
            Send(Labels, LabelJson(i), KafkaClients.Key(i));
        }

        Flush();
    }

    public void Send(string topic, string value, byte[]? key = null, Headers? headers = null) =>
        Send(topic, Encoding.UTF8.GetBytes(value), key, headers);

    public void Send(string topic, byte[] value, byte[]? key = null, Headers? headers = null)
    {
        _producer.Produce(topic, new Message<byte[], byte[]> { Key = key!, Value = value, Headers = headers });
        if (topic == Predictions || topic == Labels)
        {
            Produced++;
        }
    }

    public void Flush()
    {
        if (_producer.Flush(Patience) != 0)
        {
            throw new TimeoutException("Producer did not deliver within " + Patience);
        }
    }

    /// <summary>Waits until the ingest's positions on the input topics add up to everything produced (offsets start at 0).</summary>
    public void WaitUntilCaughtUp(KafkaIngest ingest) => WaitFor(() => InputPosition(ingest) >= Produced,
        () => $"ingest at {InputPosition(ingest)} of {Produced} records");

    public long InputPosition(KafkaIngest ingest) =>
        ingest.Positions.Where(kv => kv.Key.Topic == Predictions || kv.Key.Topic == Labels).Sum(kv => kv.Value);

    public static void WaitFor(Func<bool> condition, Func<string> describe, TimeSpan? within = null)
    {
        var limit = within ?? Patience;
        if (!SpinWait.SpinUntil(condition, limit))
        {
            throw new TimeoutException($"Timed out after {limit}: {describe()}");
        }
    }

    /// <summary>Reads <paramref name="count"/> records of <paramref name="topic"/> from the start.</summary>
    public List<ConsumeResult<byte[], byte[]>> ReadAll(string topic, int count)
    {
        using var consumer = KafkaClients.Consumer(Cluster.BootstrapServers, KafkaClients.FreshName("reader"));
        consumer.Subscribe(topic);
        var result = new List<ConsumeResult<byte[], byte[]>>();
        var deadline = Deadline.After(Patience);
        while (result.Count < count && !deadline.Passed)
        {
            var r = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (r is not null && !r.IsPartitionEOF)
            {
                result.Add(r);
            }
        }

        consumer.Close();
        return result;
    }

    public void Dispose()
    {
        _producer.Dispose();
        Cluster.Dispose();
        if (Directory.Exists(StateDirectory))
        {
            Directory.Delete(StateDirectory, recursive: true);
        }
    }
}
