using Confluent.Kafka;

namespace Monitor.Kafka.Checkpoints;

/// <summary>
/// What the ingest has durably applied: every model's window state and, per input partition, the next offset
/// to read. The state contains the effects of exactly the records below those offsets, so restoring it and
/// resuming at the offsets neither loses nor double-counts a record.
/// </summary>
public sealed class Checkpoint
{
    /// <summary>Creates a checkpoint.</summary>
    /// <param name="sequence">Increases with every checkpoint written to a state directory; the highest is the latest.</param>
    /// <param name="takenAt">When it was taken (for operators; never used to order checkpoints).</param>
    /// <param name="offsets">Per partition, the next offset to read.</param>
    /// <param name="models">Per model name, the bytes written by <c>WindowEngine.Write</c>.</param>
    public Checkpoint(long sequence, DateTimeOffset takenAt, IReadOnlyDictionary<TopicPartition, long> offsets, IReadOnlyDictionary<string, ReadOnlyMemory<byte>> models)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        Sequence = sequence;
        TakenAt = takenAt;
        Offsets = offsets;
        Models = models;
    }

    /// <summary>Increases with every checkpoint written to a state directory.</summary>
    public long Sequence { get; }

    /// <summary>When the checkpoint was taken.</summary>
    public DateTimeOffset TakenAt { get; }

    /// <summary>Per partition, the next offset to read (the state holds every record below it).</summary>
    public IReadOnlyDictionary<TopicPartition, long> Offsets { get; }

    /// <summary>Per model name, the serialized window state.</summary>
    public IReadOnlyDictionary<string, ReadOnlyMemory<byte>> Models { get; }

    /// <summary>
    /// States written straight into the file when the checkpoint is saved (by name, next to <see cref="Models"/>;
    /// a loaded checkpoint has them in <see cref="Models"/>). The window state of large exact windows is then
    /// never copied into memory first.
    /// </summary>
    public IReadOnlyDictionary<string, Action<Monitor.Core.Accumulators.StateWriter>> Writers { get; init; } =
        new Dictionary<string, Action<Monitor.Core.Accumulators.StateWriter>>();
}
