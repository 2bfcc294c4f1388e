using System.Globalization;
using Confluent.Kafka;

namespace Monitor.Kafka.Ingest;

/// <summary>
/// How the ingest connects, checkpoints and dead-letters. Every librdkafka property can be given through
/// <see cref="Kafka"/>, <see cref="Consumer"/> and <see cref="Producer"/> (SASL and SSL included); they are merged
/// over Monitor's defaults (<see cref="ConsumerDefaults"/>, <see cref="ProducerDefaults"/>).
/// </summary>
public sealed class KafkaIngestOptions
{
    /// <summary>Consumer settings Monitor applies unless overridden.</summary>
    public static IReadOnlyDictionary<string, string> ConsumerDefaults { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["group.id"] = "monitor",
        ["auto.offset.reset"] = "earliest",
        ["group.protocol"] = "classic",
        ["client.id"] = "monitor",
        ["enable.partition.eof"] = "false",

        // librdkafka waits 1 s (its default) before fetching a partition again once its local queue was over
        // the prefetch thresholds. A consumer whose processing is briefly slower than the broker then reads in
        // one-second pulses: Monitor read 130,000 events/s with it and 306,000–389,000 with 10 ms
        // (docs/benchmarks.md, end to end).
        ["fetch.queue.backoff.ms"] = "10",

        // librdkafka prefetches up to 64 MiB (queued.max.messages.kbytes) and may overshoot that by one fetch of up
        // to 1 MiB per partition, in responses of up to 50 MiB (fetch.max.bytes): against 211 partitions the
        // daemon's RSS rose by ~100 MB for buffered records. 8 MiB in responses of at most 4 MiB with 256 KiB per
        // partition is still tens of milliseconds of Monitor's processing: `monitor bench rss` peak ~25 MB lower,
        // `monitor bench e2e` read rate and CPU per event unchanged (docs/benchmarks.md, memory).
        ["queued.max.messages.kbytes"] = "8192",
        ["max.partition.fetch.bytes"] = "262144",
        ["fetch.max.bytes"] = "4194304",
    };

