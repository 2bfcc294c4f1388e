using Monitor.Core.Rules;
using YamlDotNet.RepresentationModel;

namespace Monitor.Worker.Rules;

/// <summary>
/// Turns one rule file's YAML tree into <see cref="ModelRules"/>. The key lists here are the schema: a key not
/// listed is an error with a "did you mean" suggestion, so a typo never silently falls back to a default.
/// </summary>
internal static class RuleFileParser
{
    private const string TestsFix = "write tests as a mapping from test name to thresholds, e.g. `ks: { warning: 0.05, critical: 0.01 }`";

    /// <summary>The rules, or <see langword="null"/> when the document is not a mapping (the error is recorded).</summary>
    public static ModelRules? Parse(YamlNode root, YamlReader r)
    {
        r.Locate(string.Empty, root.Start);
        var m = r.Map(
            root,
            string.Empty,
            "model", "task", "topics", "fields", "features", "prediction_drift", "window", "schedule", "baseline",
            "sketch", "dataset_drift", "performance", "alerts", "retrain");
        if (m is null)
        {
            if (YamlReader.IsNull(root))
            {
                r.Error(RuleError.DocumentKey, root.Start, "the file is empty", "copy rules/example.yaml and adapt it");
            }

            return null;
        }

        var rules = new ModelRules();
        if (m.Map("model", "name", "version") is { } model)
        {
            rules = rules with { Name = model.String("name"), Version = model.String("version") };
        }

        rules = rules with
        {
            Task = m.Enum("task", RuleNames.Tasks),
            Topics = Topics(m.Map("topics", "predictions", "features", "labels", "dead_letter")),
            Fields = Fields(m.Map("fields", "event_id", "model", "model_version", "timestamp", "features", "prediction", "labels")),
            Features = Features(m, r),
            PredictionDrift = PredictionDrift(m.Map("prediction_drift", "enabled", "source", "tests"), r),
            Window = Window(m.Map("window", "size", "offset", "allowed_lateness", "slide")),
            Schedule = Schedule(m.Map("schedule", "cron", "evaluate_open_window", "timezone")),
            Baseline = Baseline(m.Map("baseline", "kind", "path", "start", "end", "windows", "psi_bins")),
            Sketch = Sketch(m.Map("sketch", "exact_limit", "exact_memory_mb", "kll_k", "category_cap")),
            DatasetDrift = DatasetDrift(m.Map("dataset_drift", "warning_share", "critical_share", "correction")),
            Performance = Performance(m.Map("performance", "label_join_ttl", "min_labels", "floors"), r),
            Alerts = Alerts(m.Map("alerts", "runbook_url", "dashboard_url", "routes"), r),
            Retrain = Retrain(m.Map("retrain", "conditions", "webhook", "secret_env", "min_interval")),
        };
        return rules;
    }

    private static TopicRules Topics(YamlMap? m) => m is null ? new TopicRules() : new TopicRules
    {
        Predictions = m.String("predictions"),
        Features = m.String("features"),
        Labels = m.String("labels"),
        DeadLetter = m.String("dead_letter"),
    };

    private static FieldPaths Fields(YamlMap? m)
    {
        var f = new FieldPaths();
        if (m is null)
        {
            return f;
        }

        f = f with
        {
            EventId = m.String("event_id") ?? f.EventId,
            Model = m.String("model") ?? f.Model,
            ModelVersion = m.String("model_version") ?? f.ModelVersion,
            Timestamp = m.String("timestamp") ?? f.Timestamp,
            Features = m.String("features") ?? f.Features,
        };
        if (m.Map("prediction", "score", "label", "value", "scores") is { } p)
        {
            f = f with
            {
                PredictionScore = p.String("score") ?? f.PredictionScore,
                PredictionLabel = p.String("label") ?? f.PredictionLabel,
                PredictionValue = p.String("value") ?? f.PredictionValue,
                PredictionScores = p.String("scores") ?? f.PredictionScores,
            };
        }

        if (m.Map("labels", "event_id", "label", "value", "timestamp") is { } l)
        {
            f = f with
            {
                LabelEventId = l.String("event_id") ?? f.LabelEventId,
                Label = l.String("label") ?? f.Label,
                LabelValue = l.String("value") ?? f.LabelValue,
                LabelTimestamp = l.String("timestamp") ?? f.LabelTimestamp,
            };
        }

        return f;
    }

