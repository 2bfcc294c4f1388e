using Microsoft.Extensions.Time.Testing;
using Monitor.Core.Alerts;
using Monitor.Core.Evaluation;
using Monitor.Core.Rules;

namespace Monitor.Core.Tests.Alerts;

public sealed class AlertPolicyTests
{
    private readonly FakeTimeProvider _time = new(ReportBuilder.T0);

    [Fact]
    public void Observe_ProvisionalReport_IgnoredAndStateUnchanged()
    {
        var policy = new AlertPolicy(PolicyRules.With(PolicyRules.Route()), _time);
        byte[] before = Checkpoint(policy);

        var d = policy.Observe(ReportBuilder.Window(0).Feature("amount", Severity.Critical).Dataset(Severity.Critical).Performance(Severity.Critical).Provisional().Build());

        Assert.Same(PolicyDecision.Empty, d);
        Assert.Equal(before, Checkpoint(policy));
        Assert.Equal(AlertPhase.Ok, policy.PhaseOf(AlertRuleNames.FeatureDrift, "team"));
    }

    [Fact]
    public void Observe_SeveralFeaturesDrift_OneAlertWorstFirstWithChartOfWorst()
    {
        var policy = new AlertPolicy(PolicyRules.With(PolicyRules.Route()), _time);
        var report = ReportBuilder.Window(0)
            .Feature("age", Severity.Warning, 0.15)
            .Feature("amount", Severity.Critical, 0.3)
            .Feature("country", Severity.Critical, 0.5, chart: true)
            .Feature("tenure", Severity.None)
            .Prediction(Severity.None)
            .Build();

        var d = policy.Observe(report);

        var n = Assert.Single(d.Notifications);
        Assert.Equal(AlertRuleNames.FeatureDrift, n.Rule);
        Assert.Equal(Severity.Critical, n.Severity);
        Assert.Equal(["country", "amount", "age"], n.Evidence.Select(e => e.Feature));
        Assert.Equal("country", n.Chart!.Feature);
        Assert.Equal([0.2, 0.8], n.Chart.Current);
        Assert.Equal("churn feature_drift critical: country psi 0.5 (warning 0.1, critical 0.25) and 2 more features", n.Summary);
        Assert.Equal("churn|feature_drift|team|2026-11-28T01:00:00.0000000+00:00|firing:critical", n.IdempotencyKey);
        Assert.Equal(("7", "baseline-1", AlertChannel.Email), (n.ModelVersion, n.BaselineId, n.Channel));
        Assert.Equal("https://runbooks.example.org/churn", n.RunbookUrl);
    }

    [Fact]
    public void Observe_WorstFeatureWithoutDistribution_NoChart()
    {
        var policy = new AlertPolicy(PolicyRules.With(PolicyRules.Route()), _time);

        var n = policy.Observe(ReportBuilder.Window(0).Feature("amount", Severity.Critical).Feature("age", Severity.Warning, chart: true).Build()).Notifications.Single();

        Assert.Null(n.Chart);
    }

