using Microsoft.Extensions.Time.Testing;
using Monitor.Core.Alerts;
using Monitor.Core.Evaluation;
using Monitor.Core.Rules;

namespace Monitor.Core.Tests.Alerts;

/// <summary>
/// Every transition of one alert (feature_drift on one route) as a script: one character per hourly window,
/// the clock at each window's end. Severities: <c>.</c> clean, <c>w</c> warning, <c>c</c> critical. Sent:
/// <c>-</c> nothing, <c>F</c> fired, <c>E</c> escalated, <c>N</c> re-notified, <c>R</c> resolved, <c>c</c>
/// held back by the cooldown. Phases: <c>o</c> ok, <c>p</c> pending, <c>f</c> firing, <c>r</c> resolving.
/// </summary>
public sealed class AlertPolicyTransitionTests
{
    public static TheoryData<string, int, int, int, int, AlertSeverity, string, string, string> Transitions => new()
    {
        // name, for_windows, resolve_after, cooldown h, renotify h (0 = never), min severity, severities, sent, phases
        { "ok→pending→firing", 3, 2, 0, 0, AlertSeverity.Warning, "www", "--F", "ppf" },
        { "pending→ok", 3, 2, 0, 0, AlertSeverity.Warning, "ww.", "---", "ppo" },
        { "pending needs consecutive windows", 2, 2, 0, 0, AlertSeverity.Warning, "w.w.ww", "-----F", "popopf" },
        { "for_windows=1 fires on the first bad window", 1, 2, 0, 0, AlertSeverity.Warning, "w", "F", "f" },
        { "critical while pending fires once, no escalation", 2, 2, 0, 0, AlertSeverity.Warning, "cc", "-F", "pf" },
        { "firing→escalated", 1, 2, 0, 0, AlertSeverity.Warning, "wc", "FE", "ff" },
        { "escalation ignores the cooldown", 1, 2, 10, 0, AlertSeverity.Warning, "wc", "FE", "ff" },
        { "de-escalation and re-escalation are quiet", 1, 2, 0, 0, AlertSeverity.Warning, "wcwc", "FE--", "ffff" },
        { "no re-notify by default", 1, 2, 0, 0, AlertSeverity.Warning, "wwww", "F---", "ffff" },
        { "firing→renotify", 1, 2, 0, 2, AlertSeverity.Warning, "wwwww", "F-N-N", "fffff" },
        { "cooldown holds back a due re-notify", 1, 2, 3, 1, AlertSeverity.Warning, "wwwww", "FccNc", "fffff" },
        { "firing→resolving→resolved", 1, 2, 0, 0, AlertSeverity.Warning, "w..", "F-R", "fro" },
        { "resolving→firing again keeps the episode", 1, 3, 0, 0, AlertSeverity.Warning, "w..w...", "F-----R", "frrfrro" },
        { "escalation while resolving", 1, 3, 0, 0, AlertSeverity.Warning, "w.c", "F-E", "frf" },
        { "resolve_after=1", 1, 1, 0, 0, AlertSeverity.Warning, "w.", "FR", "fo" },
        { "resolved then fires again", 1, 1, 0, 0, AlertSeverity.Warning, "w.w", "FRF", "fof" },
        { "cooldown after a resolve holds back a re-fire, which then resolves quietly", 1, 1, 3, 0, AlertSeverity.Warning, "w.w.w", "FRc-F", "fofof" },
        { "resolve notice ignores the cooldown", 1, 1, 10, 0, AlertSeverity.Warning, "w.", "FR", "fo" },
        { "critical-only route: warnings are clean windows", 1, 2, 0, 0, AlertSeverity.Critical, "wcw..", "-F-R-", "ofroo" },
        { "critical-only route with hysteresis", 2, 1, 0, 0, AlertSeverity.Critical, "cwcc.", "---FR", "popfo" },
    };