    private static List<FeatureRule> Features(YamlMap m, YamlReader r)
    {
        var seq = m.Sequence("features", "list features as `- { name: amount, kind: numeric }` entries");
        var features = new List<FeatureRule>();
        if (seq is null)
        {
            return features;
        }

        int i = 0;
        foreach (var item in seq.Children)
        {
            string key = $"features[{i++}]";
            var f = r.Map(item, key, "name", "kind", "path", "tests", "quality");
            if (f is null)
            {
                if (YamlReader.IsNull(item))
                {
                    r.Error(key, item.Start, "the list entry is empty", "write `- { name: <feature>, kind: numeric|categorical }`");
                }

                features.Add(new FeatureRule());
                continue;
            }

            features.Add(new FeatureRule
            {
                Name = f.String("name"),
                Kind = f.Enum("kind", RuleNames.FeatureKinds),
                Path = f.String("path"),
                Tests = Tests(f.ValueOf("tests"), f.KeyOf("tests"), r),
                Quality = Quality(f.Map("quality", "min", "max", "allowed_categories", "max_missing_share", "max_type_error_share")),
            });
        }

        return features;
    }

    private static List<DriftTestRule> Tests(YamlNode? node, string key, YamlReader r)
    {
        var tests = new List<DriftTestRule>();
        if (node is null)
        {
            return tests;
        }

        // A list of bare names (`tests: [ks, psi]`) is accepted too: every test then uses its default thresholds.
        if (node is YamlSequenceNode names)
        {
            r.Locate(key, node.Start);
            int i = 0;
            foreach (var item in names.Children)
            {
                if (item is YamlScalarNode { Value: { Length: > 0 } name })
                {
                    r.Locate($"{key}.{name}", item.Start);
                    tests.Add(new DriftTestRule { Name = name });
                }
                else
                {
                    r.Error($"{key}[{i}]", item.Start, $"expected a test name but found {YamlReader.Describe(item)}", TestsFix);
                }

                i++;
            }

            return tests;
        }

        if (node is not YamlMappingNode)
        {
            r.Locate(key, node.Start);
            r.Error(key, node.Start, $"expected a mapping of tests but found {YamlReader.Describe(node)}", TestsFix);
            return tests;
        }

        var map = new YamlMap(r, (YamlMappingNode)node, key, known: null);
        r.Locate(key, node.Start);
        foreach (var (name, value) in map.Entries)
        {
            string testKey = YamlReader.Child(key, name);
            if (YamlReader.IsNull(value))
            {
                tests.Add(new DriftTestRule { Name = name });
                continue;
            }

            var t = r.Map(value, testKey, "warning", "critical");
            tests.Add(new DriftTestRule { Name = name, Warning = t?.Double("warning"), Critical = t?.Double("critical") });
        }

        return tests;
    }

    private static QualityLimits Quality(YamlMap? m)
    {
        if (m is null)
        {
            return new QualityLimits();
        }

        var q = new QualityLimits
        {
            Min = m.Double("min"),
            Max = m.Double("max"),
            MaxMissingShare = m.Double("max_missing_share"),
            MaxTypeErrorShare = m.Double("max_type_error_share"),
        };
        var allowed = m.ValueOf("allowed_categories");
        if (allowed is YamlScalarNode { Value: "baseline" })
        {
            return q with { AllowedCategoriesFromBaseline = true };
        }

        if (allowed is not null)
        {
            return q with { AllowedCategories = m.StringList("allowed_categories", "list the categories, e.g. `[DE, FR, US]`, or write `baseline` to learn them from the baseline") };
        }

        return q;
    }

    private static PredictionDriftRule PredictionDrift(YamlMap? m, YamlReader r)
    {
        var p = new PredictionDriftRule();
        return m is null ? p : p with
        {
            Enabled = m.Bool("enabled") ?? p.Enabled,
            Source = m.Enum("source", RuleNames.PredictionSources),
            Tests = Tests(m.ValueOf("tests"), m.KeyOf("tests"), r),
        };
    }

    private static WindowRule Window(YamlMap? m)
    {
        var w = new WindowRule();
        return m is null ? w : w with
        {
            Size = m.Duration("size"),
            Offset = m.Duration("offset") ?? w.Offset,
            AllowedLateness = m.Duration("allowed_lateness") ?? w.AllowedLateness,
            Slide = m.Duration("slide"),
        };
    }

    private static ScheduleRule Schedule(YamlMap? m)
    {
        var s = new ScheduleRule();
        return m is null ? s : s with
        {
            Cron = m.Has("cron") ? m.String("cron") : s.Cron,
            EvaluateOpenWindow = m.Bool("evaluate_open_window") ?? s.EvaluateOpenWindow,
            TimeZone = m.String("timezone") ?? s.TimeZone,
        };
    }

    private static BaselineRule? Baseline(YamlMap? m)
    {
        if (m is null)
        {
            return null;
        }

        var b = new BaselineRule();
        return b with
        {
            Kind = m.Enum("kind", RuleNames.BaselineKinds),
            Path = m.String("path"),
            Start = m.Time("start"),
            End = m.Time("end"),
            Windows = m.Int("windows"),
            PsiBins = m.Int("psi_bins") ?? b.PsiBins,
        };
    }