    [Fact]
    public void Observe_EachConditionSeparately_OneAlertPerRule()
    {
        var policy = new AlertPolicy(PolicyRules.With(PolicyRules.Route()), _time);
        var report = ReportBuilder.Window(0)
            .Feature("amount", Severity.Warning)
            .Prediction(Severity.Critical)
            .Quality("age", Severity.Warning)
            .Dataset(Severity.Warning)
            .Performance(Severity.Critical)
            .Build();

        var d = policy.Observe(report);

        Assert.Equal(
            [AlertRuleNames.FeatureDrift, AlertRuleNames.PredictionDrift, AlertRuleNames.DatasetDrift, AlertRuleNames.Performance, AlertRuleNames.DataQuality],
            d.Notifications.Select(n => n.Rule));
        var prediction = d.Notifications[1];
        Assert.Equal("prediction", Assert.Single(prediction.Evidence).Feature);
        var dataset = d.Notifications[2];
        Assert.Equal(("dataset", "drifted_share", 0.35), (dataset.Evidence[0].Feature, dataset.Evidence[0].Test, dataset.Evidence[0].Value));
        Assert.Equal("churn dataset_drift warning: drifted share 0.35 (warning 0.3, critical 0.5), 3 of 10 features drifted", dataset.Summary);
        var performance = d.Notifications[3];
        Assert.Equal(("roc_auc", "floor", 0.6, 0.75, 0.65), (performance.Evidence[0].Feature, performance.Evidence[0].Test, performance.Evidence[0].Value, performance.Evidence[0].Warning, performance.Evidence[0].Critical));
        var quality = d.Notifications[4];
        Assert.Equal(("age", "missing_share", 0.05), (quality.Evidence[0].Feature, quality.Evidence[0].Test, quality.Evidence[0].Warning));
    }

    [Fact]
    public void Observe_RoutesWithDifferentMinSeverity_DecideIndependently()
    {
        var rules = PolicyRules.With(PolicyRules.Route("team"), PolicyRules.Route("pager", AlertSeverity.Critical));
        var policy = new AlertPolicy(rules, _time);

        var w0 = policy.Observe(ReportBuilder.Window(0).Feature("amount", Severity.Warning).Build());
        var w1 = policy.Observe(ReportBuilder.Window(1).Feature("amount", Severity.Critical).Build());
        var w2 = policy.Observe(ReportBuilder.Window(2).Feature("amount", Severity.Warning).Build());
        var w3 = policy.Observe(ReportBuilder.Window(3).Feature("amount", Severity.Warning).Build());

        Assert.Equal(["team Fired"], w0.Notifications.Select(n => $"{n.Route} {n.Transition}"));
        Assert.Equal(["team Escalated", "pager Fired"], w1.Notifications.Select(n => $"{n.Route} {n.Transition}"));
        Assert.Empty(w2.Notifications);
        Assert.Equal(["pager Resolved"], w3.Notifications.Select(n => $"{n.Route} {n.Transition}"));
        Assert.Equal(["pager@example.org"], w1.Notifications[1].Targets);
        Assert.Equal(AlertPhase.Firing, policy.PhaseOf(AlertRuleNames.FeatureDrift, "team"));
        Assert.Equal(
            [new FiringAlert(AlertRuleNames.FeatureDrift, "team", Severity.Warning, ReportBuilder.T0, Announced: true)],
            policy.Firing());
    }

    [Fact]
    public void Firing_SilencedAndResolvingAlerts_ListedWithAnnouncedFlag()
    {
        var policy = new AlertPolicy(PolicyRules.With(PolicyRules.Route(resolveAfter: 2)), _time);
        policy.Silence(ReportBuilder.Model, AlertRuleNames.DataQuality, ReportBuilder.T0.AddDays(1));
        policy.Observe(ReportBuilder.Window(0).Feature("amount", Severity.Critical).Quality("age", Severity.Warning).Build());
        policy.Observe(ReportBuilder.Window(1).Feature("amount", Severity.None).Quality("age", Severity.Warning).Build());

        Assert.Equal(
            [
                new FiringAlert(AlertRuleNames.FeatureDrift, "team", Severity.Critical, ReportBuilder.T0, Announced: true),
                new FiringAlert(AlertRuleNames.DataQuality, "team", Severity.Warning, ReportBuilder.T0, Announced: false),
            ],
            policy.Firing());
    }

    [Fact]
    public void Observe_RouteUrls_OverrideTheFileWideOnes()
    {
        var route = PolicyRules.Route() with { RunbookUrl = "https://runbooks.example.org/oncall" };
        var policy = new AlertPolicy(PolicyRules.With(route), _time);

        var n = policy.Observe(ReportBuilder.Window(0).Feature("amount", Severity.Warning).Build()).Notifications.Single();

        Assert.Equal(("https://runbooks.example.org/oncall", "https://grafana.example.org/d/churn"), (n.RunbookUrl, n.DashboardUrl));
    }

