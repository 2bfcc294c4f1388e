using Monitor.Core.Drift;
using Monitor.Core.Rules;

namespace Monitor.Core.Tests.Rules;

public sealed class RuleValidatorTests
{
    private static readonly Dictionary<string, (Func<ModelRules> Rules, string Key, string Fix)> Cases = new(StringComparer.Ordinal)
    {
        ["missing name"] = (() => SomeRules.Valid() with { Name = null }, "model.name", "add `model: { name: <name> }`"),
        ["bad name"] = (() => SomeRules.Valid() with { Name = "fraud model" }, "model.name", "letters, digits"),
        ["empty version"] = (() => SomeRules.Valid() with { Version = " " }, "model.version", "remove `version`"),
        ["missing task"] = (() => SomeRules.Valid() with { Task = null }, "task", "binary_classification, multiclass_classification, regression"),
        ["missing predictions topic"] = (() => SomeRules.Valid() with { Topics = SomeRules.Valid().Topics with { Predictions = null } }, "topics.predictions", "add `predictions: <kafka topic>`"),
        ["missing dead-letter topic"] = (() => SomeRules.Valid() with { Topics = SomeRules.Valid().Topics with { DeadLetter = null } }, "topics.dead_letter", "add `dead_letter: <kafka topic>`"),
        ["bad topic"] = (() => SomeRules.Valid() with { Topics = SomeRules.Valid().Topics with { Features = "fraud features" } }, "topics.features", "1 to 249 characters"),
        ["dead letter is input"] = (() => SomeRules.Valid() with { Topics = SomeRules.Valid().Topics with { DeadLetter = "fraud.predictions" } }, "topics.dead_letter", "a topic of its own"),
        ["labels are predictions"] = (() => SomeRules.Valid() with { Topics = SomeRules.Valid().Topics with { Labels = "fraud.predictions" } }, "topics.labels", "its own topic"),
        ["bad field path"] = (() => SomeRules.Valid() with { Fields = new FieldPaths { PredictionScore = "prediction..score" } }, "fields.prediction.score", "dotted JSON path"),
        ["no features"] = (() => SomeRules.Valid() with { Features = [] }, "features", "at least one"),
        ["feature without name"] = (() => SomeRules.Valid().WithAmount(f => f with { Name = null }), "features[0].name", "add `name:`"),
        ["duplicate feature"] = (() => SomeRules.Valid() with { Features = [SomeRules.Amount, SomeRules.Amount] }, "features[1].name", "names must be unique"),
        ["feature without kind"] = (() => SomeRules.Valid().WithAmount(f => f with { Kind = null }), "features[0].kind", "kind: numeric"),
        ["bad feature path"] = (() => SomeRules.Valid().WithAmount(f => f with { Path = "features. amount" }), "features[0].path", "dotted JSON path"),
        ["categorical test on numeric"] = (() => SomeRules.Valid().WithAmount(f => f with { Tests = [new DriftTestRule { Name = "chisquare" }] }), "features[0].tests.chisquare", "use a numeric test"),
        ["numeric test on categorical"] = (() => SomeRules.Valid() with { Features = [SomeRules.Amount, SomeRules.Country with { Tests = [new DriftTestRule { Name = "ks" }] }] }, "features[1].tests.ks", "use a categorical test"),
        ["unknown test"] = (() => SomeRules.Valid().WithAmount(f => f with { Tests = [new DriftTestRule { Name = "kss" }] }), "features[0].tests.kss", "did you mean 'ks'?"),
        ["duplicate test"] = (() => SomeRules.Valid().WithAmount(f => f with { Tests = [new DriftTestRule { Name = "ks" }, new DriftTestRule { Name = "ks" }] }), "features[0].tests.ks", "one entry per test"),
        ["p-value order"] = (() => SomeRules.Valid().WithAmount(f => f with { Tests = [new DriftTestRule { Name = "ks", Warning = 0.01, Critical = 0.05 }] }), "features[0].tests.ks.critical", "set critical ≤ warning"),
        ["p-value order against default"] = (() => SomeRules.Valid().WithAmount(f => f with { Tests = [new DriftTestRule { Name = "ks", Critical = 0.1 }] }), "features[0].tests.ks.critical", "set critical ≤ warning"),
        ["distance order"] = (() => SomeRules.Valid().WithAmount(f => f with { Tests = [new DriftTestRule { Name = "psi", Warning = 0.25, Critical = 0.1 }] }), "features[0].tests.psi.critical", "set critical ≥ warning"),
        ["distance order against default"] = (() => SomeRules.Valid().WithAmount(f => f with { Tests = [new DriftTestRule { Name = "psi", Warning = 0.5 }] }), "features[0].tests.psi.warning", "set critical ≥ warning"),
        ["p-value out of range"] = (() => SomeRules.Valid().WithAmount(f => f with { Tests = [new DriftTestRule { Name = "ks", Warning = 1.5 }] }), "features[0].tests.ks.warning", "strictly between 0 and 1"),
        ["distance not positive"] = (() => SomeRules.Valid().WithAmount(f => f with { Tests = [new DriftTestRule { Name = "psi", Critical = 0 }] }), "features[0].tests.psi.critical", "greater than 0"),
        ["min above max"] = (() => SomeRules.Valid().WithAmount(f => f with { Quality = new QualityLimits { Min = 5, Max = 1 } }), "features[0].quality.max", "min ≤ max"),
        ["infinite bound"] = (() => SomeRules.Valid().WithAmount(f => f with { Quality = new QualityLimits { Max = double.PositiveInfinity } }), "features[0].quality.max", "finite number"),
        ["range on categorical"] = (() => SomeRules.Valid() with { Features = [SomeRules.Amount, SomeRules.Country with { Quality = new QualityLimits { Min = 0 } }] }, "features[1].quality.min", "use `allowed_categories`"),
        ["categories on numeric"] = (() => SomeRules.Valid().WithAmount(f => f with { Quality = new QualityLimits { AllowedCategoriesFromBaseline = true } }), "features[0].quality.allowed_categories", "use `min`/`max`"),
        ["empty categories"] = (() => SomeRules.Valid() with { Features = [SomeRules.Amount, SomeRules.Country with { Quality = new QualityLimits { AllowedCategories = [] } }] }, "features[1].quality.allowed_categories", "allowed_categories: baseline"),
        ["duplicate category"] = (() => SomeRules.Valid() with { Features = [SomeRules.Amount, SomeRules.Country with { Quality = new QualityLimits { AllowedCategories = ["DE", "DE"] } }] }, "features[1].quality.allowed_categories[1]", "each category once"),
        ["missing share"] = (() => SomeRules.Valid().WithAmount(f => f with { Quality = new QualityLimits { MaxMissingShare = 1.5 } }), "features[0].quality.max_missing_share", "between 0 and 1"),
        ["type error share"] = (() => SomeRules.Valid().WithAmount(f => f with { Quality = new QualityLimits { MaxTypeErrorShare = -0.1 } }), "features[0].quality.max_type_error_share", "between 0 and 1"),
        ["prediction source for task"] = (() => SomeRules.Valid() with { PredictionDrift = new PredictionDriftRule { Source = PredictionSource.Value } }, "prediction_drift.source", "source: score"),
        ["prediction test kind"] = (() => SomeRules.Valid() with { PredictionDrift = new PredictionDriftRule { Tests = [new DriftTestRule { Name = "chisquare" }] } }, "prediction_drift.tests.chisquare", "use a numeric test"),
        ["missing window size"] = (() => SomeRules.Valid() with { Window = new WindowRule() }, "window.size", "add `size:`"),
        ["zero window size"] = (() => SomeRules.Valid() with { Window = new WindowRule { Size = TimeSpan.Zero } }, "window.size", "positive duration"),
        ["negative offset"] = (() => SomeRules.Valid() with { Window = new WindowRule { Size = TimeSpan.FromHours(1), Offset = TimeSpan.FromMinutes(-1) } }, "window.offset", "from 0 up to the window size"),
        ["offset not below size"] = (() => SomeRules.Valid() with { Window = new WindowRule { Size = TimeSpan.FromHours(1), Offset = TimeSpan.FromHours(1) } }, "window.offset", "offset below 1h"),
        ["negative lateness"] = (() => SomeRules.Valid() with { Window = new WindowRule { Size = TimeSpan.FromHours(1), AllowedLateness = TimeSpan.FromMinutes(-5) } }, "window.allowed_lateness", "0 or a positive duration"),
        ["slide not dividing"] = (() => SomeRules.Valid() with { Window = new WindowRule { Size = TimeSpan.FromHours(1), Slide = TimeSpan.FromMinutes(7) } }, "window.slide", "divides 1h exactly (e.g. 6m)"),
        ["slide longer than size"] = (() => SomeRules.Valid() with { Window = new WindowRule { Size = TimeSpan.FromHours(1), Slide = TimeSpan.FromHours(2) } }, "window.slide", "divides 1h exactly"),
        ["zero slide"] = (() => SomeRules.Valid() with { Window = new WindowRule { Size = TimeSpan.FromHours(1), Slide = TimeSpan.Zero } }, "window.slide", "remove `slide` for tumbling windows"),
        ["empty cron"] = (() => SomeRules.Valid() with { Schedule = new ScheduleRule { Cron = " " } }, "schedule.cron", "0 */5 * * * ?"),
        ["unknown time zone"] = (() => SomeRules.Valid() with { Schedule = new ScheduleRule { TimeZone = "Mars/Olympus" } }, "schedule.timezone", "IANA time zone id"),
        ["missing baseline"] = (() => SomeRules.Valid() with { Baseline = null }, "baseline", "add `baseline:"),
        ["baseline without kind"] = (() => SomeRules.Valid() with { Baseline = new BaselineRule() }, "baseline.kind", "file, window, rolling"),
        ["file baseline without path"] = (() => SomeRules.Valid() with { Baseline = new BaselineRule { Kind = BaselineKind.File } }, "baseline.path", "monitor baseline build"),
        ["path on rolling baseline"] = (() => SomeRules.Valid() with { Baseline = new BaselineRule { Kind = BaselineKind.Rolling, Path = "x.json" } }, "baseline.path", "set `kind: file`"),
        ["window baseline without start"] = (() => SomeRules.Valid() with { Baseline = new BaselineRule { Kind = BaselineKind.Window, End = Day(2) } }, "baseline.start", "add `start:`"),
        ["window baseline without end"] = (() => SomeRules.Valid() with { Baseline = new BaselineRule { Kind = BaselineKind.Window, Start = Day(1) } }, "baseline.end", "add `end:`"),
        ["window baseline end before start"] = (() => SomeRules.Valid() with { Baseline = new BaselineRule { Kind = BaselineKind.Window, Start = Day(2), End = Day(1) } }, "baseline.end", "later than the start"),
        ["start on file baseline"] = (() => SomeRules.Valid() with { Baseline = SomeRules.Valid().Baseline! with { Start = Day(1) } }, "baseline.start", "set `kind: window`"),
        ["end on file baseline"] = (() => SomeRules.Valid() with { Baseline = SomeRules.Valid().Baseline! with { End = Day(1) } }, "baseline.end", "set `kind: window`"),
        ["zero rolling windows"] = (() => SomeRules.Valid() with { Baseline = new BaselineRule { Kind = BaselineKind.Rolling, Windows = 0 } }, "baseline.windows", "1 or more"),
        ["windows on file baseline"] = (() => SomeRules.Valid() with { Baseline = SomeRules.Valid().Baseline! with { Windows = 3 } }, "baseline.windows", "set `kind: rolling`"),
        ["one psi bin"] = (() => SomeRules.Valid() with { Baseline = SomeRules.Valid().Baseline! with { PsiBins = 1 } }, "baseline.psi_bins", "2 or more bins"),
        ["zero exact limit"] = (() => SomeRules.Valid() with { Sketch = new SketchRule { ExactLimit = 0 } }, "sketch.exact_limit", "1 or more"),
        ["zero exact memory"] = (() => SomeRules.Valid() with { Sketch = new SketchRule { ExactMemoryMb = 0 } }, "sketch.exact_memory_mb", "1 to 1048576"),
        ["tiny kll k"] = (() => SomeRules.Valid() with { Sketch = new SketchRule { KllK = 4 } }, "sketch.kll_k", "from 8 to 65535"),
        ["zero category cap"] = (() => SomeRules.Valid() with { Sketch = new SketchRule { CategoryCap = 0 } }, "sketch.category_cap", "1 or more"),
        ["zero warning share"] = (() => SomeRules.Valid() with { DatasetDrift = new DatasetDriftRule { WarningShare = 0 } }, "dataset_drift.warning_share", "above 0 and at most 1"),
        ["critical share above one"] = (() => SomeRules.Valid() with { DatasetDrift = new DatasetDriftRule { CriticalShare = 1.5 } }, "dataset_drift.critical_share", "above 0 and at most 1"),
        ["critical share below warning"] = (() => SomeRules.Valid() with { DatasetDrift = new DatasetDriftRule { WarningShare = 0.5, CriticalShare = 0.3 } }, "dataset_drift.critical_share", "critical_share ≥ warning_share"),
        ["performance without labels"] = (() => SomeRules.Valid() with { Topics = SomeRules.Valid().Topics with { Labels = null } }, "topics.labels", "add `labels: <topic>`"),
        ["zero label ttl"] = (() => SomeRules.Valid() with { Performance = SomeRules.Valid().Performance! with { LabelJoinTtl = TimeSpan.Zero } }, "performance.label_join_ttl", "e.g. 7d"),
        ["zero min labels"] = (() => SomeRules.Valid() with { Performance = SomeRules.Valid().Performance! with { MinLabels = 0 } }, "performance.min_labels", "1 or more"),
        ["metric for other task"] = (() => SomeRules.Valid() with { Performance = new PerformanceRule { Floors = [new MetricFloor { Metric = "mae", Warning = 1 }] } }, "performance.floors.mae", "metrics for this task are accuracy"),
        ["misspelt metric"] = (() => SomeRules.Valid() with { Performance = new PerformanceRule { Floors = [new MetricFloor { Metric = "roc_auk", Warning = 0.8 }] } }, "performance.floors.roc_auk", "did you mean 'roc_auc'?"),
        ["duplicate metric"] = (() => SomeRules.Valid() with { Performance = new PerformanceRule { Floors = [new MetricFloor { Metric = "f1", Warning = 0.8 }, new MetricFloor { Metric = "f1", Warning = 0.7 }] } }, "performance.floors.f1", "one entry per metric"),
        ["metric without limits"] = (() => SomeRules.Valid() with { Performance = new PerformanceRule { Floors = [new MetricFloor { Metric = "roc_auc" }] } }, "performance.floors.roc_auc", "add `warning:`"),
        ["floor order"] = (() => SomeRules.Valid() with { Performance = new PerformanceRule { Floors = [new MetricFloor { Metric = "roc_auc", Warning = 0.8, Critical = 0.85 }] } }, "performance.floors.roc_auc.critical", "set critical ≤ warning"),
        ["ceiling order"] = (() => SomeRules.Valid() with { Performance = new PerformanceRule { Floors = [new MetricFloor { Metric = "log_loss", Warning = 0.5, Critical = 0.3 }] } }, "performance.floors.log_loss.critical", "set critical ≥ warning"),
        ["metric out of range"] = (() => SomeRules.Valid() with { Performance = new PerformanceRule { Floors = [new MetricFloor { Metric = "roc_auc", Warning = 1.5 }] } }, "performance.floors.roc_auc.warning", "from 0 to 1"),
        ["relative runbook url"] = (() => SomeRules.Valid() with { Alerts = SomeRules.Valid().Alerts with { RunbookUrl = "runbooks/fraud" } }, "alerts.runbook_url", "absolute"),
        ["ftp dashboard url"] = (() => SomeRules.Valid() with { Alerts = SomeRules.Valid().Alerts with { DashboardUrl = "ftp://example.com/d" } }, "alerts.dashboard_url", "absolute"),
        ["route without name"] = (() => WithRoute(r => r with { Name = null }), "alerts.routes[0].name", "add `name:`"),
        ["duplicate route"] = (() => SomeRules.Valid() with { Alerts = new AlertRules { Routes = [Route, Route] } }, "alerts.routes[1].name", "its own name"),
        ["route without channel"] = (() => WithRoute(r => r with { Channel = null }), "alerts.routes[0].channel", "email, webhook, slack, alertmanager"),
        ["route without targets"] = (() => WithRoute(r => r with { Targets = [] }), "alerts.routes[0].targets", "at least one e-mail address"),
        ["bad e-mail"] = (() => WithRoute(r => r with { Targets = ["team at example"] }), "alerts.routes[0].targets[0]", "oncall@example.com"),
        ["bad webhook target"] = (() => WithRoute(r => r with { Channel = AlertChannel.Webhook, Targets = ["hooks.example.com/x"] }), "alerts.routes[0].targets[0]", "absolute"),
        ["zero for windows"] = (() => WithRoute(r => r with { ForWindows = 0 }), "alerts.routes[0].for_windows", "1 or more"),
        ["negative cooldown"] = (() => WithRoute(r => r with { Cooldown = TimeSpan.FromMinutes(-1) }), "alerts.routes[0].cooldown", "0 or a positive duration"),
        ["zero renotify"] = (() => WithRoute(r => r with { RenotifyInterval = TimeSpan.Zero }), "alerts.routes[0].renotify_interval", "remove the key to notify once"),
        ["zero resolve after"] = (() => WithRoute(r => r with { ResolveAfter = 0 }), "alerts.routes[0].resolve_after", "1 or more clean windows"),
        ["relative route runbook url"] = (() => WithRoute(r => r with { RunbookUrl = "wiki/oncall" }), "alerts.routes[0].runbook_url", "absolute http(s) URL"),
        ["relative route dashboard url"] = (() => WithRoute(r => r with { DashboardUrl = "grafana" }), "alerts.routes[0].dashboard_url", "absolute http(s) URL"),
        ["retrain without conditions"] = (() => SomeRules.Valid() with { Retrain = SomeRules.Valid().Retrain! with { DatasetDriftWindows = null } }, "retrain.conditions", "performance_floor_breached: true"),
        ["zero drift windows"] = (() => SomeRules.Valid() with { Retrain = SomeRules.Valid().Retrain! with { DatasetDriftWindows = 0 } }, "retrain.conditions.dataset_drift_windows", "1 or more"),
        ["floor condition without floors"] = (() => SomeRules.Valid() with { Performance = null, Retrain = SomeRules.Valid().Retrain! with { OnPerformanceFloorBreached = true } }, "retrain.conditions.performance_floor_breached", "add floors"),
        ["retrain without webhook"] = (() => SomeRules.Valid() with { Retrain = SomeRules.Valid().Retrain! with { Webhook = null } }, "retrain.webhook", "add `webhook:`"),
        ["relative retrain webhook"] = (() => SomeRules.Valid() with { Retrain = SomeRules.Valid().Retrain! with { Webhook = "/retrain" } }, "retrain.webhook", "absolute"),
        ["bad secret env"] = (() => SomeRules.Valid() with { Retrain = SomeRules.Valid().Retrain! with { SecretEnv = "s3cr3t value" } }, "retrain.secret_env", "never the secret itself"),
        ["zero retrain interval"] = (() => SomeRules.Valid() with { Retrain = SomeRules.Valid().Retrain! with { MinInterval = TimeSpan.Zero } }, "retrain.min_interval", "such as 24h"),
    };

