using Monitor.Core.Accumulators;
using Monitor.Core.Baselines;
using Monitor.Core.Drift;
using Monitor.Core.Evaluation;
using Monitor.Core.Ingest;
using Monitor.Core.Rules;
using Monitor.Core.Statistics;
using Monitor.Core.Windows;

namespace Monitor.Core.Pipeline;

/// <summary>
/// One model's rule file and baseline compiled into what the engine runs: the decoders' schemas, the window
/// layout and the evaluation plan. The daemon and <c>monitor replay</c> both run exactly this.
/// </summary>
public sealed class CompiledModel
{
    /// <summary>The channel name of the model's output.</summary>
    public const string PredictionChannel = BaselineProfile.PredictionChannel;

    /// <summary>The channel name of the ground truth (label drift).</summary>
    public const string LabelChannel = "label";

    private CompiledModel(ModelRules rules, BaselineProfile? baseline, EventSchema predictions, EventSchema? labels, ModelLayout layout, EvaluationPlan plan,
        int labelClassSlot, int labelValueSlot)
    {
        Rules = rules;
        Baseline = baseline;
        PredictionSchema = predictions;
        LabelSchema = labels;
        Layout = layout;
        Plan = plan;
        LabelClassSlot = labelClassSlot;
        LabelValueSlot = labelValueSlot;
    }

    /// <summary>The model's name.</summary>
    public string Model => Rules.Name!;

    /// <summary>The validated rules.</summary>
    public ModelRules Rules { get; }

    /// <summary>The baseline, when one is loaded, without its numeric channels' exact values (the plans hold them).</summary>
    public BaselineProfile? Baseline { get; }

    /// <summary>What the prediction (and feature-log) decoder reads.</summary>
    public EventSchema PredictionSchema { get; }

    /// <summary>What the label decoder reads; <see langword="null"/> without a label topic or performance rules.</summary>
    public EventSchema? LabelSchema { get; }

    /// <summary>The per-pane accumulators.</summary>
    public ModelLayout Layout { get; }

    /// <summary>How windows are judged.</summary>
    public EvaluationPlan Plan { get; }

    /// <summary>The label decoder's categorical slot for class labels (−1 when unused).</summary>
    public int LabelClassSlot { get; }

    /// <summary>The label decoder's numeric slot for regression targets (−1 when unused).</summary>
    public int LabelValueSlot { get; }

    /// <summary>The task.</summary>
    public ModelTask Task => Rules.Task!.Value;

    /// <summary>
    /// Compiles validated rules. Without a baseline the windows are accumulated and reported (counts, quality,
    /// performance) but no drift test runs.
    /// </summary>
    /// <param name="rules">Rules that passed <see cref="RuleValidator"/>.</param>
    /// <param name="baseline">The reference profile, if available.</param>
    /// <param name="registry">The drift tests.</param>
    /// <param name="modelFieldRequired">Whether events must carry the model name (several models share a topic).</param>
    /// <param name="forceExact">Keep every value exactly, whatever the window size (replay's --exact).</param>
    public static CompiledModel Compile(ModelRules rules, BaselineProfile? baseline, DriftTestRegistry registry, bool modelFieldRequired = true, bool forceExact = false)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(registry);
        string model = rules.Name ?? throw new ArgumentException("The rules name no model; validate them first.", nameof(rules));
        var task = rules.Task ?? throw new ArgumentException("The rules name no task; validate them first.", nameof(rules));
        var f = rules.Fields;
        bool labelled = rules.Topics.Labels is not null && rules.Performance is not null;
        var predictions = new EventSchema(
            model,
            FieldPath.Parse(f.Timestamp),
            labelled ? FieldPath.Parse(f.EventId) : null, // ids are kept only to join labels: none, no allocation
            modelFieldRequired ? FieldPath.Parse(f.Model) : null,
            FieldPath.Parse(f.ModelVersion),
            requireEventId: labelled);
        var featuresRoot = FieldPath.Parse(f.Features);
        var numeric = new List<NumericChannel>();
        var categorical = new List<CategoricalChannel>();
        var numericPlans = new List<NumericPlan>();
        var categoricalPlans = new List<CategoricalPlan>();
        var sketch = rules.Sketch;