    [Fact]
    public void Observe_BackfillRevisionWithDrift_DoesNotCountForDriftConditions()
    {
        var policy = new AlertPolicy(PolicyRules.With(PolicyRules.Route(forWindows: 2, resolveAfter: 1)), _time);
        policy.Observe(ReportBuilder.Window(0).Feature("amount", Severity.Warning).Build());

        var revision = policy.Observe(ReportBuilder.Window(0).Feature("amount", Severity.Warning).Revision(1).Build());
        Assert.Equal(1, policy.StateOf(AlertRuleNames.FeatureDrift, "team").Pending);
        var fired = policy.Observe(ReportBuilder.Window(1).Feature("amount", Severity.Warning).Build());
        var cleanRevision = policy.Observe(ReportBuilder.Window(1).Feature("amount", Severity.None).Revision(1).Build());

        Assert.True(revision.IsEmpty);
        Assert.Single(fired.Notifications);
        Assert.True(cleanRevision.IsEmpty);
        Assert.Equal(AlertPhase.Firing, policy.PhaseOf(AlertRuleNames.FeatureDrift, "team"));
    }

    [Fact]
    public void Observe_BackfillRevisions_FireAndResolvePerformance()
    {
        var policy = new AlertPolicy(PolicyRules.With(PolicyRules.Route(resolveAfter: 1)), _time);

        var unjudged = policy.Observe(ReportBuilder.Window(0).Performance(Severity.Critical, judged: false).Build());
        var fired = policy.Observe(ReportBuilder.Window(0).Performance(Severity.Warning).Revision(1).Build());
        var escalated = policy.Observe(ReportBuilder.Window(0).Performance(Severity.Critical).Revision(2).Build());
        var nextUnjudged = policy.Observe(ReportBuilder.Window(1).Performance(Severity.None, judged: false).Build());
        var resolved = policy.Observe(ReportBuilder.Window(1).Performance(Severity.None).Revision(1).Build());

        Assert.True(unjudged.IsEmpty);
        Assert.Equal("churn|performance|team|2026-11-28T01:00:00.0000000+00:00|firing:warning", fired.Notifications.Single().IdempotencyKey);
        Assert.Equal("churn|performance|team|2026-11-28T01:00:00.0000000+00:00|firing:critical", escalated.Notifications.Single().IdempotencyKey);
        Assert.True(nextUnjudged.IsEmpty);
        Assert.Equal(AlertTransition.Resolved, resolved.Notifications.Single().Transition);
    }

    [Fact]
    public void Observe_WindowWithoutAnyTestResult_NeitherBadNorClean()
    {
        var policy = new AlertPolicy(PolicyRules.With(PolicyRules.Route(resolveAfter: 1)), _time);
        policy.Observe(ReportBuilder.Window(0).Feature("amount", Severity.Warning).Build());

        var empty = policy.Observe(ReportBuilder.Window(1).Build());
        var clean = policy.Observe(ReportBuilder.Window(2).Feature("amount", Severity.None).Build());

        Assert.True(empty.IsEmpty);
        Assert.Equal(AlertTransition.Resolved, clean.Notifications.Single().Transition);
    }

    [Fact]
    public void Observe_RevisionOfOlderWindow_StaleAndIgnored()
    {
        var policy = new AlertPolicy(PolicyRules.With(PolicyRules.Route()), _time);
        policy.Observe(ReportBuilder.Window(1).Performance(Severity.None).Build());

        var stale = policy.Observe(ReportBuilder.Window(0).Performance(Severity.Critical).Revision(3).Build());

        Assert.True(stale.IsEmpty);
        Assert.Equal(AlertPhase.Ok, policy.PhaseOf(AlertRuleNames.Performance, "team"));
    }