    private static AlertRoute Route => SomeRules.Valid().Alerts.Routes[0];

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Fact]
    public void Validate_ValidRules_ReturnsNoError()
    {
        var errors = Validator().Validate(SomeRules.Valid(), SomeRules.File);

        Assert.Empty(errors);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Validate_OneBrokenRule_ReportsFileKeyAndFix(string name)
    {
        var (rules, key, fix) = Cases[name];

        var errors = Validator().Validate(rules(), SomeRules.File);

        var error = Assert.Single(errors);
        Assert.Equal(SomeRules.File, error.File);
        Assert.Equal(key, error.Key);
        Assert.Contains(fix, error.Fix, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Fact]
    public void Validate_ManyBrokenRules_ReportsThemAll()
    {
        var rules = SomeRules.Valid() with
        {
            Name = null,
            Window = new WindowRule { Size = TimeSpan.FromHours(1), Slide = TimeSpan.FromMinutes(7) },
            Sketch = new SketchRule { KllK = 1 },
            Features = [SomeRules.Amount with { Tests = [new DriftTestRule { Name = "chisquare" }] }, SomeRules.Country],
        };

        var keys = Validator().Validate(rules, SomeRules.File).Select(e => e.Key).ToList();

        Assert.Equal(["model.name", "features[0].tests.chisquare", "window.slide", "sketch.kll_k"], keys);
    }

    [Fact]
    public void Validate_CronCheckRejects_ReportsItsReason()
    {
        var validator = new RuleValidator(FakeDriftTests.Registry(), cron => cron == "bad" ? "Unexpected end of expression." : null);
        var rules = SomeRules.Valid() with { Schedule = new ScheduleRule { Cron = "bad" } };

        var error = Assert.Single(validator.Validate(rules, SomeRules.File));

        Assert.Equal("schedule.cron", error.Key);
        Assert.Contains("Unexpected end of expression", error.Message, StringComparison.Ordinal);
        Assert.Contains("seconds first", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DefaultThresholdsOnBothSides_AreValid()
    {
        var rules = SomeRules.Valid().WithAmount(f => f with { Tests = [new DriftTestRule { Name = "ks" }, new DriftTestRule { Name = "psi" }] });

        Assert.Empty(Validator().Validate(rules, SomeRules.File));
    }

    [Theory]
    [InlineData(ModelTask.MulticlassClassification, "macro_f1", PredictionSource.Label)]
    [InlineData(ModelTask.Regression, "rmse", PredictionSource.Value)]
    public void Validate_OtherTasks_AcceptTheirMetricsAndSources(ModelTask task, string metric, PredictionSource source)
    {
        var rules = SomeRules.Valid() with
        {
            Task = task,
            PredictionDrift = new PredictionDriftRule { Source = source },
            Performance = new PerformanceRule { Floors = [new MetricFloor { Metric = metric, Warning = 0.5 }] },
        };

        Assert.Empty(Validator().Validate(rules, SomeRules.File));
    }

    [Fact]
    public void Validate_TestKnownToNoKind_ListsTheValidNamesFromTheRegistry()
    {
        var rules = SomeRules.Valid().WithAmount(f => f with { Tests = [new DriftTestRule { Name = "t-test" }] });

        var error = Assert.Single(Validator().Validate(rules, SomeRules.File));

        Assert.Equal("numeric tests are anderson, cramervonmises, energy, hellinger, jensenshannon, kl, ks, psi, wasserstein, wasserstein_norm", error.Fix);
    }

    [Fact]
    public void Validate_EmptyRegistry_SaysNoTestsAreRegistered()
    {
        var rules = SomeRules.Valid() with { Features = [SomeRules.Amount] };

        var errors = new RuleValidator(new DriftTestRegistry()).Validate(rules, SomeRules.File);

        Assert.Equal(["features[0].tests.ks", "features[0].tests.psi"], errors.Select(e => e.Key));
        Assert.All(errors, e => Assert.Equal("no numeric tests are registered in this build", e.Fix));
    }

    [Theory]
    [InlineData("windw", "window")]
    [InlineData("kss", "ks")]
    [InlineData("roc_auk", "roc_auc")]
    [InlineData("zzzzzz", null)]
    public void Closest_Misspelling_SuggestsTheNearName(string input, string? expected)
    {
        string[] names = ["window", "ks", "roc_auc", "psi"];

        Assert.Equal(expected, NameSuggestion.Closest(input, names));
    }

    [Theory]
    [InlineData(0, 0, 0, 0, "0s")]
    [InlineData(0, 1, 30, 0, "1h30m")]
    [InlineData(7, 0, 0, 0, "7d")]
    [InlineData(0, 0, 0, 250, "250ms")]
    public void Format_Durations_UseRuleFileUnits(int days, int hours, int minutes, int ms, string expected)
    {
        Assert.Equal(expected, DurationText.Format(new TimeSpan(days, hours, minutes, 0, ms)));
    }

    private static RuleValidator Validator() => new(FakeDriftTests.Registry());

    private static DateTimeOffset Day(int day) => new(2026, 11, day, 0, 0, 0, TimeSpan.Zero);

    private static ModelRules WithRoute(Func<AlertRoute, AlertRoute> change) =>
        SomeRules.Valid() with { Alerts = SomeRules.Valid().Alerts with { Routes = [change(Route)] } };
}