        NumericAccumulatorOptions Options(double? min, double? max) => new()
        {
            ExactLimit = forceExact ? int.MaxValue : sketch.ExactLimit,
            SketchK = sketch.KllK,
            RangeMin = min ?? double.NegativeInfinity,
            RangeMax = max ?? double.PositiveInfinity,
        };

        void AddNumeric(string name, StreamRole role, int slot, IReadOnlyList<DriftTestRule> tests, QualityLimits quality)
        {
            var profile = baseline?.Numeric.GetValueOrDefault(name);
            var bins = profile?.ToBins();
            numeric.Add(new NumericChannel(name, role, slot, Options(quality.Min, quality.Max), bins));
            if (profile is { Count: > 0 })
            {
                var qualityPlan = new QualityPlan(quality.MaxMissingShare, quality.MaxTypeErrorShare, quality.Min is not null || quality.Max is not null ? 0 : null);
                numericPlans.Add(new NumericPlan(name, role, numeric.Count - 1, profile.ToSample(), bins is null ? null : profile.BinCounts,
                    Tests(tests, FeatureKind.Numeric, registry), qualityPlan));
            }
        }

        void AddCategorical(string name, StreamRole role, int slot, IReadOnlyList<DriftTestRule> tests, QualityLimits quality)
        {
            var profile = baseline?.Categorical.GetValueOrDefault(name);
            IReadOnlySet<string> known = quality.AllowedCategories is { } allowed
                ? new HashSet<string>(allowed, StringComparer.Ordinal)
                : new HashSet<string>((IEnumerable<string>?)profile?.Counts.Keys ?? [], StringComparer.Ordinal);
            categorical.Add(new CategoricalChannel(name, role, slot, known, sketch.CategoryCap));
            if (profile is { Count: > 0 })
            {
                // An explicit list makes any other value an error; categories learnt from the baseline tolerate 1%
                // of new values per window before warning (new values are normal in live traffic).
                double? unseenLimit = quality.AllowedCategories is not null ? 0 : quality.AllowedCategoriesFromBaseline ? 0.01 : null;
                var qualityPlan = new QualityPlan(quality.MaxMissingShare, quality.MaxTypeErrorShare, null, unseenLimit);
                categoricalPlans.Add(new CategoricalPlan(name, role, categorical.Count - 1, profile.ToDistribution(),
                    Tests(tests, FeatureKind.Categorical, registry), qualityPlan));
            }
        }

        foreach (var feature in rules.Features)
        {
            var path = feature.Path is { } p ? FieldPath.Parse(p) : featuresRoot.Append(FieldPath.Parse(feature.Name!));
            if (feature.Kind == FeatureKind.Numeric)
            {
                AddNumeric(feature.Name!, StreamRole.Feature, predictions.AddNumeric(path), feature.Tests, feature.Quality);
            }
            else
            {
                AddCategorical(feature.Name!, StreamRole.Feature, predictions.AddCategorical(path), feature.Tests, feature.Quality);
            }
        }

        // The prediction fields the task defines; each gets a decoder slot whether or not its drift is measured.
        var source = rules.PredictionDrift.Source ?? PredictionDriftRule.DefaultSource(task);
        int scoreSlot = task == ModelTask.BinaryClassification ? predictions.AddNumeric(FieldPath.Parse(f.PredictionScore)) : -1;
        int valueSlot = task == ModelTask.Regression ? predictions.AddNumeric(FieldPath.Parse(f.PredictionValue)) : -1;
        int labelSlot = task != ModelTask.Regression ? predictions.AddCategorical(FieldPath.Parse(f.PredictionLabel)) : -1;
        if (rules.PredictionDrift.Enabled)
        {
            var none = new QualityLimits();
            switch (source)
            {
                case PredictionSource.Score when scoreSlot >= 0:
                    AddNumeric(PredictionChannel, StreamRole.Prediction, scoreSlot, rules.PredictionDrift.Tests, none with { Min = 0, Max = 1 });
                    break;
                case PredictionSource.Value when valueSlot >= 0:
                    AddNumeric(PredictionChannel, StreamRole.Prediction, valueSlot, rules.PredictionDrift.Tests, none);
                    break;
                case PredictionSource.Label when labelSlot >= 0:
                    AddCategorical(PredictionChannel, StreamRole.Prediction, labelSlot, rules.PredictionDrift.Tests, none);
                    break;
            }
        }

