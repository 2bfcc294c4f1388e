using Monitor.Core.Drift;

namespace Monitor.Core.Rules;

/// <summary>
/// The spellings rule files use for Monitor's enumerations, in one place so that parsing, messages and
/// documentation agree.
/// </summary>
public static class RuleNames
{
    /// <summary>Task names.</summary>
    public static IReadOnlyDictionary<string, ModelTask> Tasks { get; } = new Dictionary<string, ModelTask>(StringComparer.Ordinal)
    {
        ["binary_classification"] = ModelTask.BinaryClassification,
        ["multiclass_classification"] = ModelTask.MulticlassClassification,
        ["regression"] = ModelTask.Regression,
    };

    /// <summary>Feature kind names.</summary>
    public static IReadOnlyDictionary<string, FeatureKind> FeatureKinds { get; } = new Dictionary<string, FeatureKind>(StringComparer.Ordinal)
    {
        ["numeric"] = FeatureKind.Numeric,
        ["categorical"] = FeatureKind.Categorical,
    };

    /// <summary>Baseline kind names.</summary>
    public static IReadOnlyDictionary<string, BaselineKind> BaselineKinds { get; } = new Dictionary<string, BaselineKind>(StringComparer.Ordinal)
    {
        ["file"] = BaselineKind.File,
        ["window"] = BaselineKind.Window,
        ["rolling"] = BaselineKind.Rolling,
    };

    /// <summary>P-value correction names.</summary>
    public static IReadOnlyDictionary<string, PValueCorrection> Corrections { get; } = new Dictionary<string, PValueCorrection>(StringComparer.Ordinal)
    {
        ["none"] = PValueCorrection.None,
        ["bonferroni"] = PValueCorrection.Bonferroni,
        ["bh"] = PValueCorrection.BenjaminiHochberg,
    };

    /// <summary>Alert channel names.</summary>
    public static IReadOnlyDictionary<string, AlertChannel> Channels { get; } = new Dictionary<string, AlertChannel>(StringComparer.Ordinal)
    {
        ["email"] = AlertChannel.Email,
        ["webhook"] = AlertChannel.Webhook,
        ["slack"] = AlertChannel.Slack,
        ["alertmanager"] = AlertChannel.Alertmanager,
    };

    /// <summary>Alert severity names.</summary>
    public static IReadOnlyDictionary<string, AlertSeverity> Severities { get; } = new Dictionary<string, AlertSeverity>(StringComparer.Ordinal)
    {
        ["warning"] = AlertSeverity.Warning,
        ["critical"] = AlertSeverity.Critical,
    };

    /// <summary>Prediction source names.</summary>
    public static IReadOnlyDictionary<string, PredictionSource> PredictionSources { get; } = new Dictionary<string, PredictionSource>(StringComparer.Ordinal)
    {
        ["score"] = PredictionSource.Score,
        ["label"] = PredictionSource.Label,
        ["value"] = PredictionSource.Value,
    };

    /// <summary>Retrain condition combinators.</summary>
    public static IReadOnlyDictionary<string, RetrainMatch> RetrainMatches { get; } = new Dictionary<string, RetrainMatch>(StringComparer.Ordinal)
    {
        ["any"] = RetrainMatch.Any,
        ["all"] = RetrainMatch.All,
    };

    /// <summary>The rule-file spelling of a value of one of the enumerations above.</summary>
    public static string Of<TEnum>(IReadOnlyDictionary<string, TEnum> names, TEnum value)
        where TEnum : struct, Enum
    {
        ArgumentNullException.ThrowIfNull(names);
        foreach (var (name, v) in names)
        {
            if (EqualityComparer<TEnum>.Default.Equals(v, value))
            {
                return name;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(value), value, "No rule-file name for this value.");
    }

    /// <summary>The rule-file spelling of a task.</summary>
    public static string Of(ModelTask task) => Of(Tasks, task);

    /// <summary>The rule-file spelling of a feature kind.</summary>
    public static string Of(FeatureKind kind) => Of(FeatureKinds, kind);
}