    [Theory]
    [MemberData(nameof(Transitions))]
    public void Observe_SeverityScript_FollowsTheStateMachine(
        string name, int forWindows, int resolveAfter, int cooldownHours, int renotifyHours, AlertSeverity min, string severities, string sent, string phases)
    {
        var route = PolicyRules.Route(
            min: min,
            forWindows: forWindows,
            resolveAfter: resolveAfter,
            cooldown: TimeSpan.FromHours(cooldownHours),
            renotify: renotifyHours == 0 ? null : TimeSpan.FromHours(renotifyHours));
        var time = new FakeTimeProvider(ReportBuilder.T0);
        var policy = new AlertPolicy(PolicyRules.With(route), time);

        var actualSent = new char[severities.Length];
        var actualPhases = new char[severities.Length];
        for (int i = 0; i < severities.Length; i++)
        {
            time.SetUtcNow(ReportBuilder.Range(i).End);
            var d = policy.Observe(ReportBuilder.Window(i).Feature("amount", Parse(severities[i])).Build());
            actualSent[i] = Code(d);
            actualPhases[i] = policy.PhaseOf(AlertRuleNames.FeatureDrift, "team") switch
            {
                AlertPhase.Ok => 'o',
                AlertPhase.Pending => 'p',
                AlertPhase.Firing => 'f',
                _ => 'r',
            };
        }

        Assert.True(sent == new string(actualSent), $"{name}: sent {new string(actualSent)}, expected {sent}");
        Assert.True(phases == new string(actualPhases), $"{name}: phases {new string(actualPhases)}, expected {phases}");
    }

    [Fact]
    public void Observe_Escalation_CarriesCriticalAndItsOwnKey()
    {
        var time = new FakeTimeProvider(ReportBuilder.T0);
        var policy = new AlertPolicy(PolicyRules.With(PolicyRules.Route()), time);

        var fired = policy.Observe(ReportBuilder.Window(0).Feature("amount", Severity.Warning).Build()).Notifications.Single();
        var escalated = policy.Observe(ReportBuilder.Window(1).Feature("amount", Severity.Critical).Build()).Notifications.Single();

        Assert.Equal((Severity.Warning, AlertTransition.Fired), (fired.Severity, fired.Transition));
        Assert.Equal((Severity.Critical, AlertTransition.Escalated), (escalated.Severity, escalated.Transition));
        Assert.EndsWith("|firing:critical", escalated.IdempotencyKey, StringComparison.Ordinal);
        Assert.Contains("escalated to critical", escalated.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Observe_Resolve_ReportsPeakSeverityAndTheFiredTestsNow()
    {
        var time = new FakeTimeProvider(ReportBuilder.T0);
        var policy = new AlertPolicy(PolicyRules.With(PolicyRules.Route(resolveAfter: 1)), time);
        policy.Observe(ReportBuilder.Window(0).Feature("amount", Severity.Critical).Feature("age", Severity.None).Build());

        var resolved = policy.Observe(ReportBuilder.Window(1).Feature("amount", Severity.None, statistic: 0.03).Feature("age", Severity.None).Build()).Notifications.Single();

        Assert.Equal(AlertState.Resolved, resolved.State);
        Assert.Equal(Severity.Critical, resolved.Severity);
        var e = Assert.Single(resolved.Evidence);
        Assert.Equal(("amount", "psi", 0.03, Severity.None), (e.Feature, e.Test, e.Value, e.Severity));
        Assert.Equal("churn feature_drift resolved after 1 clean window (peak critical, bad since 2026-11-28T00:00:00Z)", resolved.Summary);
        Assert.Equal("churn|feature_drift|team|2026-11-28T02:00:00.0000000+00:00|resolved", resolved.IdempotencyKey);
    }

    private static Severity Parse(char c) => c switch
    {
        '.' => Severity.None,
        'w' => Severity.Warning,
        'c' => Severity.Critical,
        _ => throw new ArgumentOutOfRangeException(nameof(c)),
    };

    private static char Code(PolicyDecision d)
    {
        Assert.True(d.Notifications.Count + d.Suppressed.Count <= 1, PolicyRules.Render(d));
        if (d.Notifications.Count == 1)
        {
            return d.Notifications[0].Transition switch
            {
                AlertTransition.Fired => 'F',
                AlertTransition.Escalated => 'E',
                AlertTransition.Renotified => 'N',
                _ => 'R',
            };
        }

        if (d.Suppressed.Count == 1)
        {
            return d.Suppressed[0].Reason == SuppressionReason.Cooldown ? 'c' : 's';
        }

        return '-';
    }
}
