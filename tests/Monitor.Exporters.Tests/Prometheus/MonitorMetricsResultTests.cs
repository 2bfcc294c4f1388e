using Monitor.Core.Evaluation;
using Monitor.Exporters.Prometheus;
using Prometheus;

namespace Monitor.Exporters.Tests.Prometheus;

public sealed class MonitorMetricsResultTests
{
    private static readonly DateTimeOffset Now = Some.Start.AddHours(5);

    private readonly MonitorMetrics _metrics = new(Metrics.NewCustomRegistry());

    private static (string, string)[] Feature(string feature, string test, string version = "7") =>
        [("model", "fraud"), ("version", version), ("feature", feature), ("test", test)];

    [Fact]
    public async Task Publish_FinalReport_SetsEveryTestFamilyWithItsLabels()
    {
        Assert.True(_metrics.Publish(Some.Report(), Now));

        var x = await Exposition.Of(_metrics);
        Assert.Equal(0.1234567890123, x.Value("monitor_feature_drift_score", Feature("amount", "psi")));
        Assert.Equal(0.21, x.Value("monitor_feature_drift_score", Feature("amount", "ks")));
        Assert.Equal(1, x.Value("monitor_feature_drifted", Feature("amount", "psi")));
        Assert.Equal(0, x.Value("monitor_feature_drifted", Feature("country", "chisquare")));
        Assert.Equal(0.1, x.Value("monitor_feature_drift_warning_threshold", Feature("amount", "psi")));
        Assert.Equal(0.25, x.Value("monitor_feature_drift_critical_threshold", Feature("amount", "psi")));
        Assert.Equal(0.05, x.Value("monitor_feature_drift_warning_threshold", Feature("amount", "ks")));
        Assert.Equal(0.01, x.Value("monitor_feature_drift_critical_threshold", Feature("amount", "ks")));
        Assert.Equal(4, x.Named("monitor_feature_drift_score").Count());
    }

    [Fact]
    public async Task Publish_Severity_IsZeroOneTwo()
    {
        _metrics.Publish(Some.Report(features: Some.Amount(Some.Psi(severity: Severity.None), Some.Ks(severity: Severity.Warning), Some.Ks(severity: Severity.Critical) with { Test = "wasserstein" })), Now);

        var x = await Exposition.Of(_metrics);
        Assert.Equal(0, x.Value("monitor_feature_drift_severity", Feature("amount", "psi")));
        Assert.Equal(1, x.Value("monitor_feature_drift_severity", Feature("amount", "ks")));
        Assert.Equal(2, x.Value("monitor_feature_drift_severity", Feature("amount", "wasserstein")));
        Assert.Equal(0, x.Value("monitor_feature_drifted", Feature("amount", "psi")));
        Assert.Equal(1, x.Value("monitor_feature_drifted", Feature("amount", "wasserstein")));
    }

    [Fact]
    public async Task Publish_PValue_OnlyForPValueTests()
    {
        _metrics.Publish(Some.Report(), Now);

        var x = await Exposition.Of(_metrics);
        Assert.Equal(0.003, x.Value("monitor_feature_drift_p_value", Feature("amount", "ks")));
        Assert.Equal(0.32, x.Value("monitor_feature_drift_p_value", Feature("country", "chisquare")));
        Assert.False(x.Contains("monitor_feature_drift_p_value", Feature("amount", "psi")));
        Assert.Equal(2, x.Named("monitor_feature_drift_p_value").Count());
    }

    [Fact]
    public async Task Publish_WarningTierOnly_HasNoCriticalThreshold()
    {
        _metrics.Publish(Some.Report(), Now);

        var x = await Exposition.Of(_metrics);
        Assert.Equal(0.05, x.Value("monitor_feature_drift_warning_threshold", Feature("country", "chisquare")));
        Assert.False(x.Contains("monitor_feature_drift_critical_threshold", Feature("country", "chisquare")));
    }

    [Fact]
    public async Task Publish_PredictionStream_IsPredictionDriftAndFeatureSeries()
    {
        _metrics.Publish(Some.Report(), Now);

        var x = await Exposition.Of(_metrics);
        Assert.Equal(0.05, x.Value("monitor_prediction_drift_score", ("model", "fraud"), ("version", "7"), ("test", "psi")));
        Assert.Single(x.Named("monitor_prediction_drift_score"));
        Assert.Equal(0.05, x.Value("monitor_feature_drift_score", Feature("prediction", "psi")));
    }

