using Microsoft.Extensions.Options;
using Monitor.Core.Evaluation;
using Monitor.Core.Ingest;
using Monitor.Exporters.Prometheus;
using Monitor.Kafka.Ingest;

namespace Monitor.Worker.Daemon;

/// <summary>
/// Runs the Kafka ingest inside the host: restores the checkpoint, consumes, and hands every closed window's
/// reports to the fan-out; serves the scheduled open-window evaluations and readiness; feeds the operational
/// metrics.
/// </summary>
internal sealed class IngestService : IHostedService, IOpenWindowEvaluator, IReadinessCheck, IMetricsRefresher, IAsyncDisposable
{
    private static readonly Dictionary<string, DecodeOutcome> Reasons = Enum.GetValues<DecodeOutcome>()
        .Where(o => o is not (DecodeOutcome.Ok or DecodeOutcome.OtherModel))
        .ToDictionary(DeadLetterReasons.Of, o => o, StringComparer.Ordinal);

    private readonly KafkaIngest _ingest;
    private readonly MonitorMetrics _metrics;
    private readonly ILogger<IngestService> _logger;
    private readonly Dictionary<string, long> _consumedSeen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _decodedSeen = new(StringComparer.Ordinal);
    private readonly Lock _consumedGate = new();
    private bool _started;

    public IngestService(ModelRuntimes models, IOptions<MonitorOptions> options, ReportFanOut fanOut, MonitorMetrics metrics,
        IEnumerable<ICheckpointParticipant> participants, TimeProvider time, ILogger<IngestService> logger, ILogger<KafkaIngest> ingestLogger)
    {
        _metrics = metrics;
        _logger = logger;
        var o = options.Value;
        var ingestOptions = IngestOptions(o);
        _ingest = new KafkaIngest([.. models.All.Select(m => m.Model)], ingestOptions, time, ingestLogger);
        foreach (var participant in participants)
        {
            _ingest.AddParticipant(participant);
        }

        _ingest.WindowsReported += (pipeline, reports) =>
        {
            long started = time.GetTimestamp();
            fanOut.Publish(pipeline.Model.Model, reports);
            _metrics.ObserveEvaluation(pipeline.Model.Model, time.GetElapsedTime(started).TotalSeconds);
            _metrics.SyncCounters(pipeline);
            if (pipeline.Engine.Watermark is { } watermark)
            {
                _metrics.LastEventTimestamp(pipeline.Model.Model, watermark);
            }
        };
        _ingest.DeadLettered += letter =>
        {
            if (Reasons.TryGetValue(letter.Reason, out var reason))
            {
                _metrics.DeadLetter(letter.SourceTopic, reason);
                _metrics.DecodeError(letter.SourceTopic, reason);
            }
        };
        _ingest.CheckpointWritten += duration => _metrics.ObserveCheckpoint(duration.TotalSeconds);
    }

    public string Name => "kafka";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ingest.Start();
        _started = true;
        _ = _ingest.Completion.ContinueWith(
            t =>
            {
                if (t.Exception?.GetBaseException() is { } error)
                {
                    Log.IngestFailed(_logger, error);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => _ingest.StopAsync();

    public (bool Ready, string Detail) Check()
    {
        if (!_started)
        {
            return (false, "not started");
        }

        if (_ingest.Completion.IsFaulted)
        {
            return (false, "stopped by a fatal error: " + _ingest.Completion.Exception?.GetBaseException().Message);
        }

        string restored = _ingest.CheckpointRestored ? $"restored from {Path.GetFileName(_ingest.RestoredFrom)}" : "no checkpoint (fresh state)";
        return _ingest.IsConnected ? (true, $"connected; {restored}") : (false, $"Kafka unreachable; {restored}");
    }

    public Task<IReadOnlyList<WindowReport>> EvaluateScheduledAsync(string model, bool includeOpen, CancellationToken cancellationToken) =>
        _ingest.InvokeAsync<IReadOnlyList<WindowReport>>(
            pipelines => pipelines.FirstOrDefault(p => p.Model.Model == model)?.Evaluate(includeOpen, includeBackfills: true) ?? [],
            cancellationToken);

    /// <summary>The Kafka ingest's options from the daemon's (<c>Monitor:Kafka</c>, <c>Monitor:StateDirectory</c>).</summary>
    public static KafkaIngestOptions IngestOptions(MonitorOptions o) => new()
    {
        Kafka = new Dictionary<string, string>(o.Kafka.Settings, StringComparer.Ordinal) { ["bootstrap.servers"] = o.Kafka.BootstrapServers ?? "" },
        Consumer = new Dictionary<string, string>(StringComparer.Ordinal) { ["group.id"] = o.Kafka.GroupId },
        StateDirectory = Path.Combine(o.StateDirectory, "checkpoints"),
        CheckpointInterval = o.Kafka.CheckpointInterval,
        MaxMessageBytes = o.Kafka.MaxMessageBytes,
    };

    /// <summary>Moves the consumed- and decoded-events counters forward to the ingest's totals and sets the consumer lag (called before each scrape).</summary>
    public void RefreshMetrics()
    {
        lock (_consumedGate)
        {
            Advance(_ingest.ConsumedByTopic, _consumedSeen, _metrics.EventsConsumed);
            Advance(_ingest.DecodedByTopic, _decodedSeen, _metrics.EventsDecoded);
            foreach (var (tp, lag) in _ingest.Lag)
            {
                _metrics.ConsumerLag(tp.Topic, tp.Partition.Value, lag);
            }

            foreach (var pipeline in _ingest.Pipelines)
            {
                _metrics.ExactMemory(pipeline);
            }
        }
    }

    /// <summary>Moves a counter per topic up to the ingest's running total.</summary>
    private static void Advance(IReadOnlyDictionary<string, long> totals, Dictionary<string, long> seen, Action<string, long> increment)
    {
        foreach (var (topic, total) in totals)
        {
            long delta = total - seen.GetValueOrDefault(topic);
            if (delta > 0)
            {
                increment(topic, delta);
                seen[topic] = total;
            }
        }
    }

    public async ValueTask DisposeAsync() => await _ingest.DisposeAsync().ConfigureAwait(false);
}
