namespace Monitor.Kafka.Ingest;

/// <summary>
/// State that lives beside the window state and must be checkpointed with it (the alert policy, say). The
/// ingest calls both members on its processing task — the same task that raises
/// <see cref="KafkaIngest.WindowsReported"/> — so the saved state matches the windows and offsets exactly.
/// </summary>
public interface ICheckpointParticipant
{
    /// <summary>A stable name, unique among participants (stored in the checkpoint as <c>@name</c>).</summary>
    string Name { get; }

    /// <summary>The participant's state now.</summary>
    byte[] Save();

    /// <summary>Restores the state saved in the checkpoint being loaded, or <see langword="null"/> when there is none.</summary>
    void Restore(byte[]? state);
}
