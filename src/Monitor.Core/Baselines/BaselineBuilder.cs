using System.Globalization;
using Monitor.Core.Accumulators;
using Monitor.Core.Drift.Numeric;
using Monitor.Core.Evaluation;
using Monitor.Core.Ingest;
using Monitor.Core.Pipeline;
using Monitor.Core.Rules;
using Monitor.Core.Windows;

namespace Monitor.Core.Baselines;

/// <summary>
/// Builds a <see cref="BaselineProfile"/> from reference rows (training data) in the event contract's JSON shape,
/// with the same decoder and accumulators the daemon uses. Rows need no timestamp, event id or model field; a
/// row that also holds the ground truth (at the label path, default <c>label</c> / <c>value</c>) contributes to
/// the reference's own performance.
/// </summary>
/// <remarks>
/// Two passes when any numeric channel outgrew the exact limit: the first fits the PSI bins to the values
/// (or their sketch), the second counts every value into those bins, so reference bin counts are always exact.
/// </remarks>
public sealed class BaselineBuilder
{
    private readonly CompiledModel _model;
    private readonly EventDecoder _decoder;
    private readonly DecodedEvent _row;
    private readonly NumericAccumulator[] _numeric;
    private readonly CategoricalAccumulator[] _categorical;
    private readonly PerformanceAccumulator? _performance;
    private readonly int _labelClassSlot = -1;
    private readonly int _labelValueSlot = -1;
    private QuantileBins?[]? _bins;
    private long[][]? _secondPassCounts;
    private string? _version;

    /// <summary>Creates a builder for a model compiled without a baseline.</summary>
    /// <param name="model">The compiled model (its layout says what to profile).</param>
    /// <param name="psiBins">PSI bins per numeric channel (the rule's <c>baseline.psi_bins</c>).</param>
    public BaselineBuilder(CompiledModel model, int psiBins = QuantileBins.DefaultBinCount)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(psiBins, 2);
        _model = model;
        PsiBins = psiBins;
        var source = model.PredictionSchema;
        var schema = new EventSchema(model.Model, source.TimestampPath, null, null, source.VersionPath, requireEventId: false) { RequireTimestamp = false };
        foreach (var path in source.NumericPaths)
        {
            schema.AddNumeric(path);
        }

        foreach (var path in source.CategoricalPaths)
        {
            schema.AddCategorical(path);
        }

        var f = model.Rules.Fields;
        if (model.Task == ModelTask.Regression)
        {
            _labelValueSlot = schema.AddNumeric(FieldPath.Parse(f.LabelValue));
        }
        else
        {
            _labelClassSlot = schema.AddCategorical(FieldPath.Parse(f.Label));
        }

