using Monitor.Core.Evaluation;
using Monitor.Core.Ingest;

namespace Monitor.Core.Pipeline;

/// <summary>What a replay read and produced.</summary>
/// <param name="Predictions">Prediction lines read.</param>
/// <param name="Labels">Label lines read.</param>
/// <param name="Reports">Window reports produced (back-fill revisions included).</param>
/// <param name="LateEvents">Predictions for windows already closed (counted, not added).</param>
/// <param name="LabelsJoined">Labels joined to a prediction.</param>
/// <param name="Rejected">Lines rejected per reason (they would be dead letters in the daemon).</param>
public sealed record ReplaySummary(long Predictions, long Labels, long Reports, long LateEvents, long LabelsJoined, IReadOnlyDictionary<DecodeOutcome, long> Rejected);

/// <summary>
/// Runs the daemon's engine over files: predictions in file order (event time as in the file), labels merged
/// in by their own timestamps (a label is applied once the prediction stream reaches its time), and every
/// window closed at the end. Backtests thresholds on yesterday's traffic with exactly the daemon's numbers.
/// </summary>
public sealed class ReplayRunner
{
    private readonly CompiledModel _model;
    private readonly EventDecoder _predictionClock;
    private readonly DecodedEvent _predictionTime;
    private readonly EventDecoder? _labelClock;
    private readonly DecodedEvent? _labelTime;

    /// <summary>Creates a replay of one model.</summary>
    public ReplayRunner(CompiledModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _predictionClock = new EventDecoder(TimestampOnly(model.PredictionSchema));
        _predictionTime = _predictionClock.CreateBuffer();
        if (model.LabelSchema is not null)
        {
            _labelClock = new EventDecoder(TimestampOnly(model.LabelSchema));
            _labelTime = _labelClock.CreateBuffer();
        }
    }

    /// <summary>Replays the lines and hands every report to <paramref name="onReport"/> as windows close.</summary>
    /// <param name="predictions">Prediction (or feature-log) messages, one JSON object each.</param>
    /// <param name="labels">Label messages (empty when the model has none).</param>
    /// <param name="onReport">Receives each report in order.</param>
    public ReplaySummary Run(IEnumerable<ReadOnlyMemory<byte>> predictions, IEnumerable<ReadOnlyMemory<byte>> labels, Action<WindowReport> onReport)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(onReport);
        var pipeline = new ModelPipeline(_model);
        var pendingLabels = SortLabels(labels, pipeline, out long labelCount);
        int nextLabel = 0;
        long predictionCount = 0;
        long reports = 0;

        // Back-fills (late labels changing a reported window) are emitted whenever windows close, not per label.
        void Emit(bool final = false)
        {
            var closed = pipeline.Evaluate(includeBackfills: final);
            var backfills = !final && closed.Count > 0 ? pipeline.Evaluate(includeBackfills: true) : [];
            foreach (var report in closed.Concat(backfills))
            {
                reports++;
                onReport(report);
            }
        }

        foreach (var line in predictions)
        {
            predictionCount++;
            if (_predictionClock.Decode(line.Span, _predictionTime) == DecodeOutcome.Ok)
            {
                var t = _predictionTime.Timestamp;
                while (nextLabel < pendingLabels.Count && pendingLabels[nextLabel].Time <= t)
                {
                    pipeline.OnLabel(pendingLabels[nextLabel++].Line.Span);
                }
            }

            pipeline.OnPrediction(line.Span);
            Emit();
        }

        while (nextLabel < pendingLabels.Count)
        {
            pipeline.OnLabel(pendingLabels[nextLabel++].Line.Span);
        }

        pipeline.AdvanceWatermark(DateTimeOffset.MaxValue);
        Emit(final: true);
        var engine = pipeline.Engine;
        return new ReplaySummary(predictionCount, labelCount, reports, engine.LateEvents, engine.LabelsJoined, pipeline.Rejected);
    }

    private List<(DateTimeOffset Time, ReadOnlyMemory<byte> Line)> SortLabels(IEnumerable<ReadOnlyMemory<byte>> labels, ModelPipeline pipeline, out long count)
    {
        var list = new List<(DateTimeOffset, ReadOnlyMemory<byte>)>();
        count = 0;
        foreach (var line in labels)
        {
            count++;
            if (_labelClock is null || _labelTime is null)
            {
                throw new InvalidOperationException($"Model '{_model.Model}' has no label topic or performance rules; replay it without --labels.");
            }

            if (_labelClock.Decode(line.Span, _labelTime) == DecodeOutcome.Ok)
            {
                list.Add((_labelTime.Timestamp, line));
            }
            else
            {
                pipeline.OnLabel(line.Span); // counted as rejected with its reason
            }
        }

        // Stable: labels with equal timestamps keep their file order.
        return [.. list.Select((item, index) => (item, index)).OrderBy(x => x.item.Item1).ThenBy(x => x.index).Select(x => x.item)];
    }

    private static EventSchema TimestampOnly(EventSchema schema) =>
        new(schema.Model, schema.TimestampPath, null, null, null, requireEventId: false);
}
