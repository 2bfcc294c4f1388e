using System.Globalization;
using Monitor.Core.Evaluation;
using Monitor.Core.Ingest;
using Monitor.Core.Rules;
using Monitor.Core.Windows;

namespace Monitor.Core.Pipeline;

/// <summary>
/// One model's engine: decodes prediction and label messages, accumulates them into event-time windows and
/// evaluates closed windows. Deterministic: the same messages in the same order give the same reports.
/// The watermark is the latest event time seen; windows close once it passes their end plus the allowed lateness.
/// </summary>
public sealed class ModelPipeline
{
    private readonly EventDecoder _predictionDecoder;
    private readonly DecodedEvent _prediction;
    private readonly EventDecoder? _labelDecoder;
    private readonly DecodedEvent? _label;
    private readonly ReferenceTracker? _reference;
    private WindowEvaluator _evaluator;
    private readonly Dictionary<DecodeOutcome, long> _rejected = [];
    private string? _lastVersion;

    /// <summary>Creates the pipeline for a compiled model.</summary>
    public ModelPipeline(CompiledModel model, WindowEngine? restored = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        _predictionDecoder = new EventDecoder(model.PredictionSchema);
        _prediction = _predictionDecoder.CreateBuffer();
        if (model.LabelSchema is not null)
        {
            _labelDecoder = new EventDecoder(model.LabelSchema);
            _label = _labelDecoder.CreateBuffer();
        }

        Engine = restored ?? new WindowEngine(model.Layout);
        _evaluator = new WindowEvaluator(model.Plan);
        if (ReferenceTracker.Applies(model.Rules.Baseline))
        {
            _reference = new ReferenceTracker(model.Rules.Baseline!, model.Layout, model.Model);
        }
    }

    /// <summary>The baseline of the latest evaluation (rolling and window baselines change as windows close).</summary>
    public string? BaselineId => _evaluator.Plan.BaselineId;

    /// <summary>The compiled model.</summary>
    public CompiledModel Model { get; }

    /// <summary>The window state (checkpointed by the daemon).</summary>
    public WindowEngine Engine { get; }

    /// <summary>Predictions of another model version than the rules monitor (skipped, counted).</summary>
    public long OtherVersion { get; private set; }

    /// <summary>Labels whose value could not be read as the task's label (counted, not joined).</summary>
    public long InvalidLabels { get; private set; }

    /// <summary>Messages rejected per reason (everything but Ok and OtherModel goes to the dead-letter topic).</summary>
    public IReadOnlyDictionary<DecodeOutcome, long> Rejected => _rejected;

    /// <summary>Decodes and accumulates one prediction (or feature-log) message.</summary>
    public DecodeOutcome OnPrediction(ReadOnlySpan<byte> message) => ApplyPrediction(_predictionDecoder.Decode(message, _prediction), _prediction);

    // The accumulate half of OnPrediction, for a prediction decoded by an EventDecoder over the model's
    // PredictionSchema (a failed outcome is counted and returned).
    internal DecodeOutcome ApplyPrediction(DecodeOutcome outcome, DecodedEvent prediction)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        if (outcome != DecodeOutcome.Ok)
        {
            Count(outcome);
            return outcome;
        }

        if (Model.Rules.Version is { } wanted && !string.Equals(prediction.ModelVersion, wanted, StringComparison.Ordinal))
        {
            OtherVersion++;
            return DecodeOutcome.Ok;
        }

        _lastVersion = prediction.ModelVersion ?? _lastVersion;
        Engine.AddPrediction(prediction);
        Engine.AdvanceWatermark(prediction.Timestamp);
        return DecodeOutcome.Ok;
    }

    /// <summary>Decodes and joins one label message.</summary>
    public DecodeOutcome OnLabel(ReadOnlySpan<byte> message)
    {
        if (_labelDecoder is null || _label is null)
        {
            throw new InvalidOperationException($"Model '{Model.Model}' has no label topic or performance rules.");
        }

        return ApplyLabel(_labelDecoder.Decode(message, _label), _label);
    }

    // The join half of OnLabel, for a label decoded by an EventDecoder over the model's LabelSchema.
    internal DecodeOutcome ApplyLabel(DecodeOutcome outcome, DecodedEvent label)
    {
        ArgumentNullException.ThrowIfNull(label);
        if (outcome != DecodeOutcome.Ok)
        {
            Count(outcome);
            return outcome;
        }

        string id = label.EventId!;
        switch (Model.Task)
        {
            case ModelTask.Regression:
                if (label.NumericState[Model.LabelValueSlot] != FieldState.Present)
                {
                    return MissingLabel();
                }

                Engine.AddLabel(id, label.Timestamp, label.Numeric[Model.LabelValueSlot]);
                break;
            case ModelTask.BinaryClassification:
                if (label.CategoricalState[Model.LabelClassSlot] != FieldState.Present || !TryBinary(label.Category(Model.LabelClassSlot), out double truth))
                {
                    return MissingLabel();
                }

                Engine.AddLabel(id, label.Timestamp, truth);
                break;
            default:
                if (label.CategoricalState[Model.LabelClassSlot] != FieldState.Present)
                {
                    return MissingLabel();
                }

                Engine.AddLabel(id, label.Timestamp, label.Category(Model.LabelClassSlot).ToString());
                break;
        }

        return DecodeOutcome.Ok;
    }

    /// <summary>Moves the watermark (e.g. from a clock when traffic stops) and closes what it passes.</summary>
    public void AdvanceWatermark(DateTimeOffset watermark) => Engine.AdvanceWatermark(watermark);

    /// <summary>Reports for every window closed (and, when asked, back-filled) since the last call, oldest first;
    /// and, when asked, provisional reports for the open windows.</summary>
    /// <param name="includeOpen">Also report the open windows, provisionally.</param>
    /// <param name="includeBackfills">Also report closed windows whose performance changed through late labels.</param>
    public IReadOnlyList<WindowReport> Evaluate(bool includeOpen = false, bool includeBackfills = true)
    {
        var reports = new List<WindowReport>();
        foreach (var window in Engine.TakeReady(includeBackfills))
        {
            reports.Add(_evaluator.Evaluate(window, _lastVersion));
            if (_reference is not null && _reference.Observe(window) && _reference.Profile(window.Range.End) is { } profile)
            {
                // The next window is compared with the new reference (the plan's indices follow the same rules).
                _evaluator = new WindowEvaluator(CompiledModel.Compile(Model.Rules, profile, Model.Plan.Registry).Plan);
            }
        }

        if (includeOpen)
        {
            foreach (var window in Engine.SnapshotOpen())
            {
                reports.Add(_evaluator.Evaluate(window, _lastVersion));
            }
        }

        return reports;
    }

    private DecodeOutcome MissingLabel()
    {
        InvalidLabels++;
        Count(DecodeOutcome.MissingLabel);
        return DecodeOutcome.MissingLabel;
    }

    private void Count(DecodeOutcome outcome) => _rejected[outcome] = _rejected.GetValueOrDefault(outcome) + 1;

    /// <summary>Reads a binary label: 1/0, true/false, or a number equal to 1 or 0.</summary>
    internal static bool TryBinary(ReadOnlySpan<char> text, out double value)
    {
        if (text.Equals("true", StringComparison.OrdinalIgnoreCase))
        {
            value = 1;
            return true;
        }

        if (text.Equals("false", StringComparison.OrdinalIgnoreCase))
        {
            value = 0;
            return true;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d is 0 or 1)
        {
            value = d;
            return true;
        }

        value = double.NaN;
        return false;
    }
}
