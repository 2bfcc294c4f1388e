namespace Monitor.Core.Ingest;

/// <summary>
/// What became of one message. Everything but <see cref="Ok"/> and <see cref="OtherModel"/> sends the message to
/// the dead-letter topic with this reason (never dropped, never a crash).
/// </summary>
public enum DecodeOutcome
{
    /// <summary>Decoded; per-field problems (missing values, wrong types) are counted, not fatal.</summary>
    Ok,

    /// <summary>The event names a model this decoder does not handle (another decoder on the topic may).</summary>
    OtherModel,

    /// <summary>Not valid UTF-8 JSON.</summary>
    InvalidJson,

    /// <summary>The top level is not a JSON object.</summary>
    NotAnObject,

    /// <summary>Nested deeper than the decoder allows.</summary>
    TooDeep,

    /// <summary>Larger than the configured maximum message size.</summary>
    TooLarge,

    /// <summary>No timestamp, or one that is neither ISO-8601 nor epoch milliseconds.</summary>
    BadTimestamp,

    /// <summary>The event id is required (labels are joined by it) but absent or not a string/number.</summary>
    MissingEventId,

    /// <summary>The model field is required (several models share the topic) but absent.</summary>
    MissingModel,

    /// <summary>A label event without a usable label value.</summary>
    MissingLabel,
}