        _decoder = new EventDecoder(schema);
        _row = _decoder.CreateBuffer();
        _numeric = model.Layout.Numeric.Select(c => new NumericAccumulator(c.Options, null)).ToArray();
        _categorical = model.Layout.Categorical.Select(_ => new CategoricalAccumulator(new HashSet<string>(StringComparer.Ordinal), int.MaxValue)).ToArray();
        if (model.Layout.Performance is { } kind)
        {
            _performance = new PerformanceAccumulator(kind, int.MaxValue);
        }
    }

    /// <summary>PSI bins per numeric channel.</summary>
    public int PsiBins { get; }

    /// <summary>Rows read in the first pass.</summary>
    public long Rows { get; private set; }

    /// <summary>Rows that could not be decoded (by reason); they are not profiled.</summary>
    public Dictionary<DecodeOutcome, long> Rejected { get; } = [];

    /// <summary>Whether <see cref="BeginSecondPass"/> and a second read of the rows are needed.</summary>
    public bool NeedsSecondPass => _numeric.Any(a => !a.IsExact && a.Count > 0);

    /// <summary>Adds one reference row (first pass).</summary>
    public DecodeOutcome Add(ReadOnlySpan<byte> row)
    {
        if (_bins is not null)
        {
            throw new InvalidOperationException("The second pass has begun; rows go to AddSecondPass.");
        }

        var outcome = _decoder.Decode(row, _row);
        if (outcome != DecodeOutcome.Ok)
        {
            Rejected[outcome] = Rejected.GetValueOrDefault(outcome) + 1;
            return outcome;
        }

        Rows++;
        _version ??= _row.ModelVersion;
        var layout = _model.Layout;
        for (int i = 0; i < _numeric.Length; i++)
        {
            int slot = layout.Numeric[i].Slot;
            if (slot < 0)
            {
                slot = layout.Numeric[i].Role == StreamRole.Label ? _labelValueSlot : -1;
                if (slot < 0)
                {
                    continue;
                }
            }

            switch (_row.NumericState[slot])
            {
                case FieldState.Present: _numeric[i].Add(_row.Numeric[slot]); break;
                case FieldState.Missing: _numeric[i].AddMissing(); break;
                default: _numeric[i].AddTypeError(); break;
            }
        }

        for (int i = 0; i < _categorical.Length; i++)
        {
            int slot = layout.Categorical[i].Slot;
            if (slot < 0)
            {
                if (layout.Categorical[i].Role == StreamRole.Label && _labelClassSlot >= 0 && _row.CategoricalState[_labelClassSlot] == FieldState.Present)
                {
                    var text = _row.Category(_labelClassSlot);
                    if (_model.Task != ModelTask.BinaryClassification)
                    {
                        _categorical[i].Add(text);
                    }
                    else if (ModelPipeline.TryBinary(text, out double truth))
                    {
                        _categorical[i].Add(truth >= 0.5 ? "1" : "0");
                    }
                }

                continue;
            }

            switch (_row.CategoricalState[slot])
            {
                case FieldState.Present: _categorical[i].Add(_row.Category(slot)); break;
                case FieldState.Missing: _categorical[i].AddMissing(); break;
                default: _categorical[i].AddTypeError(); break;
            }
        }

        AddPerformancePair();
        return outcome;
    }

    /// <summary>Fixes the bins from the first pass; rows must then be read again through <see cref="AddSecondPass"/>.</summary>
    public void BeginSecondPass()
    {
        _bins = _numeric.Select(a => a.Count > 0 ? QuantileBins.FromReference(a.ToSample(), PsiBins) : null).ToArray();
        _secondPassCounts = _bins.Select(b => new long[b?.BinCount ?? 0]).ToArray();
    }

    /// <summary>Counts one row's values into the fixed bins (second pass).</summary>
    public void AddSecondPass(ReadOnlySpan<byte> row)
    {
        if (_bins is null || _secondPassCounts is null)
        {
            throw new InvalidOperationException("Call BeginSecondPass first.");
        }

        if (_decoder.Decode(row, _row) != DecodeOutcome.Ok)
        {
            return;
        }

        for (int i = 0; i < _numeric.Length; i++)
        {
            int slot = _model.Layout.Numeric[i].Slot;
            if (slot < 0)
            {
                slot = _model.Layout.Numeric[i].Role == StreamRole.Label ? _labelValueSlot : -1;
            }

            if (slot >= 0 && _bins[i] is { } bins && _row.NumericState[slot] == FieldState.Present)
            {
                _secondPassCounts[i][bins.BinOf(_row.Numeric[slot])]++;
            }
        }
    }

    /// <summary>Builds the profile.</summary>
    /// <param name="source">Where the rows came from (kind, description, hash, rows).</param>
    /// <param name="createdAt">The build time (from the injected clock).</param>
    public BaselineProfile Build(BaselineSource source, DateTimeOffset createdAt)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (NeedsSecondPass && _secondPassCounts is null)
        {
            throw new InvalidOperationException("Some channels are sketches: read the rows a second time (BeginSecondPass, AddSecondPass) for exact bin counts.");
        }

        var numeric = new Dictionary<string, NumericProfile>(StringComparer.Ordinal);
        for (int i = 0; i < _numeric.Length; i++)
        {
            var bins = _bins?[i] ?? (_numeric[i].Count > 0 ? QuantileBins.FromReference(_numeric[i].ToSample(), PsiBins) : null);
            long[]? counts = _secondPassCounts is not null && !_numeric[i].IsExact ? _secondPassCounts[i] : null;
            numeric[_model.Layout.Numeric[i].Name] = NumericProfile.From(_numeric[i], counts, bins);
        }

        var categorical = new Dictionary<string, CategoricalProfile>(StringComparer.Ordinal);
        for (int i = 0; i < _categorical.Length; i++)
        {
            categorical[_model.Layout.Categorical[i].Name] = CategoricalProfile.From(_categorical[i]);
        }

        Dictionary<string, double?>? performance = null;
        if (_performance is { Count: > 0 })
        {
            performance = new Dictionary<string, double?>(StringComparer.Ordinal);
            MetricSet.Into(performance, _performance);
        }

        string hash = source.Sha256 is { Length: >= 12 } h ? h[..12] : createdAt.UtcTicks.ToString("x", CultureInfo.InvariantCulture);
        string version = _model.Rules.Version ?? _version ?? "any";
        return new BaselineProfile
        {
            Id = $"{_model.Model}-{version}-{hash}",
            Model = _model.Model,
            ModelVersion = _model.Rules.Version ?? _version,
            CreatedAt = createdAt,
            Source = source with { Rows = Rows },
            Numeric = numeric,
            Categorical = categorical,
            Performance = performance,
        };
    }

    private void AddPerformancePair()
    {
        if (_performance is null)
        {
            return;
        }

        int predictionSlot = _model.Layout.PredictionSlot;
        switch (_performance.Kind)
        {
            case PerformanceKind.Regression:
                if (_row.NumericState[_labelValueSlot] == FieldState.Present && _row.NumericState[predictionSlot] == FieldState.Present)
                {
                    _performance.Add(_row.Numeric[_labelValueSlot], _row.Numeric[predictionSlot]);
                }

                break;
            case PerformanceKind.Binary:
                if (_row.CategoricalState[_labelClassSlot] == FieldState.Present && _row.NumericState[predictionSlot] == FieldState.Present
                    && ModelPipeline.TryBinary(_row.Category(_labelClassSlot), out double truth))
                {
                    _performance.Add(truth, _row.Numeric[predictionSlot]);
                }

                break;
            default:
                if (_row.CategoricalState[_labelClassSlot] == FieldState.Present && _row.CategoricalState[predictionSlot] == FieldState.Present)
                {
                    _performance.AddClasses(_row.Category(_labelClassSlot).ToString(), _row.Category(predictionSlot).ToString());
                }

                break;
        }
    }
}