    private static SketchRule Sketch(YamlMap? m)
    {
        var s = new SketchRule();
        return m is null ? s : s with
        {
            ExactLimit = m.Int("exact_limit") ?? s.ExactLimit,
            ExactMemoryMb = m.Int("exact_memory_mb") ?? s.ExactMemoryMb,
            KllK = m.Int("kll_k") ?? s.KllK,
            CategoryCap = m.Int("category_cap") ?? s.CategoryCap,
        };
    }

    private static DatasetDriftRule DatasetDrift(YamlMap? m)
    {
        var d = new DatasetDriftRule();
        return m is null ? d : d with
        {
            WarningShare = m.Double("warning_share") ?? d.WarningShare,
            CriticalShare = m.Double("critical_share") ?? d.CriticalShare,
            Correction = m.Enum("correction", RuleNames.Corrections) ?? d.Correction,
        };
    }

    private static PerformanceRule? Performance(YamlMap? m, YamlReader r)
    {
        if (m is null)
        {
            return null;
        }

        var p = new PerformanceRule();
        var floors = new List<MetricFloor>();
        var node = m.ValueOf("floors");
        if (node is not null)
        {
            string key = m.KeyOf("floors");
            if (node is YamlMappingNode mapping)
            {
                foreach (var (name, value) in new YamlMap(r, mapping, key, known: null).Entries)
                {
                    var f = r.Map(value, YamlReader.Child(key, name), "warning", "critical");
                    floors.Add(new MetricFloor { Metric = name, Warning = f?.Double("warning"), Critical = f?.Double("critical") });
                }
            }
            else
            {
                r.Error(key, node.Start, $"expected a mapping of metrics but found {YamlReader.Describe(node)}", "write floors as `roc_auc: { warning: 0.85, critical: 0.8 }` entries");
            }
        }

        return p with
        {
            LabelJoinTtl = m.Duration("label_join_ttl") ?? p.LabelJoinTtl,
            MinLabels = m.Int("min_labels") ?? p.MinLabels,
            Floors = floors,
        };
    }

    private static AlertRules Alerts(YamlMap? m, YamlReader r)
    {
        if (m is null)
        {
            return new AlertRules();
        }

        var routes = new List<AlertRoute>();
        if (m.Sequence("routes", "list routes as `- { name: oncall, channel: email, targets: [...] }` entries") is { } seq)
        {
            int i = 0;
            foreach (var item in seq.Children)
            {
                string key = $"{m.KeyOf("routes")}[{i++}]";
                var rm = r.Map(item, key, "name", "channel", "targets", "min_severity", "for_windows", "cooldown", "renotify_interval", "resolve_after", "runbook_url", "dashboard_url");
                if (rm is null)
                {
                    routes.Add(new AlertRoute());
                    continue;
                }

                var route = new AlertRoute();
                routes.Add(route with
                {
                    Name = rm.String("name"),
                    Channel = rm.Enum("channel", RuleNames.Channels),
                    Targets = rm.StringList("targets", "list targets, e.g. `[oncall@example.com]` or `[https://hooks.example.com/x]`") ?? [],
                    MinSeverity = rm.Enum("min_severity", RuleNames.Severities) ?? route.MinSeverity,
                    ForWindows = rm.Int("for_windows") ?? route.ForWindows,
                    Cooldown = rm.Duration("cooldown") ?? route.Cooldown,
                    RenotifyInterval = rm.Duration("renotify_interval"),
                    ResolveAfter = rm.Int("resolve_after") ?? route.ResolveAfter,
                    RunbookUrl = rm.String("runbook_url"),
                    DashboardUrl = rm.String("dashboard_url"),
                });
            }
        }

        return new AlertRules { RunbookUrl = m.String("runbook_url"), DashboardUrl = m.String("dashboard_url"), Routes = routes };
    }

    private static RetrainPolicy? Retrain(YamlMap? m)
    {
        if (m is null)
        {
            return null;
        }

        var p = new RetrainPolicy();
        if (m.Map("conditions", "dataset_drift_windows", "performance_floor_breached", "match") is { } c)
        {
            p = p with
            {
                DatasetDriftWindows = c.Int("dataset_drift_windows"),
                OnPerformanceFloorBreached = c.Bool("performance_floor_breached") ?? false,
                Match = c.Enum("match", RuleNames.RetrainMatches) ?? p.Match,
            };
        }

        return p with
        {
            Webhook = m.String("webhook"),
            SecretEnv = m.String("secret_env"),
            MinInterval = m.Duration("min_interval") ?? p.MinInterval,
        };
    }
}