    [Fact]
    public void Observe_RejudgedWindowWhilePending_DoesNotCountTwice()
    {
        var policy = new AlertPolicy(PolicyRules.With(PolicyRules.Route(forWindows: 2)), _time);
        policy.Observe(ReportBuilder.Window(0).Performance(Severity.Warning).Build());

        var again = policy.Observe(ReportBuilder.Window(0).Performance(Severity.Warning).Revision(1).Build());

        Assert.True(again.IsEmpty);
        Assert.Equal(AlertPhase.Pending, policy.PhaseOf(AlertRuleNames.Performance, "team"));
    }

    [Fact]
    public void Observe_SameInputsTwice_SameKeysAndDecisions()
    {
        string Run()
        {
            var time = new FakeTimeProvider(ReportBuilder.T0);
            var policy = new AlertPolicy(PolicyRules.With(PolicyRules.Route(), PolicyRules.Route("pager", AlertSeverity.Critical)), time);
            var lines = new List<string>();
            foreach (char c in "wc.c..")
            {
                int i = lines.Count;
                time.SetUtcNow(ReportBuilder.Range(i).End);
                var sev = c switch { 'w' => Severity.Warning, 'c' => Severity.Critical, _ => Severity.None };
                lines.Add(PolicyRules.Render(policy.Observe(ReportBuilder.Window(i).Feature("amount", sev).Build())));
            }

            return string.Join("\n", lines);
        }

        string first = Run();

        Assert.Equal(first, Run());
        Assert.Contains("churn|feature_drift|pager|2026-11-28T02:00:00.0000000+00:00|firing:critical", first, StringComparison.Ordinal);
    }

    [Fact]
    public void Observe_ReportOfAnotherModel_Throws()
    {
        var policy = new AlertPolicy(PolicyRules.With(PolicyRules.Route()), _time);

        Assert.Throws<ArgumentException>(() => policy.Observe(ReportBuilder.Window(0).ForModel("fraud").Build()));
    }

    [Fact]
    public void Constructor_RouteWithoutChannel_Throws()
    {
        var route = PolicyRules.Route() with { Channel = null };

        Assert.Throws<ArgumentException>(() => new AlertPolicy(PolicyRules.With(route), _time));
    }

    [Fact]
    public void Silence_AllRules_SuppressesUntilExpiryThenAnnounces()
    {
        var policy = new AlertPolicy(PolicyRules.With(PolicyRules.Route()), _time);
        policy.Silence(ReportBuilder.Model, null, ReportBuilder.T0.AddHours(3));

        var decisions = new List<PolicyDecision>();
        for (int i = 0; i < 4; i++)
        {
            _time.SetUtcNow(ReportBuilder.Range(i).End);
            decisions.Add(policy.Observe(ReportBuilder.Window(i).Feature("amount", i == 0 ? Severity.Warning : Severity.Critical).Quality("age", Severity.Warning).Build()));
        }

        Assert.All(decisions.Take(2), d => Assert.Empty(d.Notifications));
        Assert.Equal(4, decisions[0].Suppressed.Count + decisions[1].Suppressed.Count);
        Assert.All(decisions[0].Suppressed, s => Assert.Equal(SuppressionReason.Silence, s.Reason));
        Assert.Equal(AlertPhase.Firing, policy.PhaseOf(AlertRuleNames.FeatureDrift, "team"));

        // The silence ends at 03:00 exactly (exclusive): the window ending then announces at the current severity.
        var announced = decisions[2].Notifications;
        Assert.Equal(
            [(AlertRuleNames.FeatureDrift, AlertTransition.Fired, Severity.Critical), (AlertRuleNames.DataQuality, AlertTransition.Fired, Severity.Warning)],
            announced.Select(n => (n.Rule, n.Transition, n.Severity)));
        Assert.True(decisions[3].IsEmpty);
    }

