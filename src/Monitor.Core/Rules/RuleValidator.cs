using System.Globalization;
using System.Net.Mail;
using System.Text.RegularExpressions;
using Monitor.Core.Drift;

namespace Monitor.Core.Rules;

/// <summary>
/// Checks a parsed <see cref="ModelRules"/> and returns every problem at once, each with its key and fix, so that
/// one run of <c>monitor validate</c> shows the whole list instead of one error per attempt.
/// </summary>
/// <remarks>
/// Pure: no I/O and no clock. Checks that need a library Core may not reference (Quartz cron syntax) are passed
/// in as <c>cronCheck</c>.
/// </remarks>
public sealed partial class RuleValidator
{
    private static readonly string[] PathSeparators = ["."];
    private readonly DriftTestRegistry _registry;
    private readonly Func<string, string?>? _cronCheck;

    /// <summary>Creates a validator resolving test names against <paramref name="registry"/>.</summary>
    /// <param name="registry">The drift tests rule files may name.</param>
    /// <param name="cronCheck">
    /// Returns why a cron expression is invalid, or <see langword="null"/> when it is valid; when not given, only
    /// emptiness is checked.
    /// </param>
    public RuleValidator(DriftTestRegistry registry, Func<string, string?>? cronCheck = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _registry = registry;
        _cronCheck = cronCheck;
    }

