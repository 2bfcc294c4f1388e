using Monitor.Core.Drift;

namespace Monitor.Core.Rules;

/// <summary>One monitored feature (an entry of <c>features</c>).</summary>
public sealed record FeatureRule
{
    /// <summary>The feature's name, unique in the file (<c>name</c>, required).</summary>
    public string? Name { get; init; }

    /// <summary>Numeric or categorical (<c>kind</c>, required); decides the tests that apply.</summary>
    public FeatureKind? Kind { get; init; }

    /// <summary>
    /// A dotted JSON path overriding where the value is read (<c>path</c>); by default
    /// <c>&lt;fields.features&gt;.&lt;name&gt;</c>.
    /// </summary>
    public string? Path { get; init; }

    /// <summary>
    /// The drift tests to run (<c>tests</c>); empty (the default) lets the registry pick by kind and sample size.
    /// </summary>
    public IReadOnlyList<DriftTestRule> Tests { get; init; } = [];

    /// <summary>Data-quality limits (<c>quality</c>); every limit is off unless set.</summary>
    public QualityLimits Quality { get; init; } = new();
}

/// <summary>One drift test with its thresholds (an entry of a <c>tests</c> mapping).</summary>
/// <remarks>
/// Thresholds are read as the test's <see cref="ThresholdKind"/> says: for p-value tests a smaller value is
/// more severe (critical &lt; warning), for distances a larger one (critical &gt; warning).
/// </remarks>
public sealed record DriftTestRule
{
    /// <summary>The registry name of the test (the mapping key, e.g. <c>ks</c>).</summary>
    public required string Name { get; init; }

    /// <summary>The warning threshold; <see langword="null"/> uses the test's default threshold.</summary>
    public double? Warning { get; init; }

    /// <summary>The critical threshold; <see langword="null"/> uses the test's default threshold.</summary>
    public double? Critical { get; init; }
}

/// <summary>Data-quality limits of one feature (<c>quality</c>).</summary>
public sealed record QualityLimits
{
    /// <summary>The smallest valid value of a numeric feature (<c>min</c>); no lower bound by default.</summary>
    public double? Min { get; init; }

    /// <summary>The largest valid value of a numeric feature (<c>max</c>); no upper bound by default.</summary>
    public double? Max { get; init; }

    /// <summary>The valid categories of a categorical feature (<c>allowed_categories</c> as a list).</summary>
    public IReadOnlyList<string>? AllowedCategories { get; init; }

    /// <summary>
    /// Whether the valid categories are those of the baseline (<c>allowed_categories: baseline</c>);
    /// anything else counts as an unseen category.
    /// </summary>
    public bool AllowedCategoriesFromBaseline { get; init; }

    /// <summary>The largest acceptable share of missing values per window, in [0, 1] (<c>max_missing_share</c>).</summary>
    public double? MaxMissingShare { get; init; }

    /// <summary>The largest acceptable share of wrongly typed values per window, in [0, 1] (<c>max_type_error_share</c>).</summary>
    public double? MaxTypeErrorShare { get; init; }
}

/// <summary>Drift of the model's output (<c>prediction_drift</c>).</summary>
public sealed record PredictionDriftRule
{
    /// <summary>Whether prediction drift is measured (<c>enabled</c>, default true).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>
    /// The prediction field compared (<c>source</c>); <see langword="null"/> picks by task: score for binary
    /// classification, label for multiclass, value for regression.
    /// </summary>
    public PredictionSource? Source { get; init; }

    /// <summary>The tests to run (<c>tests</c>); empty lets the registry pick.</summary>
    public IReadOnlyList<DriftTestRule> Tests { get; init; } = [];

    /// <summary>The source used for a task when <see cref="Source"/> is not set.</summary>
    public static PredictionSource DefaultSource(ModelTask task) => task switch
    {
        ModelTask.BinaryClassification => PredictionSource.Score,
        ModelTask.MulticlassClassification => PredictionSource.Label,
        _ => PredictionSource.Value,
    };

    /// <summary>The feature kind of a prediction source: a label is categorical, a score or value numeric.</summary>
    public static FeatureKind KindOf(PredictionSource source) =>
        source == PredictionSource.Label ? FeatureKind.Categorical : FeatureKind.Numeric;
}
