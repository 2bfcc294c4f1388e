using Microsoft.Extensions.Time.Testing;
using Monitor.Core.Alerts;
using Monitor.Core.Evaluation;
using Monitor.Core.Rules;

namespace Monitor.Core.Tests.Alerts;

/// <summary>
/// Retrain requests: dataset drift at critical level for N consecutive windows and/or a performance floor breached
/// at critical level (the documented meaning of <c>retrain.conditions</c>), combined by <c>match</c>, rate limited
/// per model by <c>min_interval</c> on the injected clock.
/// </summary>
public sealed class RetrainDecisionTests
{
    private readonly FakeTimeProvider _time = new(ReportBuilder.T0);

    public static TheoryData<string, int?, bool, RetrainMatch, string, string, string> Scripts => new()
    {
        // name, dataset_drift_windows, performance_floor_breached, match, dataset severities, judged floor severities, requested
        { "dataset drift for N windows", 2, false, RetrainMatch.Any, "cc", "..", "-D" },
        { "a broken run starts over", 2, false, RetrainMatch.Any, "cwcc", "....", "---D" },
        { "warning dataset drift does not count", 1, false, RetrainMatch.Any, "ww", "..", "--" },
        { "floor breach alone, match any", null, true, RetrainMatch.Any, "..", ".c", "-P" },
        { "warning floor does not count", null, true, RetrainMatch.Any, "..", "ww", "--" },
        { "any: either condition", 2, true, RetrainMatch.Any, "c..", "c..", "P--" },
        { "all: dataset alone is not enough", 2, true, RetrainMatch.All, "ccc", "...", "---" },
        { "all: floor alone is not enough", 2, true, RetrainMatch.All, "...", "ccc", "---" },
        { "all: both in the same window", 2, true, RetrainMatch.All, "ccc", "..c", "--B" },
        { "any: both hold, one request naming both", 1, true, RetrainMatch.Any, "c", "c", "B" },
    };

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Observe_ConditionScript_RequestsRetrainWhenConditionsHold(
        string name, int? datasetWindows, bool onFloor, RetrainMatch match, string dataset, string floors, string requested)
    {
        // Windows are 25 h apart on the clock so that the rate limit never interferes here.
        var policy = new AlertPolicy(PolicyRules.WithRetrain(PolicyRules.Retrain(datasetWindows, onFloor, match)), _time);
        var actual = new char[dataset.Length];
        for (int i = 0; i < dataset.Length; i++)
        {
            _time.SetUtcNow(ReportBuilder.T0.AddHours(25 * (i + 1)));
            var report = ReportBuilder.Window(i).Dataset(Parse(dataset[i])).Performance(Parse(floors[i])).Build();
            var d = policy.Observe(report);
            Assert.True(d.RetrainRequests.Count <= 1);
            actual[i] = d.RetrainRequests.Count == 0 ? '-' : d.RetrainRequests[0].Reason switch
            {
                "dataset_drift" => 'D',
                "performance_floor" => 'P',
                "dataset_drift+performance_floor" => 'B',
                var other => throw new InvalidOperationException(other),
            };
        }

        Assert.True(requested == new string(actual), $"{name}: {new string(actual)}, expected {requested}");
    }

    [Fact]
    public void Observe_ConditionKeepsHolding_RateLimitedByMinInterval()
    {
        var policy = new AlertPolicy(PolicyRules.WithRetrain(PolicyRules.Retrain(datasetWindows: 2, minInterval: TimeSpan.FromHours(24))), _time);
        var requestedAt = new List<int>();
        for (int i = 0; i < 8; i++)
        {
            _time.SetUtcNow(ReportBuilder.T0.AddHours(10 * (i + 1)));
            if (policy.Observe(ReportBuilder.Window(i).Dataset(Severity.Critical).Build()).RetrainRequests.Count == 1)
            {
                requestedAt.Add(i);
            }
        }

        // Requests at 20 h, then 20 + 24 h -> first window at or after 44 h is 50 h (i = 4), then 74 h -> 80 h (i = 7).
        Assert.Equal([1, 4, 7], requestedAt);
    }

    [Fact]
    public void Observe_Request_CarriesWindowsEvidenceAndKey()
    {
        var policy = new AlertPolicy(PolicyRules.WithRetrain(PolicyRules.Retrain(datasetWindows: 2, onFloor: true, match: RetrainMatch.All)), _time);
        policy.Observe(ReportBuilder.Window(0).Dataset(Severity.Critical).Feature("amount", Severity.Critical).Build());
        policy.Observe(ReportBuilder.Window(1).Dataset(Severity.Critical).Feature("amount", Severity.Critical).Performance(Severity.Warning, judged: false).Build());

        var r = policy.Observe(ReportBuilder.Window(1).Performance(Severity.Critical).Revision(1).Build()).RetrainRequests.Single();

        Assert.Equal("churn|retrain|dataset_drift+performance_floor|2026-11-28T02:00:00.0000000+00:00", r.IdempotencyKey);
        Assert.Equal([ReportBuilder.Range(0), ReportBuilder.Range(1)], r.Windows);
        Assert.Equal(["dataset/drifted_share", "amount/psi", "roc_auc/floor"], r.Evidence.Select(e => $"{e.Feature}/{e.Test}"));
        Assert.Equal(("https://ml.example.org/retrain", "RETRAIN_SECRET", "baseline-1", "7"), (r.Webhook, r.SecretEnv, r.BaselineId, r.ModelVersion));
        Assert.Equal(_time.GetUtcNow(), r.CreatedAt);
    }

    [Fact]
    public void Observe_SilencedModel_RetrainStillRequested()
    {
        var policy = new AlertPolicy(PolicyRules.WithRetrain(PolicyRules.Retrain(datasetWindows: 1), PolicyRules.Route()), _time);
        policy.Silence(ReportBuilder.Model, null, ReportBuilder.T0.AddDays(7));

        var d = policy.Observe(ReportBuilder.Window(0).Dataset(Severity.Critical).Build());

        Assert.Single(d.RetrainRequests);
        Assert.Empty(d.Notifications);
        Assert.Equal(AlertRuleNames.DatasetDrift, d.Suppressed.Single().Notification.Rule);
    }

    [Fact]
    public void Observe_ProvisionalCriticalWindows_NoRetrain()
    {
        var policy = new AlertPolicy(PolicyRules.WithRetrain(PolicyRules.Retrain(datasetWindows: 1, onFloor: true)), _time);

        var d = policy.Observe(ReportBuilder.Window(0).Dataset(Severity.Critical).Performance(Severity.Critical).Provisional().Build());

        Assert.Empty(d.RetrainRequests);
    }

    private static Severity Parse(char c) => c switch
    {
        'w' => Severity.Warning,
        'c' => Severity.Critical,
        _ => Severity.None,
    };
}
