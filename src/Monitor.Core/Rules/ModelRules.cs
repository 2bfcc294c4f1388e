namespace Monitor.Core.Rules;

/// <summary>
/// Everything Monitor needs to know to watch one model: one rule file (<c>rules/&lt;model&gt;.yaml</c>) parsed
/// into typed, immutable options. Values a file leaves out hold their documented defaults; values a file must
/// give are nullable here so that <see cref="RuleValidator"/> can report each missing one with its key.
/// </summary>
public sealed record ModelRules
{
    /// <summary>The model's name as it appears in the events' <c>model</c> field (<c>model.name</c>, required).</summary>
    public string? Name { get; init; }

    /// <summary>
    /// The model version to monitor (<c>model.version</c>); <see langword="null"/> (the default) monitors every
    /// version and labels results with the version seen in the events.
    /// </summary>
    public string? Version { get; init; }

    /// <summary>What the model predicts (<c>task</c>, required).</summary>
    public ModelTask? Task { get; init; }

    /// <summary>The Kafka topics read and written (<c>topics</c>).</summary>
    public TopicRules Topics { get; init; } = new();

    /// <summary>Where each field of the event contract is found in the JSON messages (<c>fields</c>).</summary>
    public FieldPaths Fields { get; init; } = new();

    /// <summary>The monitored features, in file order (<c>features</c>, at least one).</summary>
    public IReadOnlyList<FeatureRule> Features { get; init; } = [];

    /// <summary>Drift of the model's own output (<c>prediction_drift</c>).</summary>
    public PredictionDriftRule PredictionDrift { get; init; } = new();

    /// <summary>The event-time windows evaluated (<c>window</c>).</summary>
    public WindowRule Window { get; init; } = new();

    /// <summary>When windows are evaluated (<c>schedule</c>).</summary>
    public ScheduleRule Schedule { get; init; } = new();

    /// <summary>The reference the windows are compared with (<c>baseline</c>, required).</summary>
    public BaselineRule? Baseline { get; init; }

    /// <summary>Memory bounds of the per-window accumulators (<c>sketch</c>).</summary>
    public SketchRule Sketch { get; init; } = new();

    /// <summary>When the model as a whole counts as drifted (<c>dataset_drift</c>).</summary>
    public DatasetDriftRule DatasetDrift { get; init; } = new();

    /// <summary>Performance floors once labels join (<c>performance</c>); <see langword="null"/> when not monitored.</summary>
    public PerformanceRule? Performance { get; init; }

    /// <summary>Where and how alerts go (<c>alerts</c>); no routes means results are only exported.</summary>
    public AlertRules Alerts { get; init; } = new();

    /// <summary>When to call a retraining pipeline (<c>retrain</c>); <see langword="null"/> when never.</summary>
    public RetrainPolicy? Retrain { get; init; }
}

/// <summary>The Kafka topics of one model (<c>topics</c>).</summary>
public sealed record TopicRules
{
    /// <summary>The prediction log topic (<c>topics.predictions</c>, required).</summary>
    public string? Predictions { get; init; }

    /// <summary>An optional feature log topic (inputs only, e.g. from a feature store) (<c>topics.features</c>).</summary>
    public string? Features { get; init; }

    /// <summary>
    /// The ground-truth topic (<c>topics.labels</c>); required for performance monitoring. It must be
    /// co-partitioned with the predictions (same key, the event id, and the same partition count).
    /// </summary>
    public string? Labels { get; init; }

    /// <summary>Where undecodable messages are kept with their reason (<c>topics.dead_letter</c>, required).</summary>
    public string? DeadLetter { get; init; }
}

/// <summary>
/// Dotted JSON paths of the event contract's fields (<c>fields</c>); the defaults are the contract's own names.
/// </summary>
public sealed record FieldPaths
{
    /// <summary>The event id, joined with labels (<c>fields.event_id</c>, default <c>event_id</c>).</summary>
    public string EventId { get; init; } = "event_id";

    /// <summary>The model name (<c>fields.model</c>, default <c>model</c>).</summary>
    public string Model { get; init; } = "model";

    /// <summary>The model version (<c>fields.model_version</c>, default <c>model_version</c>).</summary>
    public string ModelVersion { get; init; } = "model_version";

    /// <summary>The event time, ISO-8601 (<c>fields.timestamp</c>, default <c>timestamp</c>).</summary>
    public string Timestamp { get; init; } = "timestamp";

    /// <summary>The object holding the features (<c>fields.features</c>, default <c>features</c>).</summary>
    public string Features { get; init; } = "features";

    /// <summary>The binary score (<c>fields.prediction.score</c>, default <c>prediction.score</c>).</summary>
    public string PredictionScore { get; init; } = "prediction.score";

    /// <summary>The predicted label (<c>fields.prediction.label</c>, default <c>prediction.label</c>).</summary>
    public string PredictionLabel { get; init; } = "prediction.label";

    /// <summary>The regression value (<c>fields.prediction.value</c>, default <c>prediction.value</c>).</summary>
    public string PredictionValue { get; init; } = "prediction.value";

    /// <summary>The per-class scores object (<c>fields.prediction.scores</c>, default <c>prediction.scores</c>).</summary>
    public string PredictionScores { get; init; } = "prediction.scores";

    /// <summary>The label event's event id (<c>fields.labels.event_id</c>, default <c>event_id</c>).</summary>
    public string LabelEventId { get; init; } = "event_id";

    /// <summary>The true class (<c>fields.labels.label</c>, default <c>label</c>).</summary>
    public string Label { get; init; } = "label";

    /// <summary>The true regression value (<c>fields.labels.value</c>, default <c>value</c>).</summary>
    public string LabelValue { get; init; } = "value";

    /// <summary>The label event's time (<c>fields.labels.timestamp</c>, default <c>timestamp</c>).</summary>
    public string LabelTimestamp { get; init; } = "timestamp";
}