    /// <summary>
    /// Consumer settings Monitor owns: offsets are stored only after a durable checkpoint and librdkafka commits
    /// what is stored in the background (and on revocation and close), so a commit never blocks the ingest.
    /// Giving another value is a configuration error.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ConsumerManaged { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["enable.auto.commit"] = "true",
        ["enable.auto.offset.store"] = "false",
    };

    /// <summary>Dead-letter producer settings Monitor applies unless overridden (durable, no duplicates from retries).</summary>
    public static IReadOnlyDictionary<string, string> ProducerDefaults { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["acks"] = "all",
        ["enable.idempotence"] = "true",
        ["linger.ms"] = "5",
        ["client.id"] = "monitor-dead-letters",
    };

    /// <summary>Settings for both the consumer and the dead-letter producer (bootstrap.servers, security.protocol, sasl.*, ssl.*).</summary>
    public IDictionary<string, string> Kafka { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Consumer-only settings (group.id, group.protocol, session.timeout.ms, ...), applied after <see cref="Kafka"/>.</summary>
    public IDictionary<string, string> Consumer { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Producer-only settings for the dead-letter producer, applied after <see cref="Kafka"/>.</summary>
    public IDictionary<string, string> Producer { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Where checkpoints are written; one Monitor instance owns it. Required.</summary>
    public string StateDirectory { get; init; } = string.Empty;

    /// <summary>Dead letters of models without their own dead-letter topic, and of unknown models. Default <c>monitor.dead-letters</c>.</summary>
    public string DeadLetterTopic { get; init; } = "monitor.dead-letters";

    /// <summary>A checkpoint is taken after this many records (default 50,000).</summary>
    public int CheckpointEveryMessages { get; init; } = 50_000;

    /// <summary>... or after this much time with unsaved records (default 30 s), whichever comes first.</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Checkpoint files kept (default 3: the newest and two fallbacks).</summary>
    public int KeepCheckpoints { get; init; } = 3;

    /// <summary>Larger message values go to the dead-letter topic undecoded (reason <c>too_large</c>). Default 1 MiB.</summary>
    public int MaxMessageBytes { get; init; } = 1024 * 1024;

    /// <summary>
    /// Records buffered between the consume thread and processing (default 2,048). librdkafka already prefetches
    /// (<c>queued.max.messages.kbytes</c>); records that wait here long enough to survive two collections die in
    /// the oldest generation: 10,000 buffered 1.9 KB records raised the daemon's peak RSS by ~100 MB at the same
    /// read rate (docs/benchmarks.md, memory).
    /// </summary>
    public int ChannelCapacity { get; init; } = 2_048;

    /// <summary>The blocking Consume timeout; also how often an idle loop checks the checkpoint interval (default 100 ms).</summary>
    public TimeSpan PollTimeout { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a checkpoint waits for dead letters to be delivered before it is postponed (default 10 s).</summary>
    public TimeSpan DeadLetterFlushTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Every problem with these options, each naming the key and the fix; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(StateDirectory))
        {
            errors.Add("StateDirectory is required: a directory this instance owns, where checkpoints are written.");
        }

        if (!Kafka.ContainsKey("bootstrap.servers") && !Consumer.ContainsKey("bootstrap.servers"))
        {
            errors.Add("Kafka:bootstrap.servers is required (host:port[,host:port...]).");
        }

        if (string.IsNullOrWhiteSpace(DeadLetterTopic))
        {
            errors.Add("DeadLetterTopic must name a topic.");
        }

        if (CheckpointEveryMessages < 1)
        {
            errors.Add($"CheckpointEveryMessages must be at least 1 (was {CheckpointEveryMessages}).");
        }

        if (CheckpointInterval <= TimeSpan.Zero)
        {
            errors.Add($"CheckpointInterval must be positive (was {CheckpointInterval}).");
        }

        if (KeepCheckpoints < 1)
        {
            errors.Add($"KeepCheckpoints must be at least 1 (was {KeepCheckpoints}).");
        }

        if (MaxMessageBytes < 1)
        {
            errors.Add($"MaxMessageBytes must be positive (was {MaxMessageBytes}).");
        }

        if (ChannelCapacity < 1)
        {
            errors.Add($"ChannelCapacity must be at least 1 (was {ChannelCapacity}).");
        }

        if (PollTimeout <= TimeSpan.Zero)
        {
            errors.Add($"PollTimeout must be positive (was {PollTimeout}).");
        }

        if (DeadLetterFlushTimeout <= TimeSpan.Zero)
        {
            errors.Add($"DeadLetterFlushTimeout must be positive (was {DeadLetterFlushTimeout}).");
        }

        foreach (var (key, value) in ConsumerManaged)
        {
            foreach (var source in new[] { ("Kafka", Kafka), ("Consumer", Consumer) })
            {
                if (source.Item2.TryGetValue(key, out string? given) && !string.Equals(given, value, StringComparison.OrdinalIgnoreCase))
                {
                    errors.Add($"{source.Item1}:{key} is managed by Monitor and must be '{value}' (was '{given}'): offsets are committed only after a durable checkpoint.");
                }
            }
        }

        return errors;
    }

    /// <summary>
    /// What librdkafka itself refuses in the merged consumer and dead-letter producer settings (an unknown property,
    /// a value of the wrong type, <c>fetch.max.bytes</c> below <c>message.max.bytes</c>, ...), found by creating each
    /// client without brokers, so nothing connects. Empty when both would start.
    /// </summary>
    public IReadOnlyList<string> ClientSettingErrors()
    {
        var errors = new List<string>();
        Check("consumer", ConsumerConfig(), c => new ConsumerBuilder<Null, Null>(c).SetLogHandler((_, _) => { }).Build());
        Check("dead-letter producer", ProducerConfig(), c => new ProducerBuilder<Null, Null>(c).SetLogHandler((_, _) => { }).Build());
        return errors;

        void Check(string client, Dictionary<string, string> config, Func<Dictionary<string, string>, IDisposable> build)
        {
            config.Remove("bootstrap.servers");
            try
            {
                build(config).Dispose();
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException or KafkaException)
            {
                errors.Add($"librdkafka refuses the {client} settings: {e.Message}");
            }
        }
    }

    internal Dictionary<string, string> ConsumerConfig()
    {
        var config = Merge(ConsumerDefaults, Kafka, Consumer, ConsumerManaged);
        if (!Kafka.ContainsKey(FetchMaxBytes) && !Consumer.ContainsKey(FetchMaxBytes))
        {
            config[FetchMaxBytes] = DefaultFetchMaxBytes(config).ToString(CultureInfo.InvariantCulture);
        }

        return config;
    }

    internal Dictionary<string, string> ProducerConfig() => Merge(ProducerDefaults, Kafka, Producer, null);

    private const string FetchMaxBytes = "fetch.max.bytes";

    /// <summary>
    /// Monitor's 4 MiB response size, within what librdkafka requires of it: at least <c>message.max.bytes</c>
    /// and at most <c>receive.message.max.bytes</c> − 512. A user who raises the message size (large events)
    /// or lowers the receive buffer gets a response size that fits it, not a client that refuses to start.
    /// </summary>
    private static long DefaultFetchMaxBytes(Dictionary<string, string> config)
    {
        long fetch = long.Parse(ConsumerDefaults[FetchMaxBytes], CultureInfo.InvariantCulture);
        if (config.TryGetValue("message.max.bytes", out string? message)
            && long.TryParse(message, NumberStyles.Integer, CultureInfo.InvariantCulture, out long messageBytes))
        {
            fetch = Math.Max(fetch, messageBytes);
        }

        if (config.TryGetValue("receive.message.max.bytes", out string? receive)
            && long.TryParse(receive, NumberStyles.Integer, CultureInfo.InvariantCulture, out long receiveBytes))
        {
            fetch = Math.Min(fetch, receiveBytes - 512);
        }

        return fetch;
    }

    private static Dictionary<string, string> Merge(IReadOnlyDictionary<string, string> defaults, IDictionary<string, string> shared,
        IDictionary<string, string> specific, IReadOnlyDictionary<string, string>? managed)
    {
        var result = new Dictionary<string, string>(defaults, StringComparer.Ordinal);
        foreach (var (k, v) in shared)
        {
            result[k] = v;
        }

        foreach (var (k, v) in specific)
        {
            result[k] = v;
        }

        if (managed is not null)
        {
            foreach (var (k, v) in managed)
            {
                result[k] = v;
            }
        }

        return result;
    }
}
