using Monitor.Core.Drift;
using Monitor.Core.Rules;

namespace Monitor.Core.Tests.Rules;

/// <summary>A small valid rule set; tests change one thing with <c>with</c> and expect exactly that error.</summary>
internal static class SomeRules
{
    public const string File = "rules/fraud.yaml";

    public static FeatureRule Amount { get; } = new()
    {
        Name = "amount",
        Kind = FeatureKind.Numeric,
        Tests = [new DriftTestRule { Name = "ks", Warning = 0.05, Critical = 0.01 }, new DriftTestRule { Name = "psi", Warning = 0.1, Critical = 0.25 }],
        Quality = new QualityLimits { Min = 0, Max = 100, MaxMissingShare = 0.05 },
    };

    public static FeatureRule Country { get; } = new()
    {
        Name = "country",
        Kind = FeatureKind.Categorical,
        Tests = [new DriftTestRule { Name = "chisquare", Warning = 0.05, Critical = 0.01 }],
        Quality = new QualityLimits { AllowedCategories = ["DE", "FR"] },
    };

    public static ModelRules Valid() => new()
    {
        Name = "fraud",
        Task = ModelTask.BinaryClassification,
        Topics = new TopicRules { Predictions = "fraud.predictions", Labels = "fraud.labels", DeadLetter = "fraud.dead-letter" },
        Features = [Amount, Country],
        Window = new WindowRule { Size = TimeSpan.FromHours(1) },
        Baseline = new BaselineRule { Kind = BaselineKind.File, Path = "baselines/fraud.json" },
        Performance = new PerformanceRule { Floors = [new MetricFloor { Metric = "roc_auc", Warning = 0.85, Critical = 0.8 }] },
        Alerts = new AlertRules
        {
            RunbookUrl = "https://runbooks.example.com/fraud",
            Routes = [new AlertRoute { Name = "team", Channel = AlertChannel.Email, Targets = ["team@example.com"] }],
        },
        Retrain = new RetrainPolicy { DatasetDriftWindows = 3, Webhook = "https://pipelines.example.com/retrain", SecretEnv = "FRAUD_SECRET" },
    };

    public static ModelRules WithAmount(this ModelRules rules, Func<FeatureRule, FeatureRule> change) =>
        rules with { Features = [change(Amount), Country] };
}