    /// <summary>Validates <paramref name="rules"/> read from <paramref name="file"/>; empty when the rules are valid.</summary>
    public IReadOnlyList<RuleError> Validate(ModelRules rules, string file)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(file);
        var v = new Collector(file);
        ValidateModel(rules, v);
        ValidateTopics(rules, v);
        ValidateFields(rules.Fields, v);
        ValidateFeatures(rules, v);
        ValidatePredictionDrift(rules, v);
        ValidateWindow(rules.Window, v);
        ValidateSchedule(rules.Schedule, v);
        ValidateBaseline(rules.Baseline, v);
        ValidateSketch(rules.Sketch, v);
        ValidateDatasetDrift(rules.DatasetDrift, v);
        ValidatePerformance(rules, v);
        ValidateAlerts(rules.Alerts, v);
        ValidateRetrain(rules, v);
        return v.Errors;
    }

    private static void ValidateModel(ModelRules rules, Collector v)
    {
        if (string.IsNullOrWhiteSpace(rules.Name))
        {
            v.Add("model.name", "the model name is required", "add `model: { name: <name> }` with the value of the events' model field");
        }
        else if (!ModelNamePattern().IsMatch(rules.Name))
        {
            v.Add("model.name", $"'{rules.Name}' is not a valid model name", "use letters, digits, '.', '_' and '-' only (it becomes a metric label)");
        }

        if (rules.Version is not null && string.IsNullOrWhiteSpace(rules.Version))
        {
            v.Add("model.version", "the model version is empty", "remove `version` to monitor every version, or give the version to monitor");
        }

        if (rules.Task is null)
        {
            v.Add("task", "the task is required", $"add `task:` with one of {Join(RuleNames.Tasks.Keys)}");
        }
    }

    private static void ValidateTopics(ModelRules rules, Collector v)
    {
        var t = rules.Topics;
        Topic(t.Predictions, "topics.predictions", required: true, v);
        Topic(t.Features, "topics.features", required: false, v);
        Topic(t.Labels, "topics.labels", required: false, v);
        Topic(t.DeadLetter, "topics.dead_letter", required: true, v);
        if (t.DeadLetter is not null && (t.DeadLetter == t.Predictions || t.DeadLetter == t.Features || t.DeadLetter == t.Labels))
        {
            v.Add("topics.dead_letter", $"the dead-letter topic '{t.DeadLetter}' is also an input topic", "use a topic of its own, e.g. `<predictions>.dead-letter`");
        }

        if (t.Labels is not null && (t.Labels == t.Predictions || t.Labels == t.Features))
        {
            v.Add("topics.labels", $"the labels topic '{t.Labels}' is also the predictions or features topic", "give ground truth its own topic, co-partitioned with the predictions");
        }
    }

    private static void Topic(string? name, string key, bool required, Collector v)
    {
        if (name is null)
        {
            if (required)
            {
                v.Add(key, "the topic is required", $"add `{Leaf(key)}: <kafka topic>`");
            }

            return;
        }

        if (!TopicPattern().IsMatch(name) || name is "." or "..")
        {
            v.Add(key, $"'{name}' is not a valid Kafka topic name", "use 1 to 249 characters from letters, digits, '.', '_' and '-'");
        }
    }

    private static void ValidateFields(FieldPaths f, Collector v)
    {
        FieldPath(f.EventId, "fields.event_id", v);
        FieldPath(f.Model, "fields.model", v);
        FieldPath(f.ModelVersion, "fields.model_version", v);
        FieldPath(f.Timestamp, "fields.timestamp", v);
        FieldPath(f.Features, "fields.features", v);
        FieldPath(f.PredictionScore, "fields.prediction.score", v);
        FieldPath(f.PredictionLabel, "fields.prediction.label", v);
        FieldPath(f.PredictionValue, "fields.prediction.value", v);
        FieldPath(f.PredictionScores, "fields.prediction.scores", v);
        FieldPath(f.LabelEventId, "fields.labels.event_id", v);
        FieldPath(f.Label, "fields.labels.label", v);
        FieldPath(f.LabelValue, "fields.labels.value", v);
        FieldPath(f.LabelTimestamp, "fields.labels.timestamp", v);
    }

    private static void FieldPath(string? path, string key, Collector v)
    {
        if (path is null || !IsValidPath(path))
        {
            v.Add(key, $"'{path}' is not a field path", "write a dotted JSON path such as `prediction.score` (no empty segments, no spaces)");
        }
    }

    private static bool IsValidPath(string path)
    {
        if (path.Length == 0)
        {
            return false;
        }

        foreach (string segment in path.Split(PathSeparators, StringSplitOptions.None))
        {
            if (segment.Length == 0 || segment.Any(char.IsWhiteSpace))
            {
                return false;
            }
        }

        return true;
    }

    private void ValidateFeatures(ModelRules rules, Collector v)
    {
        if (rules.Features.Count == 0)
        {
            v.Add("features", "no features are listed", "add `features:` with at least one `- { name: <feature>, kind: numeric|categorical }`");
            return;
        }

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < rules.Features.Count; i++)
        {
            var feature = rules.Features[i];
            string key = $"features[{i}]";
            if (string.IsNullOrWhiteSpace(feature.Name))
            {
                v.Add($"{key}.name", "the feature name is required", "add `name:` with the feature's key in the events' features object");
            }
            else if (!seen.TryAdd(feature.Name, i))
            {
                v.Add($"{key}.name", $"feature '{feature.Name}' is listed twice (also features[{seen[feature.Name]}])", "remove one entry or rename it; names must be unique");
            }

            if (feature.Path is not null)
            {
                FieldPath(feature.Path, $"{key}.path", v);
            }

            if (feature.Kind is not { } kind)
            {
                v.Add($"{key}.kind", "the feature kind is required", "add `kind: numeric` or `kind: categorical`");
                continue;
            }

            ValidateTests(feature.Tests, kind, $"{key}.tests", $"feature '{feature.Name}'", v);
            ValidateQuality(feature.Quality, kind, $"{key}.quality", v);
        }
    }

    private void ValidateTests(IReadOnlyList<DriftTestRule> tests, FeatureKind kind, string key, string subject, Collector v)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var test in tests)
        {
            string testKey = $"{key}.{test.Name}";
            if (!names.Add(test.Name))
            {
                v.Add(testKey, $"test '{test.Name}' is listed twice", "keep one entry per test");
                continue;
            }

            IDriftTest? resolved = kind == FeatureKind.Numeric
                ? (_registry.TryGetNumeric(test.Name, out var n) ? n : null)
                : (_registry.TryGetCategorical(test.Name, out var c) ? c : null);
            var validNames = (kind == FeatureKind.Numeric ? _registry.NumericNames : _registry.CategoricalNames).ToList();
            if (resolved is null)
            {
                bool otherKind = kind == FeatureKind.Numeric
                    ? _registry.TryGetCategorical(test.Name, out _)
                    : _registry.TryGetNumeric(test.Name, out _);
                string kindName = RuleNames.Of(kind);
                if (otherKind)
                {
                    string other = kind == FeatureKind.Numeric ? "categorical" : "numeric";
                    v.Add(testKey, $"'{test.Name}' is a {other} test but {subject} is {kindName}",
                        $"use a {kindName} test ({Join(validNames)}), or change the kind if the feature really is {other}");
                }
                else
                {
                    string? near = NameSuggestion.Closest(test.Name, validNames);
                    string known = validNames.Count == 0 ? $"no {kindName} tests are registered in this build" : $"{kindName} tests are {Join(validNames)}";
                    v.Add(testKey, $"unknown drift test '{test.Name}'", (near is null ? string.Empty : $"did you mean '{near}'? ") + known);
                }

                continue;
            }

            bool pValue = resolved.ThresholdKind == ThresholdKind.PValueBelow;
            bool ok = Threshold(test.Warning, pValue, $"{testKey}.warning", v) & Threshold(test.Critical, pValue, $"{testKey}.critical", v);
            if (!ok)
            {
                continue;
            }

            double warning = test.Warning ?? resolved.DefaultThreshold;
            double critical = test.Critical ?? resolved.DefaultThreshold;
            string where = test.Critical is null ? $"{testKey}.warning" : $"{testKey}.critical";
            string warningText = Format(warning) + (test.Warning is null ? " (the default)" : string.Empty);
            string criticalText = Format(critical) + (test.Critical is null ? " (the default)" : string.Empty);
            if (pValue && critical > warning)
            {
                v.Add(where, $"'{test.Name}' is a p-value test, so critical ({criticalText}) must not be above warning ({warningText})",
                    "for p-value tests a smaller p-value is more severe: set critical ≤ warning, e.g. warning: 0.05, critical: 0.01");
            }
            else if (!pValue && critical < warning)
            {
                v.Add(where, $"'{test.Name}' is a distance, so critical ({criticalText}) must not be below warning ({warningText})",
                    "for distances a larger value is more severe: set critical ≥ warning, e.g. warning: 0.1, critical: 0.2");
            }
        }
    }

    private static bool Threshold(double? value, bool pValue, string key, Collector v)
    {
        if (value is not { } t)
        {
            return true;
        }

        if (pValue && !(t > 0 && t < 1))
        {
            v.Add(key, $"{Format(t)} is not a significance level", "give a p-value threshold strictly between 0 and 1, e.g. 0.05");
            return false;
        }

        if (!pValue && !(double.IsFinite(t) && t > 0))
        {
            v.Add(key, $"{Format(t)} is not a valid distance threshold", "give a finite number greater than 0, e.g. 0.1");
            return false;
        }

        return true;
    }

    private static void ValidateQuality(QualityLimits q, FeatureKind kind, string key, Collector v)
    {
        if (kind == FeatureKind.Categorical)
        {
            if (q.Min is not null)
            {
                v.Add($"{key}.min", "a range applies to numeric features only", "remove `min`, or use `allowed_categories` for a categorical feature");
            }

            if (q.Max is not null)
            {
                v.Add($"{key}.max", "a range applies to numeric features only", "remove `max`, or use `allowed_categories` for a categorical feature");
            }
        }
        else
        {
            if (q.AllowedCategories is not null || q.AllowedCategoriesFromBaseline)
            {
                v.Add($"{key}.allowed_categories", "allowed categories apply to categorical features only", "remove `allowed_categories`, or use `min`/`max` for a numeric feature");
            }

            Finite(q.Min, $"{key}.min", v);
            Finite(q.Max, $"{key}.max", v);
            if (q.Min is { } min && q.Max is { } max && double.IsFinite(min) && double.IsFinite(max) && min > max)
            {
                v.Add($"{key}.max", $"max ({Format(max)}) is below min ({Format(min)})", "swap the values so that min ≤ max");
            }
        }

        if (q.AllowedCategories is { } allowed)
        {
            if (allowed.Count == 0)
            {
                v.Add($"{key}.allowed_categories", "the list of allowed categories is empty", "list at least one category, or write `allowed_categories: baseline` to learn them from the baseline");
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < allowed.Count; i++)
            {
                if (!seen.Add(allowed[i]))
                {
                    v.Add($"{key}.allowed_categories[{i}]", $"category '{allowed[i]}' is listed twice", "list each category once");
                }
            }
        }

        Share(q.MaxMissingShare, $"{key}.max_missing_share", v);
        Share(q.MaxTypeErrorShare, $"{key}.max_type_error_share", v);
    }

    private static void Finite(double? value, string key, Collector v)
    {
        if (value is { } x && !double.IsFinite(x))
        {
            v.Add(key, $"{Format(x)} is not a finite number", "give a finite number, or remove the key for no bound");
        }
    }

    private static void Share(double? value, string key, Collector v)
    {
        if (value is { } x && !(x >= 0 && x <= 1))
        {
            v.Add(key, $"{Format(x)} is not a share", "give a fraction between 0 and 1, e.g. 0.05 for 5%");
        }
    }

    private void ValidatePredictionDrift(ModelRules rules, Collector v)
    {
        var p = rules.PredictionDrift;
        if (!p.Enabled || rules.Task is not { } task)
        {
            return;
        }

        var source = p.Source ?? PredictionDriftRule.DefaultSource(task);
        bool fits = source switch
        {
            PredictionSource.Value => task == ModelTask.Regression,
            PredictionSource.Score => task == ModelTask.BinaryClassification,
            _ => task != ModelTask.Regression,
        };
        if (!fits)
        {
            string valid = task switch
            {
                ModelTask.BinaryClassification => "score or label",
                ModelTask.MulticlassClassification => "label",
                _ => "value",
            };
            v.Add("prediction_drift.source", $"a {RuleNames.Of(task)} model has no prediction {RuleNames.Of(RuleNames.PredictionSources, source)}", $"use `source: {valid.Split(' ')[0]}` ({valid} for this task)");
            return;
        }

        ValidateTests(p.Tests, PredictionDriftRule.KindOf(source), "prediction_drift.tests", $"the prediction {RuleNames.Of(RuleNames.PredictionSources, source)}", v);
    }

    private static void ValidateWindow(WindowRule w, Collector v)
    {
        if (w.Size is not { } size)
        {
            v.Add("window.size", "the window size is required", "add `size:` with a duration such as 1h or 1d");
        }
        else if (size <= TimeSpan.Zero)
        {
            v.Add("window.size", $"the window size {Format(size)} is not positive", "give a positive duration such as 1h");
        }

        if (w.Offset < TimeSpan.Zero)
        {
            v.Add("window.offset", $"the offset {Format(w.Offset)} is negative", "give a duration from 0 up to the window size, e.g. 6h");
        }
        else if (w.Size is { } s && s > TimeSpan.Zero && w.Offset >= s)
        {
            v.Add("window.offset", $"the offset {Format(w.Offset)} is not shorter than the window size {Format(s)}", $"use an offset below {Format(s)} (offsets repeat every window)");
        }

        if (w.AllowedLateness < TimeSpan.Zero)
        {
            v.Add("window.allowed_lateness", $"the allowed lateness {Format(w.AllowedLateness)} is negative", "give 0 or a positive duration such as 5m");
        }

        if (w.Slide is { } slide)
        {
            if (slide <= TimeSpan.Zero)
            {
                v.Add("window.slide", $"the slide {Format(slide)} is not positive", "give a positive duration that divides the window size, or remove `slide` for tumbling windows");
            }
            else if (w.Size is { } sz && sz > TimeSpan.Zero && (slide > sz || sz.Ticks % slide.Ticks != 0))
            {
                v.Add("window.slide", $"the slide {Format(slide)} does not divide the window size {Format(sz)}", $"use a slide that divides {Format(sz)} exactly (e.g. {Format(DividingSlide(sz, slide))}), since sliding windows are merged from whole panes");
            }
        }
    }

    /// <summary>The largest round slide not above <paramref name="slide"/> that divides <paramref name="size"/>.</summary>
    private static TimeSpan DividingSlide(TimeSpan size, TimeSpan slide)
    {
        long unit = slide >= TimeSpan.FromMinutes(1) ? TimeSpan.TicksPerMinute : slide >= TimeSpan.FromSeconds(1) ? TimeSpan.TicksPerSecond : 1;
        long first = Math.Max(1, (size.Ticks + slide.Ticks - 1) / slide.Ticks);
        for (long k = first; k < first + 10_000; k++)
        {
            if (size.Ticks % k == 0 && (size.Ticks / k) % unit == 0)
            {
                return TimeSpan.FromTicks(size.Ticks / k);
            }
        }

        return size;
    }

    private void ValidateSchedule(ScheduleRule s, Collector v)
    {
        if (string.IsNullOrWhiteSpace(s.Cron))
        {
            v.Add("schedule.cron", "the cron expression is empty", $"give a Quartz cron expression (seconds first), e.g. `{ScheduleRule.DefaultCron}`");
        }
        else if (_cronCheck?.Invoke(s.Cron) is { } problem)
        {
            v.Add("schedule.cron", $"'{s.Cron}' is not a valid Quartz cron expression ({problem.TrimEnd('.')})", "Quartz cron has 6 or 7 fields, seconds first, and `?` in day-of-month or day-of-week, e.g. `0 */5 * * * ?`");
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(s.TimeZone, out _))
        {
            v.Add("schedule.timezone", $"unknown time zone '{s.TimeZone}'", "use an IANA time zone id such as UTC or Europe/Berlin");
        }
    }

    private static void ValidateBaseline(BaselineRule? b, Collector v)
    {
        if (b is null)
        {
            v.Add("baseline", "the baseline is required", "add `baseline: { kind: file, path: <profile built by monitor baseline build> }` (or kind window / rolling)");
            return;
        }

        if (b.Kind is not { } kind)
        {
            v.Add("baseline.kind", "the baseline kind is required", $"add `kind:` with one of {Join(RuleNames.BaselineKinds.Keys)}");
            return;
        }

        if (kind == BaselineKind.File && string.IsNullOrWhiteSpace(b.Path))
        {
            v.Add("baseline.path", "a file baseline needs a path", "add `path:` with the profile file written by `monitor baseline build`");
        }
        else if (kind != BaselineKind.File && b.Path is not null)
        {
            v.Add("baseline.path", $"`path` is used only by kind file, not {RuleNames.Of(RuleNames.BaselineKinds, kind)}", "remove `path`, or set `kind: file`");
        }

        if (kind == BaselineKind.Window)
        {
            if (b.Start is null)
            {
                v.Add("baseline.start", "a window baseline needs a start", "add `start:` with an ISO-8601 time such as 2026-11-01T00:00:00Z");
            }

            if (b.End is null)
            {
                v.Add("baseline.end", "a window baseline needs an end", "add `end:` with an ISO-8601 time after the start");
            }

            if (b.Start is { } start && b.End is { } end && end <= start)
            {
                v.Add("baseline.end", $"the end {end:O} is not after the start {start:O}", "give an end later than the start");
            }
        }
        else
        {
            if (b.Start is not null)
            {
                v.Add("baseline.start", "`start` is used only by kind window", "remove `start`, or set `kind: window`");
            }

            if (b.End is not null)
            {
                v.Add("baseline.end", "`end` is used only by kind window", "remove `end`, or set `kind: window`");
            }
        }

        if (kind == BaselineKind.Rolling)
        {
            if (b.Windows is { } n && n < 1)
            {
                v.Add("baseline.windows", $"{n} windows is not a count of windows", "give 1 or more preceding windows");
            }
        }
        else if (b.Windows is not null)
        {
            v.Add("baseline.windows", "`windows` is used only by kind rolling", "remove `windows`, or set `kind: rolling`");
        }

        if (b.PsiBins < 2)
        {
            v.Add("baseline.psi_bins", $"{b.PsiBins} bins cannot show a shift", "give 2 or more bins (10 is the default)");
        }
    }

    private static void ValidateSketch(SketchRule s, Collector v)
    {
        if (s.ExactLimit < 1)
        {
            v.Add("sketch.exact_limit", $"{s.ExactLimit} is not a count of values", "give 1 or more (default 100000)");
        }

        if (s.ExactMemoryMb is < 1 or > 1_048_576)
        {
            v.Add("sketch.exact_memory_mb", $"{s.ExactMemoryMb} MiB is not a usable memory bound", "give 1 to 1048576 MiB (default 64)");
        }

        if (s.KllK is < 8 or > 65535)
        {
            v.Add("sketch.kll_k", $"{s.KllK} is outside the KLL sketch's range", "give a k from 8 to 65535 (default 200; rank error ≈ 1.65/k)");
        }

        if (s.CategoryCap < 1)
        {
            v.Add("sketch.category_cap", $"{s.CategoryCap} is not a count of categories", "give 1 or more (default 1000)");
        }
    }

    private static void ValidateDatasetDrift(DatasetDriftRule d, Collector v)
    {
        bool ok = true;
        foreach (var (value, key) in new[] { (d.WarningShare, "dataset_drift.warning_share"), (d.CriticalShare, "dataset_drift.critical_share") })
        {
            if (!(value > 0 && value <= 1))
            {
                v.Add(key, $"{Format(value)} is not a share of features", "give a fraction above 0 and at most 1, e.g. 0.3");
                ok = false;
            }
        }

        if (ok && d.CriticalShare < d.WarningShare)
        {
            v.Add("dataset_drift.critical_share", $"critical ({Format(d.CriticalShare)}) is below warning ({Format(d.WarningShare)})", "more drifted features is more severe: set critical_share ≥ warning_share");
        }
    }

    private static void ValidatePerformance(ModelRules rules, Collector v)
    {
        if (rules.Performance is not { } p)
        {
            return;
        }

        if (rules.Topics.Labels is null)
        {
            v.Add("topics.labels", "performance is monitored but no labels topic is given", "add `labels: <topic>` under `topics` (co-partitioned with the predictions), or remove `performance`");
        }

        if (p.LabelJoinTtl <= TimeSpan.Zero)
        {
            v.Add("performance.label_join_ttl", $"the label join TTL {Format(p.LabelJoinTtl)} is not positive", "give how long labels may take to arrive, e.g. 7d");
        }

        if (p.MinLabels < 1)
        {
            v.Add("performance.min_labels", $"{p.MinLabels} is not a count of labels", "give 1 or more (default 100)");
        }

        if (rules.Task is not { } task)
        {
            return;
        }

        var valid = PerformanceMetrics.For(task).Select(m => m.Name).ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var floor in p.Floors)
        {
            string key = $"performance.floors.{floor.Metric}";
            if (!seen.Add(floor.Metric))
            {
                v.Add(key, $"metric '{floor.Metric}' is listed twice", "keep one entry per metric");
                continue;
            }

            if (PerformanceMetrics.Find(task, floor.Metric) is not { } info)
            {
                string? near = NameSuggestion.Closest(floor.Metric, valid);
                v.Add(key, $"'{floor.Metric}' is not a metric of a {RuleNames.Of(task)} model",
                    (near is null ? string.Empty : $"did you mean '{near}'? ") + $"metrics for this task are {Join(valid)}");
                continue;
            }

            if (floor.Warning is null && floor.Critical is null)
            {
                v.Add(key, $"metric '{floor.Metric}' has neither a warning nor a critical limit", "add `warning:` and/or `critical:`");
                continue;
            }

            bool ok = MetricLimit(floor.Warning, info, $"{key}.warning", v) & MetricLimit(floor.Critical, info, $"{key}.critical", v);
            if (ok && floor.Warning is { } w && floor.Critical is { } c)
            {
                if (info.HigherIsBetter && c > w)
                {
                    v.Add($"{key}.critical", $"for {info.Name} higher is better, so the critical floor ({Format(c)}) must not be above the warning floor ({Format(w)})", "set critical ≤ warning, e.g. warning: 0.85, critical: 0.8");
                }
                else if (!info.HigherIsBetter && c < w)
                {
                    v.Add($"{key}.critical", $"{info.Name} is an error, so the critical ceiling ({Format(c)}) must not be below the warning ceiling ({Format(w)})", "set critical ≥ warning for error metrics");
                }
            }
        }
    }

    private static bool MetricLimit(double? value, PerformanceMetrics.Info info, string key, Collector v)
    {
        if (value is { } x && !(double.IsFinite(x) && x >= info.Min && x <= info.Max))
        {
            string range = double.IsInfinity(info.Max) ? $"a finite number ≥ {Format(info.Min)}"
                : double.IsInfinity(info.Min) ? $"a finite number ≤ {Format(info.Max)}"
                : $"a number from {Format(info.Min)} to {Format(info.Max)}";
            v.Add(key, $"{Format(x)} is outside the range of {info.Name}", $"give {range}");
            return false;
        }

        return true;
    }

    private static void ValidateAlerts(AlertRules a, Collector v)
    {
        OptionalUrl(a.RunbookUrl, "alerts.runbook_url", v);
        OptionalUrl(a.DashboardUrl, "alerts.dashboard_url", v);
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < a.Routes.Count; i++)
        {
            var r = a.Routes[i];
            string key = $"alerts.routes[{i}]";
            if (string.IsNullOrWhiteSpace(r.Name))
            {
                v.Add($"{key}.name", "the route name is required", "add `name:` (unique in the file; it keys delivery de-duplication)");
            }
            else if (!names.TryAdd(r.Name, i))
            {
                v.Add($"{key}.name", $"route '{r.Name}' is defined twice (also alerts.routes[{names[r.Name]}])", "give every route its own name");
            }

            if (r.Channel is not { } channel)
            {
                v.Add($"{key}.channel", "the channel is required", $"add `channel:` with one of {Join(RuleNames.Channels.Keys)}");
            }
            else if (r.Targets.Count == 0)
            {
                v.Add($"{key}.targets", "the route has no targets", channel == AlertChannel.Email ? "list at least one e-mail address" : "list at least one absolute http(s) URL");
            }
            else
            {
                for (int j = 0; j < r.Targets.Count; j++)
                {
                    string target = r.Targets[j];
                    string targetKey = $"{key}.targets[{j}]";
                    if (channel == AlertChannel.Email)
                    {
                        if (!MailAddress.TryCreate(target, out var address) || !string.Equals(address.Address, target.Trim(), StringComparison.Ordinal))
                        {
                            v.Add(targetKey, $"'{target}' is not an e-mail address", "write a plain address such as oncall@example.com");
                        }
                    }
                    else
                    {
                        Url(target, targetKey, v);
                    }
                }
            }

            if (r.ForWindows < 1)
            {
                v.Add($"{key}.for_windows", $"{r.ForWindows} is not a count of windows", "give 1 or more (1 fires on the first bad window)");
            }

            if (r.Cooldown < TimeSpan.Zero)
            {
                v.Add($"{key}.cooldown", $"the cooldown {Format(r.Cooldown)} is negative", "give 0 or a positive duration such as 1h");
            }

            if (r.RenotifyInterval is { } renotify && renotify <= TimeSpan.Zero)
            {
                v.Add($"{key}.renotify_interval", $"the renotify interval {Format(renotify)} is not positive", "give a positive duration such as 4h, or remove the key to notify once");
            }

            if (r.ResolveAfter < 1)
            {
                v.Add($"{key}.resolve_after", $"{r.ResolveAfter} is not a count of windows", "give 1 or more clean windows");
            }

            OptionalUrl(r.RunbookUrl, $"{key}.runbook_url", v);
            OptionalUrl(r.DashboardUrl, $"{key}.dashboard_url", v);
        }
    }

    private static void ValidateRetrain(ModelRules rules, Collector v)
    {
        if (rules.Retrain is not { } r)
        {
            return;
        }

        if (r.DatasetDriftWindows is null && !r.OnPerformanceFloorBreached)
        {
            v.Add("retrain.conditions", "no retrain condition is set", "add `dataset_drift_windows: <N>` and/or `performance_floor_breached: true` under `conditions`");
        }

        if (r.DatasetDriftWindows is { } n && n < 1)
        {
            v.Add("retrain.conditions.dataset_drift_windows", $"{n} is not a count of windows", "give 1 or more consecutive windows");
        }

        if (r.OnPerformanceFloorBreached && (rules.Performance is null || rules.Performance.Floors.Count == 0))
        {
            v.Add("retrain.conditions.performance_floor_breached", "no performance floors are set, so this condition can never hold", "add floors under `performance.floors`, or remove the condition");
        }

        if (r.Webhook is null)
        {
            v.Add("retrain.webhook", "the retrain webhook is required", "add `webhook:` with the absolute http(s) URL of the retraining pipeline");
        }
        else
        {
            Url(r.Webhook, "retrain.webhook", v);
        }

        if (r.SecretEnv is not null && !EnvNamePattern().IsMatch(r.SecretEnv))
        {
            v.Add("retrain.secret_env", $"'{r.SecretEnv}' is not an environment variable name", "give the variable's name (letters, digits, '_', not starting with a digit), never the secret itself");
        }

        if (r.MinInterval <= TimeSpan.Zero)
        {
            v.Add("retrain.min_interval", $"the minimum interval {Format(r.MinInterval)} is not positive", "give a positive duration such as 24h");
        }
    }

    private static void OptionalUrl(string? url, string key, Collector v)
    {
        if (url is not null)
        {
            Url(url, key, v);
        }
    }

    private static void Url(string url, string key, Collector v)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || string.IsNullOrEmpty(uri.Host))
        {
            v.Add(key, $"'{url}' is not an absolute http(s) URL", "write an absolute http(s) URL including the scheme, e.g. https://hooks.example.com/monitor");
        }
    }

    private static string Leaf(string key) => key[(key.LastIndexOf('.') + 1)..];

    private static string Join(IEnumerable<string> names) => string.Join(", ", names);

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Format(TimeSpan value) => DurationText.Format(value);

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex ModelNamePattern();

    [GeneratedRegex("^[A-Za-z0-9._-]{1,249}$")]
    private static partial Regex TopicPattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvNamePattern();

    private sealed class Collector(string file)
    {
        public List<RuleError> Errors { get; } = [];

        public void Add(string key, string message, string fix) => Errors.Add(new RuleError(file, key, message, fix));
    }
}