    [Fact]
    public async Task Publish_DatasetQualityWindowAndPerformance_AreSet()
    {
        _metrics.Publish(Some.Report(), Now);

        var x = await Exposition.Of(_metrics);
        (string, string)[] mv = [("model", "fraud"), ("version", "7")];
        Assert.Equal(0.5, x.Value("monitor_dataset_drift_share", mv));
        Assert.Equal(1, x.Value("monitor_dataset_drifted_features", mv));
        Assert.Equal(500, x.Value("monitor_window_events", mv));
        Assert.Equal(Some.Window().End.ToUnixTimeSeconds(), x.Value("monitor_window_end_timestamp_seconds", ("model", "fraud")));
        Assert.Equal(0.8, x.Value("monitor_label_coverage", mv));
        Assert.Equal(0.91, x.Value("monitor_model_performance", [.. mv, ("metric", "roc_auc")]));
        Assert.Equal(0.88, x.Value("monitor_model_performance", [.. mv, ("metric", "accuracy")]));
        Assert.False(x.Contains("monitor_model_performance", ("metric", "log_loss")));
        Assert.Equal(0.02, x.Value("monitor_data_quality", [.. mv, ("feature", "amount"), ("check", "missing_share")]));
        Assert.Equal(0.01, x.Value("monitor_data_quality", [.. mv, ("feature", "amount"), ("check", "out_of_range_share")]));
        Assert.Equal(0.014, x.Value("monitor_data_quality", [.. mv, ("feature", "country"), ("check", "unseen_share")]));
        Assert.Equal(3, x.Named("monitor_data_quality").Count());
    }

    [Fact]
    public async Task Publish_NoModelVersion_LabelsVersionAny()
    {
        _metrics.Publish(Some.Report(version: null), Now);

        var x = await Exposition.Of(_metrics);
        Assert.All(x.Named("monitor_feature_drift_score"), s => Assert.Equal("any", s.Labels["version"]));
    }

    [Fact]
    public async Task Publish_ProvisionalReport_IsIgnoredByDefault()
    {
        Assert.False(_metrics.Publish(Some.Report() with { Final = false }, Now));

        var x = await Exposition.Of(_metrics);
        Assert.Empty(x.Named("monitor_feature_drift_score"));
        Assert.Empty(x.Named("monitor_window_events"));
    }

    [Fact]
    public async Task Publish_ProvisionalWhenEnabled_IsPublishedAndReplacedByFinal()
    {
        var metrics = new MonitorMetrics(Metrics.NewCustomRegistry(), publishProvisional: true);
        Assert.True(metrics.Publish(Some.Report(features: Some.Amount(Some.Psi(0.3))) with { Final = false }, Now));
        Assert.Equal(0.3, (await Exposition.Of(metrics)).Value("monitor_feature_drift_score", Feature("amount", "psi")));

        metrics.Publish(Some.Report(features: Some.Amount(Some.Psi(0.4))), Now);
        Assert.Equal(0.4, (await Exposition.Of(metrics)).Value("monitor_feature_drift_score", Feature("amount", "psi")));
    }

    [Fact]
    public async Task Publish_NewerWindow_ReplacesValues()
    {
        _metrics.Publish(Some.Report(0, features: Some.Amount(Some.Psi(0.3))), Now);
        _metrics.Publish(Some.Report(1, features: Some.Amount(Some.Psi(0.02, Severity.None))), Now);

        var x = await Exposition.Of(_metrics);
        Assert.Equal(0.02, x.Value("monitor_feature_drift_score", Feature("amount", "psi")));
        Assert.Equal(0, x.Value("monitor_feature_drifted", Feature("amount", "psi")));
        Assert.Equal(Some.Window(1).End.ToUnixTimeSeconds(), x.Value("monitor_window_end_timestamp_seconds", ("model", "fraud")));
    }

    [Fact]
    public async Task Publish_NewerWindowWithoutATest_RemovesThatTestsSeries()
    {
        _metrics.Publish(Some.Report(0), Now);
        _metrics.Publish(Some.Report(1, features: [Some.Amount(Some.Psi()), Some.Country()]), Now);

        var x = await Exposition.Of(_metrics);
        Assert.False(x.Contains("monitor_feature_drift_score", Feature("amount", "ks")));
        Assert.False(x.Contains("monitor_feature_drift_p_value", Feature("amount", "ks")));
        Assert.False(x.Contains("monitor_feature_drift_severity", Feature("amount", "ks")));
        Assert.False(x.Contains("monitor_feature_drift_score", Feature("prediction", "psi")));
        Assert.Empty(x.Named("monitor_prediction_drift_score"));
        Assert.True(x.Contains("monitor_feature_drift_score", Feature("amount", "psi")));
    }

