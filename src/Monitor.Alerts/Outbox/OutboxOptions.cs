namespace Monitor.Alerts.Outbox;

/// <summary>Where the outbox lives and how it retries.</summary>
public sealed record OutboxOptions
{
    /// <summary>The state directory (required); items live in its <c>items/</c> folder, one JSON file each.</summary>
    public string Directory { get; init; } = string.Empty;

    /// <summary>Failed attempts after which an item is marked dead (kept on disk, counted); default 20 (≈ 1.5 h expected, ≤ 3 h with the default delays).</summary>
    public int MaxAttempts { get; init; } = 20;

    /// <summary>The backoff ceiling after the first failure; it doubles per failure; default 2 s.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The largest backoff ceiling; default 15 min.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>How long one send may take before it counts as failed (real time: it bounds a network wait); default 30 s.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long delivered and dead items are kept to answer "already sent?" for a re-enqueued key; default 30 days.
    /// A key enqueued again after its item was pruned is sent again.
    /// </summary>
    public TimeSpan SettledRetention { get; init; } = TimeSpan.FromDays(30);

    /// <summary>Seeds the backoff jitter; the same seed gives the same delays (tests); <see langword="null"/> (default) picks one at start.</summary>
    public int? JitterSeed { get; init; }

    /// <summary>The longest <see cref="FileOutbox.RunAsync"/> sleeps without a reason to wake; default 1 min.</summary>
    public TimeSpan IdleWakeInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>All problems with these options, each naming the key and the fix; empty when valid.</summary>
    /// <returns>The problems.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Directory))
        {
            errors.Add("Outbox:Directory is required: set it to a writable directory that survives restarts.");
        }

        if (MaxAttempts < 1)
        {
            errors.Add("Outbox:MaxAttempts must be at least 1.");
        }

        if (BaseDelay <= TimeSpan.Zero)
        {
            errors.Add("Outbox:BaseDelay must be positive, e.g. 00:00:02.");
        }

        if (MaxDelay < BaseDelay)
        {
            errors.Add("Outbox:MaxDelay must be at least Outbox:BaseDelay.");
        }

        if (AttemptTimeout <= TimeSpan.Zero)
        {
            errors.Add("Outbox:AttemptTimeout must be positive, e.g. 00:00:30.");
        }

        if (SettledRetention <= TimeSpan.Zero)
        {
            errors.Add("Outbox:SettledRetention must be positive, e.g. 30.00:00:00.");
        }

        if (IdleWakeInterval <= TimeSpan.Zero)
        {
            errors.Add("Outbox:IdleWakeInterval must be positive.");
        }

        return errors;
    }
}

/// <summary>Counts for one channel, for the metrics exporter.</summary>
/// <param name="Channel">The channel name (bounded set, <see cref="Channels.ChannelNames"/>).</param>
/// <param name="Pending">Items waiting to be sent (the queue depth).</param>
/// <param name="Delivered">Delivered items still remembered on disk.</param>
/// <param name="Dead">Items given up on, still on disk.</param>
/// <param name="Sent">Successful sends since this instance started.</param>
/// <param name="Failed">Failed attempts since this instance started.</param>
public sealed record OutboxChannelStats(string Channel, int Pending, int Delivered, int Dead, long Sent, long Failed);

/// <summary>The life of an outbox item.</summary>
public enum OutboxItemState
{
    /// <summary>Waiting for its next attempt.</summary>
    Pending,

    /// <summary>Accepted by the target; kept to deduplicate.</summary>
    Delivered,

    /// <summary>Given up after the maximum attempts or a permanent refusal; kept for inspection.</summary>
    Dead,
}
