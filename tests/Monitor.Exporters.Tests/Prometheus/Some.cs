using Monitor.Core.Drift;
using Monitor.Core.Evaluation;
using Monitor.Core.Windows;

namespace Monitor.Exporters.Tests.Prometheus;

/// <summary>Small valid reports; tests change one thing with <c>with</c>.</summary>
internal static class Some
{
    public static readonly DateTimeOffset Start = new(2026, 11, 28, 6, 0, 0, TimeSpan.Zero);

    public static TimeRange Window(int index = 0) => new(Start.AddHours(index), Start.AddHours(index + 1));

    public static TestOutcome Psi(double statistic = 0.1234567890123, Severity severity = Severity.Warning) =>
        new("psi", statistic, null, null, ThresholdKind.StatisticAbove, 0.1, 0.25, severity, EstimateMode.Exact, null, 1000, 500);

    public static TestOutcome Ks(double statistic = 0.21, double pValue = 0.003, Severity severity = Severity.Critical) =>
        new("ks", statistic, pValue, null, ThresholdKind.PValueBelow, 0.05, 0.01, severity, EstimateMode.Exact, null, 1000, 500);

    public static TestOutcome ChiSquare(double statistic = 3.5, double pValue = 0.32) =>
        new("chisquare", statistic, pValue, null, ThresholdKind.PValueBelow, 0.05, null, Severity.None, EstimateMode.Exact, null, 1000, 500);

    public static FeatureReport Amount(params TestOutcome[] tests) =>
        new("amount", FeatureKind.Numeric, StreamRole.Feature, 500, 10, 2, 5, 0, EstimateMode.Exact,
            tests.Length == 0 ? [Psi(), Ks()] : tests,
            [new QualityCheck("missing_share", 0.02, 0.05, Severity.None), new QualityCheck("out_of_range_share", 0.01, null, Severity.None)]);

    public static FeatureReport Country(params TestOutcome[] tests) =>
        new("country", FeatureKind.Categorical, StreamRole.Feature, 500, 0, 0, 0, 7, EstimateMode.Exact,
            tests.Length == 0 ? [ChiSquare()] : tests,
            [new QualityCheck("unseen_share", 0.014, 0.1, Severity.None)]);

    public static FeatureReport Prediction() =>
        new("prediction", FeatureKind.Numeric, StreamRole.Prediction, 500, 0, 0, 0, 0, EstimateMode.Exact,
            [Psi(0.05, Severity.None)], []);

    public static PerformanceReport Performance(long labelled = 400, double coverage = 0.8, double? rocAuc = 0.91) =>
        new(labelled, coverage, true, new Dictionary<string, double?> { ["roc_auc"] = rocAuc, ["accuracy"] = 0.88, ["log_loss"] = null },
            [new FloorOutcome("roc_auc", rocAuc, 0.93, true, 0.85, 0.8, Severity.None)], true);

    public static WindowReport Report(int window = 0, string? version = "7", params FeatureReport[] features) =>
        new("fraud", version, "b1", Window(window), Final: true, Revision: 0, Events: 500,
            features.Length == 0 ? [Amount(), Country(), Prediction()] : features,
            new DatasetDriftReport(2, 1, 0.5, 0.3, 0.6, "none", Severity.Warning),
            Performance());
}