    [Fact]
    public async Task Publish_NewVersion_RemovesSeriesOfTheOldVersion()
    {
        _metrics.Publish(Some.Report(0, version: "7"), Now);
        _metrics.Publish(Some.Report(1, version: "8"), Now);

        var x = await Exposition.Of(_metrics);
        foreach (var s in x.Samples.Where(s => s.Labels.ContainsKey("version")))
        {
            Assert.Equal("8", s.Labels["version"]);
        }

        Assert.Equal(0.5, x.Value("monitor_dataset_drift_share", ("model", "fraud"), ("version", "8")));
    }

    [Fact]
    public async Task Publish_OlderWindowAfterNewer_IsIgnored()
    {
        _metrics.Publish(Some.Report(1, features: Some.Amount(Some.Psi(0.3))), Now);

        Assert.False(_metrics.Publish(Some.Report(0, features: Some.Amount(Some.Psi(0.9))), Now));

        var x = await Exposition.Of(_metrics);
        Assert.Equal(0.3, x.Value("monitor_feature_drift_score", Feature("amount", "psi")));
    }

    [Fact]
    public async Task Publish_OtherModel_LeavesFirstModelsSeries()
    {
        _metrics.Publish(Some.Report(), Now);
        _metrics.Publish(Some.Report(features: Some.Amount(Some.Psi(0.7))) with { Model = "churn" }, Now);

        var x = await Exposition.Of(_metrics);
        Assert.Equal(0.1234567890123, x.Value("monitor_feature_drift_score", Feature("amount", "psi")));
        Assert.Equal(0.7, x.Value("monitor_feature_drift_score", ("model", "churn"), ("feature", "amount"), ("test", "psi")));
    }

    [Fact]
    public async Task Publish_BackfillRevision_UpdatesPerformanceAndCoverageOnly()
    {
        _metrics.Publish(Some.Report(0), Now);
        var backfill = Some.Report(0, features: Some.Amount(Some.Psi(0.99))) with { Revision = 1, Performance = Some.Performance(480, 0.96, 0.7) };

        Assert.True(_metrics.Publish(backfill, Now));

        var x = await Exposition.Of(_metrics);
        Assert.Equal(0.7, x.Value("monitor_model_performance", ("model", "fraud"), ("metric", "roc_auc")));
        Assert.Equal(0.96, x.Value("monitor_label_coverage", ("model", "fraud")));
        Assert.Equal(0.1234567890123, x.Value("monitor_feature_drift_score", Feature("amount", "psi")));
    }

    [Fact]
    public async Task Publish_BackfillOfOlderWindow_UpdatesPerformanceWhenNewerWindowHasNoLabelsYet()
    {
        _metrics.Publish(Some.Report(0) with { Performance = Some.Performance(100, 0.2, 0.9) }, Now);
        _metrics.Publish(Some.Report(1) with { Performance = Some.Performance(0, 0, null) with { Metrics = new Dictionary<string, double?>() } }, Now);
        var x = await Exposition.Of(_metrics);
        Assert.Equal(0.9, x.Value("monitor_model_performance", ("model", "fraud"), ("metric", "roc_auc")));
        Assert.Equal(0, x.Value("monitor_label_coverage", ("model", "fraud")));

        _metrics.Publish(Some.Report(0) with { Revision = 1, Performance = Some.Performance(450, 0.9, 0.8) }, Now);

        x = await Exposition.Of(_metrics);
        Assert.Equal(0.8, x.Value("monitor_model_performance", ("model", "fraud"), ("metric", "roc_auc")));
        Assert.Equal(0, x.Value("monitor_label_coverage", ("model", "fraud")));
    }

    [Fact]
    public async Task Publish_ModelWithoutPerformance_RemovesPerformanceSeries()
    {
        _metrics.Publish(Some.Report(0), Now);
        _metrics.Publish(Some.Report(1) with { Performance = null }, Now);

        var x = await Exposition.Of(_metrics);
        Assert.Empty(x.Named("monitor_model_performance"));
        Assert.Empty(x.Named("monitor_label_coverage"));
    }

    [Fact]
    public async Task Publish_NonFiniteStatistic_IsSkippedAndCounted()
    {
        _metrics.Publish(Some.Report(features: Some.Amount(Some.Psi(double.PositiveInfinity), Some.Ks(double.NaN))), Now);

        var x = await Exposition.Of(_metrics);
        Assert.False(x.Contains("monitor_feature_drift_score", Feature("amount", "psi")));
        Assert.False(x.Contains("monitor_feature_drift_score", Feature("amount", "ks")));
        Assert.True(x.Contains("monitor_feature_drift_severity", Feature("amount", "psi")));
        Assert.Equal(2, _metrics.NonFiniteSkipped);
    }