        EventSchema? labels = null;
        int labelClassSlot = -1;
        int labelValueSlot = -1;
        PerformancePlan? performancePlan = null;
        PerformanceKind? performanceKind = null;
        int predictionSlot = -1;
        if (labelled)
        {
            labels = new EventSchema(model, FieldPath.Parse(f.LabelTimestamp), FieldPath.Parse(f.LabelEventId), null, null, requireEventId: true);
            // Label drift: the ground truth's own distribution, fed by the join (no decoder slot), judged by an
            // effect size (labels are few at window close, and p-value tests flag noise there).
            if (task == ModelTask.Regression)
            {
                AddNumeric(LabelChannel, StreamRole.Label, -1, [new DriftTestRule { Name = "wasserstein_norm" }], new QualityLimits());
            }
            else
            {
                AddCategorical(LabelChannel, StreamRole.Label, -1, [new DriftTestRule { Name = "jensenshannon" }], new QualityLimits());
            }

            if (task == ModelTask.Regression)
            {
                labelValueSlot = labels.AddNumeric(FieldPath.Parse(f.LabelValue));
            }
            else
            {
                labelClassSlot = labels.AddCategorical(FieldPath.Parse(f.Label));
            }

            performanceKind = task switch
            {
                ModelTask.BinaryClassification => PerformanceKind.Binary,
                ModelTask.MulticlassClassification => PerformanceKind.Multiclass,
                _ => PerformanceKind.Regression,
            };
            predictionSlot = task switch
            {
                ModelTask.BinaryClassification => scoreSlot,
                ModelTask.MulticlassClassification => labelSlot,
                _ => valueSlot,
            };
            var perf = rules.Performance!;
            var floors = perf.Floors.Select(fl => new FloorPlan(
                fl.Metric,
                PerformanceMetrics.Find(task, fl.Metric)?.HigherIsBetter ?? true,
                fl.Warning,
                fl.Critical)).ToList();
            performancePlan = new PerformancePlan(performanceKind.Value, perf.MinLabels, floors,
                baseline?.Performance ?? new Dictionary<string, double?>(StringComparer.Ordinal));
        }

        var window = rules.Window;
        var spec = new WindowSpec(window.Size ?? throw new ArgumentException("The rules give no window size; validate them first.", nameof(rules)),
            window.Offset, window.Slide, window.AllowedLateness);
        var layout = new ModelLayout(model, spec, numeric, categorical, performanceKind, predictionSlot,
            forceExact ? int.MaxValue : sketch.ExactLimit, rules.Performance?.LabelJoinTtl ?? TimeSpan.Zero)
        {
            ExactMemoryBudget = forceExact ? long.MaxValue : sketch.ExactMemoryMb * 1024L * 1024L,
        };
        var correction = rules.DatasetDrift.Correction switch
        {
            PValueCorrection.Bonferroni => Correction.Bonferroni,
            PValueCorrection.BenjaminiHochberg => Correction.BenjaminiHochberg,
            _ => Correction.None,
        };
        var plan = new EvaluationPlan(model, baseline?.Id, numericPlans, categoricalPlans,
            rules.DatasetDrift.WarningShare, rules.DatasetDrift.CriticalShare, correction, performancePlan, registry);
        // The plans hold the reference samples now; the model keeps the profile without its exact values (100
        // features × 20,000 reference values were 16 MB held twice).
        return new CompiledModel(rules, baseline?.WithoutNumericValues(), predictions, labels, layout, plan, labelClassSlot, labelValueSlot);
    }

    private static List<TestPlan> Tests(IReadOnlyList<DriftTestRule> rules, FeatureKind kind, DriftTestRegistry registry)
    {
        if (rules.Count == 0)
        {
            return [new TestPlan(null, null, null)];
        }

        var plans = new List<TestPlan>();
        foreach (var rule in rules)
        {
            IDriftTest test = kind == FeatureKind.Numeric
                ? registry.TryGetNumeric(rule.Name, out var n) ? n : throw new ArgumentException($"Unknown numeric test '{rule.Name}'; validate the rules first.", nameof(rules))
                : registry.TryGetCategorical(rule.Name, out var c) ? c : throw new ArgumentException($"Unknown categorical test '{rule.Name}'; validate the rules first.", nameof(rules));
            plans.Add(new TestPlan(test, rule.Warning, rule.Critical));
        }

        return plans;
    }
}
