namespace Monitor.Core.Ingest;

/// <summary>
/// What a decoder extracts from one kind of message (predictions or labels of one model): the special fields
/// and the numeric and categorical slots, each at a field path. Compiled once from the rule file.
/// </summary>
public sealed class EventSchema
{
    private readonly List<FieldPath> _numeric = [];
    private readonly List<FieldPath> _categorical = [];

    /// <summary>Creates a schema for messages of <paramref name="model"/>.</summary>
    /// <param name="model">The model name; when <paramref name="modelPath"/> is set, other models' messages are skipped.</param>
    /// <param name="timestampPath">Where the event time is (ISO-8601 string or epoch milliseconds).</param>
    /// <param name="eventIdPath">Where the event id is; required when <paramref name="requireEventId"/>.</param>
    /// <param name="modelPath">Where the model name is; <see langword="null"/> when the topic carries one model only.</param>
    /// <param name="versionPath">Where the model version is, if anywhere.</param>
    /// <param name="requireEventId">Whether a message without an id is a dead letter (labels need it to join).</param>
    public EventSchema(string model, FieldPath timestampPath, FieldPath? eventIdPath, FieldPath? modelPath, FieldPath? versionPath, bool requireEventId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        ArgumentNullException.ThrowIfNull(timestampPath);
        if (requireEventId && eventIdPath is null)
        {
            throw new ArgumentException("An event id path is required when event ids are required.", nameof(eventIdPath));
        }

        Model = model;
        TimestampPath = timestampPath;
        EventIdPath = eventIdPath;
        ModelPath = modelPath;
        VersionPath = versionPath;
        RequireEventId = requireEventId;
    }

    /// <summary>The model whose messages this schema reads.</summary>
    public string Model { get; }

    /// <summary>Where the event time is.</summary>
    public FieldPath TimestampPath { get; }

    /// <summary>Where the event id is.</summary>
    public FieldPath? EventIdPath { get; }

    /// <summary>Where the model name is.</summary>
    public FieldPath? ModelPath { get; }

    /// <summary>Where the model version is.</summary>
    public FieldPath? VersionPath { get; }

    /// <summary>Whether the event id is mandatory.</summary>
    public bool RequireEventId { get; }

    /// <summary>Whether a message without a timestamp is rejected (true for live traffic; training files may lack one).</summary>
    public bool RequireTimestamp { get; init; } = true;

    /// <summary>The numeric slots' paths, by slot index.</summary>
    public IReadOnlyList<FieldPath> NumericPaths => _numeric;

    /// <summary>The categorical slots' paths, by slot index.</summary>
    public IReadOnlyList<FieldPath> CategoricalPaths => _categorical;

    /// <summary>Adds a numeric slot and returns its index.</summary>
    public int AddNumeric(FieldPath path)
    {
        ArgumentNullException.ThrowIfNull(path);
        _numeric.Add(path);
        return _numeric.Count - 1;
    }

    /// <summary>Adds a categorical slot and returns its index.</summary>
    public int AddCategorical(FieldPath path)
    {
        ArgumentNullException.ThrowIfNull(path);
        _categorical.Add(path);
        return _categorical.Count - 1;
    }
}
