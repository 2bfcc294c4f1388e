using Monitor.Core.Alerts;
using Monitor.Core.Drift;
using Monitor.Core.Evaluation;
using Monitor.Core.Rules;
using Monitor.Core.Windows;

namespace Monitor.Core.Tests.Alerts;

/// <summary>Builds small window reports: hourly windows of model <c>churn</c>, one PSI test per feature.</summary>
internal sealed class ReportBuilder
{
    public const string Model = "churn";
    public static readonly DateTimeOffset T0 = new(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);

    private readonly int _index;
    private readonly List<FeatureReport> _features = [];
    private DatasetDriftReport? _dataset;
    private PerformanceReport? _performance;
    private bool _final = true;
    private int _revision;
    private string _model = Model;

    public ReportBuilder(int index) => _index = index;

    /// <summary>Window <paramref name="index"/>: [T0 + index h, T0 + (index + 1) h).</summary>
    public static ReportBuilder Window(int index) => new(index);

    public static TimeRange Range(int index) => new(T0.AddHours(index), T0.AddHours(index + 1));

    /// <summary>A PSI statistic that lands in <paramref name="severity"/> against warning 0.1, critical 0.25.</summary>
    public static double Psi(Severity severity) => severity switch
    {
        Severity.Critical => 0.4,
        Severity.Warning => 0.15,
        _ => 0.02,
    };

    public ReportBuilder Feature(string name, Severity severity, double? statistic = null, bool chart = false) =>
        Stream(name, StreamRole.Feature, severity, statistic, chart);

    public ReportBuilder Prediction(Severity severity) => Stream("prediction", StreamRole.Prediction, severity, null, chart: false);

    public ReportBuilder Quality(string feature, Severity severity, double share = 0.3)
    {
        var check = new QualityCheck("missing_share", severity == Severity.None ? 0.01 : share, 0.05, severity);
        _features.Add(new FeatureReport(feature, FeatureKind.Numeric, StreamRole.Feature, 100, 1, 0, 0, 0, EstimateMode.Exact, [], [check]));
        return this;
    }

    public ReportBuilder Dataset(Severity severity)
    {
        double share = severity switch { Severity.Critical => 0.6, Severity.Warning => 0.35, _ => 0.1 };
        _dataset = new DatasetDriftReport(10, (int)(share * 10), share, 0.3, 0.5, "none", severity);
        return this;
    }

    public ReportBuilder Performance(Severity severity, bool judged = true)
    {
        double auc = severity switch { Severity.Critical => 0.6, Severity.Warning => 0.72, _ => 0.85 };
        var floor = new FloorOutcome("roc_auc", auc, 0.86, HigherIsBetter: true, 0.75, 0.65, judged ? severity : Severity.None);
        _performance = new PerformanceReport(500, 0.5, true, new Dictionary<string, double?> { ["roc_auc"] = auc }, [floor], judged);
        return this;
    }

    public ReportBuilder Provisional()
    {
        _final = false;
        return this;
    }

    /// <summary>A back-fill: performance only, as the window engine emits them.</summary>
    public ReportBuilder Revision(int revision)
    {
        _revision = revision;
        return this;
    }

    public ReportBuilder ForModel(string model)
    {
        _model = model;
        return this;
    }

    public WindowReport Build() =>
        new(_model, "7", "baseline-1", Range(_index), _final, _revision, 1000, [.. _features], _dataset, _performance);

    private ReportBuilder Stream(string name, StreamRole role, Severity severity, double? statistic, bool chart)
    {
        var test = new TestOutcome("psi", statistic ?? Psi(severity), null, null, ThresholdKind.StatisticAbove, 0.1, 0.25, severity, EstimateMode.Exact, null, 5000, 1000);
        var distribution = chart ? new FeatureDistribution(["(-inf, 10]", "(10, inf)"], [0.5, 0.5], [0.2, 0.8]) : null;
        _features.Add(new FeatureReport(name, FeatureKind.Numeric, role, 1000, 0, 0, 0, 0, EstimateMode.Exact, [test], [], distribution));
        return this;
    }
}

/// <summary>Rule files for the policy tests.</summary>
internal static class PolicyRules
{
    public static AlertRoute Route(
        string name = "team",
        AlertSeverity min = AlertSeverity.Warning,
        int forWindows = 1,
        int resolveAfter = 2,
        TimeSpan? cooldown = null,
        TimeSpan? renotify = null) => new()
        {
            Name = name,
            Channel = AlertChannel.Email,
            Targets = [name + "@example.org"],
            MinSeverity = min,
            ForWindows = forWindows,
            ResolveAfter = resolveAfter,
            Cooldown = cooldown ?? TimeSpan.Zero,
            RenotifyInterval = renotify,
        };

    public static ModelRules With(params AlertRoute[] routes) => new()
    {
        Name = ReportBuilder.Model,
        Alerts = new AlertRules { RunbookUrl = "https://runbooks.example.org/churn", DashboardUrl = "https://grafana.example.org/d/churn", Routes = routes },
    };

    public static ModelRules WithRetrain(RetrainPolicy retrain, params AlertRoute[] routes) => With(routes) with { Retrain = retrain };

    public static RetrainPolicy Retrain(int? datasetWindows = null, bool onFloor = false, RetrainMatch match = RetrainMatch.Any, TimeSpan? minInterval = null) => new()
    {
        DatasetDriftWindows = datasetWindows,
        OnPerformanceFloorBreached = onFloor,
        Match = match,
        Webhook = "https://ml.example.org/retrain",
        SecretEnv = "RETRAIN_SECRET",
        MinInterval = minInterval ?? TimeSpan.FromHours(24),
    };

    /// <summary>A canonical text of a decision, so decisions can be compared across policies.</summary>
    public static string Render(PolicyDecision d)
    {
        var lines = new List<string>();
        foreach (var n in d.Notifications)
        {
            lines.Add(Render("sent", n));
        }

        foreach (var s in d.Suppressed)
        {
            lines.Add(Render("suppressed:" + s.Reason, s.Notification));
        }

        foreach (var r in d.RetrainRequests)
        {
            lines.Add($"retrain {r.IdempotencyKey} {r.Reason} {r.CreatedAt:O} [{string.Join(";", r.Windows)}] [{string.Join(";", r.Evidence.Select(e => $"{e.Feature}/{e.Test}/{e.Severity}"))}]");
        }

        return string.Join("\n", lines);
    }

    private static string Render(string what, AlertNotification n) =>
        $"{what} {n.IdempotencyKey} {n.Transition} {n.Severity} {n.CreatedAt:O} {n.Summary} [{string.Join(";", n.Evidence.Select(e => $"{e.Feature}/{e.Test}/{e.Value:R}/{e.Severity}"))}] {n.Chart?.Feature}";
}