    [Fact]
    public async Task RemoveModel_DropsEverySeriesOfThatModelOnly()
    {
        _metrics.Publish(Some.Report(), Now);
        _metrics.Publish(Some.Report() with { Model = "churn" }, Now);
        _metrics.LateEvents("fraud", 3);
        _metrics.ObserveEvaluation("fraud", 0.2);
        _metrics.AlertsFiring("fraud", Core.Rules.AlertSeverity.Critical, 1);
        _metrics.RetrainRequest("fraud", 202);
        _metrics.LastEventTimestamp("fraud", Now);
        _metrics.BaselineAge("fraud", 60);
        _metrics.LabelsJoined("fraud", 1);
        _metrics.LabelsExpired("fraud", 1);
        _metrics.EventsConsumed("fraud.predictions");

        _metrics.RemoveModel("fraud");

        var x = await Exposition.Of(_metrics);
        Assert.DoesNotContain(x.Samples, s => s.Labels.TryGetValue("model", out var m) && m == "fraud");
        Assert.Contains(x.Samples, s => s.Labels.TryGetValue("model", out var m) && m == "churn");
        Assert.Equal(1, x.Value("monitor_events_consumed_total", ("topic", "fraud.predictions")));
    }

    [Fact]
    public async Task RemoveModel_ThenPublish_StartsAfresh()
    {
        _metrics.Publish(Some.Report(3), Now);
        _metrics.RemoveModel("fraud");

        Assert.True(_metrics.Publish(Some.Report(0), Now));

        var x = await Exposition.Of(_metrics);
        Assert.Equal(Some.Window(0).End.ToUnixTimeSeconds(), x.Value("monitor_window_end_timestamp_seconds", ("model", "fraud")));
    }

    [Fact]
    public async Task Retain_DropsModelsNotListed()
    {
        _metrics.Publish(Some.Report(), Now);
        _metrics.Publish(Some.Report() with { Model = "churn" }, Now);
        _metrics.LateEvents("old", 1);

        _metrics.Retain(["churn"]);

        var x = await Exposition.Of(_metrics);
        var models = x.Samples.Where(s => s.Labels.ContainsKey("model")).Select(s => s.Labels["model"]).Distinct().ToList();
        Assert.Equal(["churn"], models);
    }

    [Fact]
    public async Task SetModelFeatures_RemovesFeaturesNotInTheRulesAndKeepsThemOut()
    {
        _metrics.Publish(Some.Report(0), Now);

        _metrics.SetModelFeatures("fraud", ["amount"]);

        var x = await Exposition.Of(_metrics);
        Assert.DoesNotContain(x.Samples, s => s.Labels.TryGetValue("feature", out var f) && f == "country");
        Assert.True(x.Contains("monitor_feature_drift_score", Feature("amount", "psi")));
        Assert.True(x.Contains("monitor_feature_drift_score", Feature("prediction", "psi")));

        _metrics.Publish(Some.Report(1), Now);
        x = await Exposition.Of(_metrics);
        Assert.DoesNotContain(x.Samples, s => s.Labels.TryGetValue("feature", out var f) && f == "country");
    }

    [Fact]
    public async Task BaselineCreated_AgeFollowsPublishTime()
    {
        _metrics.BaselineCreated("fraud", Some.Start, Some.Start.AddSeconds(30));
        Assert.Equal(30, (await Exposition.Of(_metrics)).Value("monitor_baseline_age_seconds", ("model", "fraud")));

        _metrics.Publish(Some.Report(), Some.Start.AddHours(2));

        Assert.Equal(7200, (await Exposition.Of(_metrics)).Value("monitor_baseline_age_seconds", ("model", "fraud")));
    }

    [Fact]
    public async Task Publish_ConcurrentWindowsWithScrapes_EndsOnTheNewestWindow()
    {
        var scrapes = Task.Run(async () =>
        {
            for (int i = 0; i < 50; i++)
            {
                await Exposition.Of(_metrics);
            }
        });

        Parallel.For(0, 48, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
            _metrics.Publish(Some.Report((i * 7) % 48, features: Some.Amount(Some.Psi(((i * 7) % 48) / 100.0))), Now));
        await scrapes;

        var x = await Exposition.Of(_metrics);
        Assert.Equal(0.47, x.Value("monitor_feature_drift_score", Feature("amount", "psi")));
        Assert.Equal(Some.Window(47).End.ToUnixTimeSeconds(), x.Value("monitor_window_end_timestamp_seconds", ("model", "fraud")));
        Assert.Single(x.Named("monitor_feature_drift_score"));
    }
}