    [Fact]
    public void Silence_OneRule_OtherRulesStillNotify()
    {
        var policy = new AlertPolicy(PolicyRules.With(PolicyRules.Route()), _time);
        policy.Silence(ReportBuilder.Model, AlertRuleNames.FeatureDrift, ReportBuilder.T0.AddDays(1));

        var d = policy.Observe(ReportBuilder.Window(0).Feature("amount", Severity.Warning).Quality("age", Severity.Warning).Build());

        Assert.Equal(AlertRuleNames.DataQuality, d.Notifications.Single().Rule);
        Assert.Equal(AlertRuleNames.FeatureDrift, d.Suppressed.Single().Notification.Rule);
        Assert.True(policy.IsSilenced(AlertRuleNames.FeatureDrift));
        Assert.False(policy.IsSilenced(AlertRuleNames.DataQuality));
    }

    [Fact]
    public void Silence_ResolveUnderSilence_SuppressedButStateResolves()
    {
        var policy = new AlertPolicy(PolicyRules.With(PolicyRules.Route(resolveAfter: 1)), _time);
        policy.Observe(ReportBuilder.Window(0).Feature("amount", Severity.Warning).Build());
        policy.Silence(ReportBuilder.Model, AlertRuleNames.FeatureDrift, ReportBuilder.T0.AddDays(1));

        var d = policy.Observe(ReportBuilder.Window(1).Feature("amount", Severity.None).Build());

        Assert.Empty(d.Notifications);
        Assert.Equal(AlertTransition.Resolved, d.Suppressed.Single().Notification.Transition);
        Assert.Equal(AlertPhase.Ok, policy.PhaseOf(AlertRuleNames.FeatureDrift, "team"));
    }

    [Fact]
    public void Silence_EscalationUnderSilence_SentOnFirstBadWindowAfter()
    {
        var policy = new AlertPolicy(PolicyRules.With(PolicyRules.Route()), _time);
        policy.Observe(ReportBuilder.Window(0).Feature("amount", Severity.Warning).Build());
        policy.Silence(ReportBuilder.Model, null, ReportBuilder.T0.AddHours(2.5));
        _time.SetUtcNow(ReportBuilder.Range(1).End);

        var silenced = policy.Observe(ReportBuilder.Window(1).Feature("amount", Severity.Critical).Build());
        _time.SetUtcNow(ReportBuilder.Range(2).End);
        var after = policy.Observe(ReportBuilder.Window(2).Feature("amount", Severity.Critical).Build());

        Assert.Equal(SuppressionReason.Silence, silenced.Suppressed.Single().Reason);
        Assert.Equal(AlertTransition.Escalated, after.Notifications.Single().Transition);
    }

    [Fact]
    public void Silence_UntilInThePast_LiftsAnEarlierSilence()
    {
        var policy = new AlertPolicy(PolicyRules.With(PolicyRules.Route()), _time);
        policy.Silence(ReportBuilder.Model, AlertRuleNames.FeatureDrift, ReportBuilder.T0.AddDays(1));
        policy.Silence(ReportBuilder.Model, AlertRuleNames.FeatureDrift, ReportBuilder.T0);

        var d = policy.Observe(ReportBuilder.Window(0).Feature("amount", Severity.Warning).Build());

        Assert.Single(d.Notifications);
    }

    [Theory]
    [InlineData("fraud", null)]
    [InlineData(ReportBuilder.Model, "feature-drift")]
    public void Silence_OtherModelOrUnknownRule_Throws(string model, string? rule)
    {
        var policy = new AlertPolicy(PolicyRules.With(PolicyRules.Route()), _time);

        Assert.Throws<ArgumentException>(() => policy.Silence(model, rule, ReportBuilder.T0.AddDays(1)));
    }

    private static byte[] Checkpoint(AlertPolicy policy)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        policy.Write(new Monitor.Core.Accumulators.StateWriter(buffer));
        return buffer.WrittenSpan.ToArray();
    }
}
