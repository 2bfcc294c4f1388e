using Monitor.Core.Tests.Rules;
using Monitor.Worker.Rules;

namespace Monitor.Worker.Tests.Rules;

public sealed class RuleFileLoaderTests
{
    // name -> (text to find in the valid file, its replacement, expected key, expected fix fragment)
    private static readonly Dictionary<string, (string Find, string Replace, string Key, string Fix)> Cases = new(StringComparer.Ordinal)
    {
        ["missing model name"] = ("  name: fraud\n", "  version: \"7\"\n", "model.name", "add `model: { name: <name> }`"),
        ["bad model name"] = ("name: fraud", "name: fraud model", "model.name", "letters, digits"),
        ["empty model version"] = ("  name: fraud\n", "  name: fraud\n  version: \" \"\n", "model.version", "remove `version`"),
        ["missing task"] = ("task: binary_classification\n", "", "task", "add `task:` with one of binary_classification"),
        ["misspelt task"] = ("task: binary_classification", "task: regresion", "task", "did you mean 'regression'?"),
        ["missing predictions topic"] = ("  predictions: fraud.predictions\n", "", "topics.predictions", "add `predictions: <kafka topic>`"),
        ["missing dead-letter topic"] = ("  dead_letter: fraud.dead-letter\n", "", "topics.dead_letter", "add `dead_letter: <kafka topic>`"),
        ["bad topic name"] = ("predictions: fraud.predictions", "predictions: fraud predictions", "topics.predictions", "1 to 249 characters"),
        ["dead letter is an input"] = ("dead_letter: fraud.dead-letter", "dead_letter: fraud.labels", "topics.dead_letter", "a topic of its own"),
        ["labels are predictions"] = ("labels: fraud.labels", "labels: fraud.predictions", "topics.labels", "its own topic"),
        ["bad field path"] = ("window:\n", "fields:\n  prediction:\n    score: prediction..score\nwindow:\n", "fields.prediction.score", "dotted JSON path"),
        ["no features"] = (RuleYaml.Block("features:\n", "window:\n"), "features: []\n", "features", "at least one"),
        ["feature without name"] = ("  - name: amount\n    kind", "  - kind", "features[0].name", "add `name:`"),
        ["duplicate feature"] = ("name: country", "name: amount", "features[1].name", "names must be unique"),
        ["feature without kind"] = ("    kind: categorical\n", "", "features[1].kind", "kind: numeric"),
        ["bad feature kind"] = ("kind: categorical", "kind: categorial", "features[1].kind", "did you mean 'categorical'?"),
        ["bad feature path"] = ("    kind: numeric\n", "    kind: numeric\n    path: features..amount\n", "features[0].path", "dotted JSON path"),
        ["categorical test on numeric"] = ("ks: { warning: 0.05, critical: 0.01 }", "chisquare: { warning: 0.05, critical: 0.01 }", "features[0].tests.chisquare", "use a numeric test"),
        ["unknown test"] = ("ks: {", "kss: {", "features[0].tests.kss", "did you mean 'ks'?"),
        ["p-value order"] = ("ks: { warning: 0.05, critical: 0.01 }", "ks: { warning: 0.01, critical: 0.05 }", "features[0].tests.ks.critical", "set critical ≤ warning"),
        ["distance order"] = ("psi: { warning: 0.1, critical: 0.25 }", "psi: { warning: 0.25, critical: 0.1 }", "features[0].tests.psi.critical", "set critical ≥ warning"),
        ["p-value out of range"] = ("ks: { warning: 0.05,", "ks: { warning: 5,", "features[0].tests.ks.warning", "strictly between 0 and 1"),
        ["distance not positive"] = ("critical: 0.25", "critical: -1", "features[0].tests.psi.critical", "greater than 0"),
        ["threshold not a number"] = ("critical: 0.25", "critical: high", "features[0].tests.psi.critical", "write a number"),
        ["unknown threshold key"] = ("psi: { warning: 0.1, critical: 0.25 }", "psi: { warning: 0.1, critcal: 0.25 }", "features[0].tests.psi.critcal", "did you mean 'critical'?"),
        ["min above max"] = ("quality: { min: 0, max: 100 }", "quality: { min: 200, max: 100 }", "features[0].quality.max", "min ≤ max"),
        ["range on categorical"] = ("quality: { allowed_categories: [DE, FR] }", "quality: { min: 1 }", "features[1].quality.min", "use `allowed_categories`"),
        ["categories on numeric"] = ("quality: { min: 0, max: 100 }", "quality: { allowed_categories: baseline }", "features[0].quality.allowed_categories", "use `min`/`max`"),
        ["empty categories"] = ("allowed_categories: [DE, FR]", "allowed_categories: []", "features[1].quality.allowed_categories", "allowed_categories: baseline"),
        ["duplicate category"] = ("allowed_categories: [DE, FR]", "allowed_categories: [DE, DE]", "features[1].quality.allowed_categories[1]", "each category once"),
        ["missing share"] = ("quality: { min: 0, max: 100 }", "quality: { max_missing_share: 2 }", "features[0].quality.max_missing_share", "between 0 and 1"),
        ["type error share"] = ("quality: { min: 0, max: 100 }", "quality: { max_type_error_share: -0.5 }", "features[0].quality.max_type_error_share", "between 0 and 1"),
        ["prediction source for task"] = ("window:\n", "prediction_drift:\n  source: value\nwindow:\n", "prediction_drift.source", "source: score"),
        ["prediction test kind"] = ("window:\n", "prediction_drift:\n  tests:\n    chisquare: {}\nwindow:\n", "prediction_drift.tests.chisquare", "use a numeric test"),
        ["missing window size"] = ("  size: 1h\n", "  allowed_lateness: 5m\n", "window.size", "add `size:`"),
        ["zero window size"] = ("size: 1h", "size: 0s", "window.size", "positive duration"),
        ["window size without unit"] = ("size: 1h", "size: 3600", "window.size", "add a unit, e.g. 3600s"),
        ["window size unreadable"] = ("size: 1h", "size: 1 hour", "window.size", "250ms, 30s, 5m, 1h"),
        ["window size wrong type"] = ("size: 1h", "size: [1h]", "window.size", "250ms, 30s"),
        ["offset not below size"] = ("size: 1h\n", "size: 1h\n  offset: 2h\n", "window.offset", "offset below 1h"),
        ["negative lateness"] = ("size: 1h\n", "size: 1h\n  allowed_lateness: -5m\n", "window.allowed_lateness", "0 or a positive duration"),
        ["slide not dividing"] = ("size: 1h\n", "size: 1h\n  slide: 7m\n", "window.slide", "divides 1h exactly (e.g. 6m)"),
        ["zero slide"] = ("size: 1h\n", "size: 1h\n  slide: PT0S\n", "window.slide", "remove `slide` for tumbling windows"),
        ["bad cron"] = ("cron: \"0 */5 * * * ?\"", "cron: \"*/5 * * * *\"", "schedule.cron", "seconds first"),
        ["empty cron"] = ("cron: \"0 */5 * * * ?\"", "cron: \"\"", "schedule.cron", "give a Quartz cron expression"),
        ["unknown time zone"] = ("schedule:\n", "schedule:\n  timezone: Mars/Olympus\n", "schedule.timezone", "IANA time zone id"),
        ["open window not a bool"] = ("schedule:\n", "schedule:\n  evaluate_open_window: yes\n", "schedule.evaluate_open_window", "write true or false"),
        ["missing baseline"] = ("baseline:\n  kind: file\n  path: baselines/fraud.json\n", "", "baseline", "add `baseline:"),
        ["baseline without kind"] = ("  kind: file\n  path: baselines", "  path: baselines", "baseline.kind", "file, window, rolling"),
        ["file baseline without path"] = ("  path: baselines/fraud.json\n", "", "baseline.path", "monitor baseline build"),
        ["path on rolling baseline"] = ("kind: file", "kind: rolling", "baseline.path", "set `kind: file`"),
        ["window baseline without start"] = ("  kind: file\n  path: baselines/fraud.json\n", "  kind: window\n  end: 2026-11-08T00:00:00Z\n", "baseline.start", "add `start:`"),
        ["window baseline without end"] = ("  kind: file\n  path: baselines/fraud.json\n", "  kind: window\n  start: 2026-11-08T00:00:00Z\n", "baseline.end", "add `end:`"),
        ["window baseline end before start"] = ("  kind: file\n  path: baselines/fraud.json\n", "  kind: window\n  start: 2026-11-08T00:00:00Z\n  end: 2026-11-01T00:00:00Z\n", "baseline.end", "later than the start"),
        ["bad baseline time"] = ("  kind: file\n  path: baselines/fraud.json\n", "  kind: window\n  start: last monday\n  end: 2026-11-01T00:00:00Z\n", "baseline.start", "ISO-8601"),
        ["start on file baseline"] = ("  path: baselines/fraud.json\n", "  path: baselines/fraud.json\n  start: 2026-11-01T00:00:00Z\n", "baseline.start", "set `kind: window`"),
        ["end on file baseline"] = ("  path: baselines/fraud.json\n", "  path: baselines/fraud.json\n  end: 2026-11-01T00:00:00Z\n", "baseline.end", "set `kind: window`"),
        ["zero rolling windows"] = ("  kind: file\n  path: baselines/fraud.json\n", "  kind: rolling\n  windows: 0\n", "baseline.windows", "1 or more"),
        ["windows on file baseline"] = ("  path: baselines/fraud.json\n", "  path: baselines/fraud.json\n  windows: 3\n", "baseline.windows", "set `kind: rolling`"),
        ["windows not a count"] = ("  kind: file\n  path: baselines/fraud.json\n", "  kind: rolling\n  windows: 2.5\n", "baseline.windows", "whole number"),
        ["one psi bin"] = ("  path: baselines/fraud.json\n", "  path: baselines/fraud.json\n  psi_bins: 1\n", "baseline.psi_bins", "2 or more bins"),
        ["zero exact limit"] = ("window:\n", "sketch: { exact_limit: 0 }\nwindow:\n", "sketch.exact_limit", "1 or more"),
        ["zero exact memory"] = ("window:\n", "sketch: { exact_memory_mb: 0 }\nwindow:\n", "sketch.exact_memory_mb", "1 to 1048576"),
        ["tiny kll k"] = ("window:\n", "sketch: { kll_k: 4 }\nwindow:\n", "sketch.kll_k", "from 8 to 65535"),
        ["zero category cap"] = ("window:\n", "sketch: { category_cap: 0 }\nwindow:\n", "sketch.category_cap", "1 or more"),
        ["zero warning share"] = ("window:\n", "dataset_drift: { warning_share: 0 }\nwindow:\n", "dataset_drift.warning_share", "above 0 and at most 1"),
        ["critical share below warning"] = ("window:\n", "dataset_drift: { warning_share: 0.5, critical_share: 0.3 }\nwindow:\n", "dataset_drift.critical_share", "critical_share ≥ warning_share"),
        ["unknown correction"] = ("window:\n", "dataset_drift: { correction: holm }\nwindow:\n", "dataset_drift.correction", "none, bonferroni, bh"),
        ["performance without labels"] = ("  labels: fraud.labels\n", "", "topics.labels", "add `labels: <topic>`"),
        ["zero label ttl"] = ("performance:\n", "performance:\n  label_join_ttl: 0s\n", "performance.label_join_ttl", "e.g. 7d"),
        ["zero min labels"] = ("performance:\n", "performance:\n  min_labels: 0\n", "performance.min_labels", "1 or more"),
        ["metric for another task"] = ("roc_auc: { warning: 0.85, critical: 0.8 }", "mae: { warning: 1 }", "performance.floors.mae", "metrics for this task are accuracy"),
        ["misspelt metric"] = ("roc_auc: {", "roc_auk: {", "performance.floors.roc_auk", "did you mean 'roc_auc'?"),
        ["metric without limits"] = ("roc_auc: { warning: 0.85, critical: 0.8 }", "roc_auc: {}", "performance.floors.roc_auc", "add `warning:`"),
        ["floor order"] = ("roc_auc: { warning: 0.85, critical: 0.8 }", "roc_auc: { warning: 0.8, critical: 0.85 }", "performance.floors.roc_auc.critical", "set critical ≤ warning"),
        ["ceiling order"] = ("roc_auc: { warning: 0.85, critical: 0.8 }", "log_loss: { warning: 0.5, critical: 0.3 }", "performance.floors.log_loss.critical", "set critical ≥ warning"),
        ["metric out of range"] = ("roc_auc: { warning: 0.85,", "roc_auc: { warning: 85,", "performance.floors.roc_auc.warning", "from 0 to 1"),
        ["relative runbook url"] = ("runbook_url: https://runbooks.example.com/fraud", "runbook_url: runbooks/fraud", "alerts.runbook_url", "absolute http(s) URL"),
        ["ftp dashboard url"] = ("  routes:\n", "  dashboard_url: ftp://example.com/d\n  routes:\n", "alerts.dashboard_url", "absolute http(s) URL"),
        ["route without name"] = ("    - name: team\n      channel", "    - channel", "alerts.routes[0].name", "add `name:`"),
        ["duplicate route"] = ("      targets: [team@example.com]\n", "      targets: [team@example.com]\n    - name: team\n      channel: slack\n      targets: [https://hooks.slack.com/x]\n", "alerts.routes[1].name", "its own name"),
        ["route without channel"] = ("      channel: email\n", "", "alerts.routes[0].channel", "email, webhook, slack, alertmanager"),
        ["unknown channel"] = ("channel: email", "channel: pager", "alerts.routes[0].channel", "email, webhook, slack, alertmanager"),
        ["route without targets"] = ("targets: [team@example.com]", "targets: []", "alerts.routes[0].targets", "at least one e-mail address"),
        ["bad e-mail target"] = ("targets: [team@example.com]", "targets: [team-at-example]", "alerts.routes[0].targets[0]", "oncall@example.com"),
        ["bad webhook target"] = ("channel: email\n      targets: [team@example.com]", "channel: webhook\n      targets: [hooks.example.com/x]", "alerts.routes[0].targets[0]", "absolute http(s) URL"),
        ["unknown severity"] = ("      channel: email\n", "      channel: email\n      min_severity: page\n", "alerts.routes[0].min_severity", "warning, critical"),
        ["zero for windows"] = ("      channel: email\n", "      channel: email\n      for_windows: 0\n", "alerts.routes[0].for_windows", "1 or more"),
        ["negative cooldown"] = ("      channel: email\n", "      channel: email\n      cooldown: -1m\n", "alerts.routes[0].cooldown", "0 or a positive duration"),
        ["zero renotify"] = ("      channel: email\n", "      channel: email\n      renotify_interval: 0s\n", "alerts.routes[0].renotify_interval", "remove the key to notify once"),
        ["zero resolve after"] = ("      channel: email\n", "      channel: email\n      resolve_after: 0\n", "alerts.routes[0].resolve_after", "1 or more clean windows"),
        ["relative route runbook url"] = ("      channel: email\n", "      channel: email\n      runbook_url: wiki/oncall\n", "alerts.routes[0].runbook_url", "absolute http(s) URL"),
        ["relative route dashboard url"] = ("      channel: email\n", "      channel: email\n      dashboard_url: grafana\n", "alerts.routes[0].dashboard_url", "absolute http(s) URL"),
        ["retrain without conditions"] = ("    dataset_drift_windows: 3\n", "    match: all\n", "retrain.conditions", "performance_floor_breached: true"),
        ["zero drift windows"] = ("dataset_drift_windows: 3", "dataset_drift_windows: 0", "retrain.conditions.dataset_drift_windows", "1 or more"),
        ["floor condition without floors"] = ("performance:\n  floors:\n    roc_auc: { warning: 0.85, critical: 0.8 }\n || dataset_drift_windows: 3", " || performance_floor_breached: true", "retrain.conditions.performance_floor_breached", "add floors"),
        ["retrain without webhook"] = ("  webhook: https://pipelines.example.com/retrain\n", "", "retrain.webhook", "add `webhook:`"),
        ["relative retrain webhook"] = ("webhook: https://pipelines.example.com/retrain", "webhook: /retrain", "retrain.webhook", "absolute http(s) URL"),
        ["bad secret env"] = ("secret_env: FRAUD_SECRET", "secret_env: \"s3cr3t value\"", "retrain.secret_env", "never the secret itself"),
        ["zero retrain interval"] = ("  secret_env: FRAUD_SECRET\n", "  secret_env: FRAUD_SECRET\n  min_interval: 0h\n", "retrain.min_interval", "such as 24h"),
        ["unknown top-level key"] = ("window:\n", "windw:\n  size: 2h\nwindow:\n", "windw", "did you mean 'window'?"),
        ["unknown nested key"] = ("  size: 1h\n", "  size: 1h\n  allowed_latness: 5m\n", "window.allowed_latness", "did you mean 'allowed_lateness'?"),
        ["section of the wrong type"] = ("schedule:\n  cron: \"0 */5 * * * ?\"\n", "schedule: hourly\n", "schedule", "indent the keys of `schedule` under it"),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Fact]
    public void LoadText_ValidFile_HasNoErrorAndTypedRules()
    {
        var file = Loader().LoadText(RuleYaml.File, RuleYaml.Valid);

        Assert.Empty(file.Errors);
        var rules = Assert.IsType<Monitor.Core.Rules.ModelRules>(file.Rules);
        Assert.Equal("fraud", rules.Name);
        Assert.Equal(TimeSpan.FromHours(1), rules.Window.Size);
        Assert.Equal(["amount", "country"], rules.Features.Select(f => f.Name));
        Assert.Equal(0.01, rules.Features[0].Tests.Single(t => t.Name == "ks").Critical);
        Assert.Equal("prediction.score", rules.Fields.PredictionScore);
        Assert.Equal(100_000, rules.Sketch.ExactLimit);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void LoadText_OneBrokenRule_ReportsFileKeyAndFix(string name)
    {
        var (find, replace, key, fix) = Cases[name];

        var file = Loader().LoadText(RuleYaml.File, RuleYaml.With(find, replace));

        Assert.Null(file.Rules);
        var error = Assert.Single(file.Errors).Error;
        Assert.Equal(RuleYaml.File, error.File);
        Assert.Equal(key, error.Key);
        Assert.Contains(fix, error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadText_ThresholdError_IsPlacedAtItsLineAndColumn()
    {
        var file = Loader().LoadText(RuleYaml.File, RuleYaml.With("ks: { warning: 0.05, critical: 0.01 }", "ks: { warning: 0.01, critical: 0.05 }"));

        var error = Assert.Single(file.Errors);
        Assert.Equal("rules/fraud.yaml:12:38 features[0].tests.ks.critical: 'ks' is a p-value test, so critical (0.05) must not be above warning (0.01). Fix: for p-value tests a smaller p-value is more severe: set critical ≤ warning, e.g. warning: 0.05, critical: 0.01", error.ToString());
    }

    [Fact]
    public void LoadText_MissingKey_IsPlacedAtItsParent()
    {
        var file = Loader().LoadText(RuleYaml.File, RuleYaml.With("  size: 1h\n", "  allowed_lateness: 5m\n"));

        var error = Assert.Single(file.Errors);
        Assert.Equal((21L, 3L), (error.Line, error.Column));
        Assert.Equal("window.size", error.Error.Key);
    }

    [Fact]
    public void LoadText_WrongType_ReportsLineAndColumnOfTheValue()
    {
        var file = Loader().LoadText(RuleYaml.File, RuleYaml.With("size: 1h", "size: { hours: 1 }"));

        var error = Assert.Single(file.Errors);
        Assert.StartsWith("rules/fraud.yaml:21:9 window.size: expected a duration but found a mapping. Fix: ", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void LoadText_UnknownKey_SuggestsTheClosestAndListsTheAllowed()
    {
        var file = Loader().LoadText(RuleYaml.File, RuleYaml.With("  size: 1h\n", "  sise: 1h\n"));

        var errors = file.Errors.Select(e => e.Error).ToList();
        var unknown = Assert.Single(errors, e => e.Key == "window.sise");
        Assert.Equal("unknown key 'sise'", unknown.Message);
        Assert.Equal("did you mean 'size'? Keys allowed here are size, offset, allowed_lateness, slide", unknown.Fix);
        Assert.Contains(errors, e => e.Key == "window.size");
    }

    [Fact]
    public void LoadText_UnknownKeyFarFromAll_OnlyListsTheAllowed()
    {
        var file = Loader().LoadText(RuleYaml.File, RuleYaml.With("  size: 1h\n", "  size: 1h\n  colour: blue\n"));

        var error = Assert.Single(file.Errors).Error;
        Assert.Equal("remove it; keys allowed here are size, offset, allowed_lateness, slide", error.Fix);
    }

    [Fact]
    public void LoadText_ManyErrors_ReportsAllInFileOrder()
    {
        string text = RuleYaml.Valid
            .Replace("task: binary_classification", "task: binary", StringComparison.Ordinal)
            .Replace("kss", "x", StringComparison.Ordinal)
            .Replace("ks: {", "kss: {", StringComparison.Ordinal)
            .Replace("size: 1h", "size: 1 hour", StringComparison.Ordinal)
            .Replace("cron: \"0 */5 * * * ?\"", "cron: \"0 0 * * *\"", StringComparison.Ordinal)
            .Replace("targets: [team@example.com]", "targets: [nobody]", StringComparison.Ordinal);

        var file = Loader().LoadText(RuleYaml.File, text);

        Assert.Equal(
            ["task", "features[0].tests.kss", "window.size", "schedule.cron", "alerts.routes[0].targets[0]"],
            file.Errors.Select(e => e.Error.Key));
        Assert.All(file.Errors, e => Assert.Equal(RuleYaml.File, e.Error.File));
    }

    [Fact]
    public void LoadText_SyntaxError_ReportsTheDocumentWithAPosition()
    {
        var file = Loader().LoadText(RuleYaml.File, "model:\n  name: fraud\n   task: x\n");

        var error = Assert.Single(file.Errors);
        Assert.Equal("(document)", error.Error.Key);
        Assert.StartsWith("the file is not valid YAML", error.Error.Message, StringComparison.Ordinal);
        Assert.Equal(3L, error.Line);
    }

    [Fact]
    public void LoadText_DuplicateKey_IsAnError()
    {
        var file = Loader().LoadText(RuleYaml.File, RuleYaml.With("task: binary_classification\n", "task: binary_classification\ntask: regression\n"));

        var error = Assert.Single(file.Errors);
        Assert.Null(file.Rules);
        Assert.Equal(4L, error.Line);
        Assert.Contains("Duplicate key", error.Error.Message, StringComparison.Ordinal);
        Assert.Equal("write each key once per mapping; merge the entries under one key", error.Error.Fix);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    public void LoadText_EmptyFile_SaysSo(string text)
    {
        var error = Assert.Single(Loader().LoadText(RuleYaml.File, text).Errors).Error;

        Assert.Equal("the file is empty", error.Message);
        Assert.Contains("rules/example.yaml", error.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("---\n", "the file is empty")]
    [InlineData("- model: fraud\n", "expected a mapping (`key: value` lines) but found a list")]
    [InlineData("fraud\n", "expected a mapping (`key: value` lines) but found 'fraud'")]
    public void LoadText_DocumentNotAMapping_ReportsOnlyThat(string text, string message)
    {
        var error = Assert.Single(Loader().LoadText(RuleYaml.File, text).Errors).Error;

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void EnsureValid_InvalidSet_ThrowsWithEveryError()
    {
        using var dir = new TempDirectory();
        dir.Write("a.yaml", RuleYaml.With("size: 1h", "size: 1x"));
        dir.Write("b.yaml", RuleYaml.With("name: fraud", "name: b").Replace("kind: file", "kind: disk", StringComparison.Ordinal));

        var e = Assert.Throws<RuleValidationException>(() => Loader().LoadPath(dir.Path).EnsureValid());

        Assert.Equal(2, e.Errors.Count);
        Assert.Contains("window.size", e.Message, StringComparison.Ordinal);
        Assert.Contains("baseline.kind", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EnsureValid_ValidSet_ReturnsEveryModel()
    {
        using var dir = new TempDirectory();
        dir.Write("a.yaml", RuleYaml.Valid);
        dir.Write("b.yaml", RuleYaml.With("name: fraud", "name: churn"));

        var models = Loader().LoadPath(dir.Path).EnsureValid();

        Assert.Equal(["fraud", "churn"], models.Select(m => m.Name));
    }

    [Fact]
    public void LoadText_TwoDocuments_AsksForOneModelPerFile()
    {
        var error = Assert.Single(Loader().LoadText(RuleYaml.File, RuleYaml.Valid + "---\n" + RuleYaml.Valid).Errors).Error;

        Assert.Contains("one model per file", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadText_TestsAsListOfNames_UseDefaultThresholds()
    {
        var file = Loader().LoadText(RuleYaml.File, RuleYaml.With("chisquare: { warning: 0.05, critical: 0.01 }", "{}").Replace("    tests:\n      {}", "    tests: [chisquare, jensenshannon]", StringComparison.Ordinal));

        Assert.Empty(file.Errors);
        Assert.Equal(["chisquare", "jensenshannon"], file.Rules!.Features[1].Tests.Select(t => t.Name));
        Assert.All(file.Rules.Features[1].Tests, t => Assert.Null(t.Warning));
    }

    [Fact]
    public void LoadPath_Directory_ReportsErrorsOfEveryFileTogether()
    {
        using var dir = new TempDirectory();
        dir.Write("a.yaml", RuleYaml.With("size: 1h", "size: 1x"));
        dir.Write("b.yml", RuleYaml.With("name: fraud", "name: other").Replace("kind: file", "kind: disk", StringComparison.Ordinal));
        dir.Write("c.yaml", RuleYaml.With("name: fraud", "name: third"));
        dir.Write("notes.txt", "not a rule file");

        var set = Loader().LoadPath(dir.Path);

        Assert.False(set.IsValid);
        Assert.Equal(["a.yaml", "b.yml", "c.yaml"], set.Files.Select(f => System.IO.Path.GetFileName(f.File)));
        Assert.Equal(["window.size", "baseline.kind"], set.Errors.Select(e => e.Error.Key));
        Assert.True(set.Files[2].IsValid);
    }

    [Fact]
    public void LoadPath_SameModelInTwoFiles_IsAnError()
    {
        using var dir = new TempDirectory();
        dir.Write("a.yaml", RuleYaml.Valid);
        dir.Write("b.yaml", RuleYaml.Valid);

        var error = Assert.Single(Loader().LoadPath(dir.Path).Errors).Error;

        Assert.Equal("model.name", error.Key);
        Assert.EndsWith("b.yaml", error.File, StringComparison.Ordinal);
        Assert.Contains("one rule file per model", error.Fix, StringComparison.Ordinal);
        Assert.Contains("a.yaml", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"7\"", null, false)]
    [InlineData(null, "\"7\"", false)]
    [InlineData("\"7\"", "\"7\"", false)]
    [InlineData("\"7\"", "\"8\"", true)]
    public void LoadPath_VersionsOfOneModel_MayNotOverlap(string? first, string? second, bool valid)
    {
        using var dir = new TempDirectory();
        dir.Write("a.yaml", first is null ? RuleYaml.Valid : RuleYaml.With("name: fraud\n", $"name: fraud\n  version: {first}\n"));
        dir.Write("b.yaml", second is null ? RuleYaml.Valid : RuleYaml.With("name: fraud\n", $"name: fraud\n  version: {second}\n"));

        var set = Loader().LoadPath(dir.Path);

        Assert.Equal(valid, set.IsValid);
    }

    [Fact]
    public void LoadPath_SubdirectoriesAreNotModelRules()
    {
        using var dir = new TempDirectory();
        dir.Write("fraud.yaml", RuleYaml.Valid);
        dir.Write("prometheus/alerts.yml", "groups: []\n");

        var set = Loader().LoadPath(dir.Path);

        Assert.True(set.IsValid);
        Assert.Single(set.Files);
    }

    [Fact]
    public void LoadPath_EmptyDirectory_IsAnError()
    {
        using var dir = new TempDirectory();

        var set = Loader().LoadPath(dir.Path);

        Assert.False(set.IsValid);
        Assert.Contains("no *.yaml rule files", Assert.Single(set.Errors).Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadPath_MissingPath_IsAnError()
    {
        var set = Loader().LoadPath("/nonexistent/rules");

        Assert.Equal("no such file or directory", Assert.Single(set.Errors).Error.Message);
    }

    [Theory]
    [InlineData("0 */5 * * * ?", true)]
    [InlineData("0 0 6 ? * MON-FRI", true)]
    [InlineData("*/5 * * * *", false)]
    [InlineData("0 61 * * * ?", false)]
    public void CronProblem_QuartzSyntax_IsChecked(string cron, bool valid)
    {
        Assert.Equal(valid, RuleFileLoader.CronProblem(cron) is null);
    }

    internal static RuleFileLoader Loader() => new(FakeDriftTests.Registry());
}
