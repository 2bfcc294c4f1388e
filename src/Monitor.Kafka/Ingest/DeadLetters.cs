using Monitor.Core.Ingest;

namespace Monitor.Kafka.Ingest;

/// <summary>
/// The dead-letter record format: the original key, value and headers, plus these headers (UTF-8 text) saying
/// why and where from, so that a dead letter can be inspected and re-published to its source topic.
/// </summary>
public static class DeadLetterHeaders
{
    /// <summary>The reason, one of <see cref="DeadLetterReasons"/>.</summary>
    public const string Reason = "monitor.reason";

    /// <summary>The model whose decoder rejected the message (absent for unknown_model and too_large on a shared topic).</summary>
    public const string Model = "monitor.model";

    /// <summary>The source topic.</summary>
    public const string SourceTopic = "monitor.source.topic";

    /// <summary>The source partition (decimal).</summary>
    public const string SourcePartition = "monitor.source.partition";

    /// <summary>The source offset (decimal).</summary>
    public const string SourceOffset = "monitor.source.offset";

    /// <summary>A human-readable description of the problem.</summary>
    public const string Error = "monitor.error";
}

/// <summary>The values of the <see cref="DeadLetterHeaders.Reason"/> header (also the counter names).</summary>
public static class DeadLetterReasons
{
    /// <summary>No monitored model on the topic accepts the event's model name.</summary>
    public const string UnknownModel = "unknown_model";

    /// <summary>The value exceeds <see cref="KafkaIngestOptions.MaxMessageBytes"/> (checked before decoding).</summary>
    public const string TooLarge = "too_large";

    /// <summary>The reason for a decoder outcome, e.g. <c>invalid_json</c> for <see cref="DecodeOutcome.InvalidJson"/>.</summary>
    public static string Of(DecodeOutcome outcome) => outcome switch
    {
        DecodeOutcome.InvalidJson => "invalid_json",
        DecodeOutcome.NotAnObject => "not_an_object",
        DecodeOutcome.TooDeep => "too_deep",
        DecodeOutcome.TooLarge => TooLarge,
        DecodeOutcome.BadTimestamp => "bad_timestamp",
        DecodeOutcome.MissingEventId => "missing_event_id",
        DecodeOutcome.MissingModel => "missing_model",
        DecodeOutcome.MissingLabel => "missing_label",
        DecodeOutcome.OtherModel => UnknownModel,
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "Accepted messages are not dead letters."),
    };

    /// <summary>The <see cref="DeadLetterHeaders.Error"/> text for a decoder outcome.</summary>
    public static string Describe(DecodeOutcome outcome) => outcome switch
    {
        DecodeOutcome.InvalidJson => "Not valid UTF-8 JSON (NaN and Infinity literals are not JSON).",
        DecodeOutcome.NotAnObject => "The top level is not a JSON object.",
        DecodeOutcome.TooDeep => "Nested deeper than the decoder allows.",
        DecodeOutcome.TooLarge => "Larger than the maximum message size.",
        DecodeOutcome.BadTimestamp => "No timestamp, or one that is neither ISO-8601 nor epoch milliseconds.",
        DecodeOutcome.MissingEventId => "The event id is required (labels are joined by it) but absent or not a string/number.",
        DecodeOutcome.MissingModel => "The model field is required (several models share the topic) but absent.",
        DecodeOutcome.MissingLabel => "A label event without a usable label value.",
        _ => outcome.ToString(),
    };
}

/// <summary>One message sent to a dead-letter topic (raised after it was handed to the producer).</summary>
/// <param name="Reason">One of <see cref="DeadLetterReasons"/>.</param>
/// <param name="Model">The rejecting model, when one is known.</param>
/// <param name="DeadLetterTopic">Where it was sent.</param>
/// <param name="SourceTopic">Where it came from.</param>
/// <param name="SourcePartition">Its source partition.</param>
/// <param name="SourceOffset">Its source offset.</param>
/// <param name="Error">The description written to the header.</param>
public sealed record DeadLetter(string Reason, string? Model, string DeadLetterTopic, string SourceTopic, int SourcePartition, long SourceOffset, string Error);
