using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Monitor.Core.Accumulators;
using Monitor.Core.Evaluation;
using Monitor.Core.Ingest;
using Monitor.Core.Pipeline;
using Monitor.Core.Windows;
using Monitor.Kafka.Checkpoints;

namespace Monitor.Kafka.Ingest;

/// <summary>
/// Consumes the models' prediction, feature and label topics into their pipelines, dead-letters what cannot be
/// decoded, and checkpoints window state together with the offsets it contains, so that windows are exact
/// across restarts and crashes (see docs/ingest.md).
/// </summary>
/// <remarks>
/// A dedicated thread does the blocking <c>Consume</c> and hands records through a bounded channel to one
/// processing task, which alone touches the pipelines. Every <see cref="KafkaIngestOptions.CheckpointEveryMessages"/>
/// records or <see cref="KafkaIngestOptions.CheckpointInterval"/> it flushes the dead letters, writes a checkpoint
/// and only then stores the checkpoint's offsets for commit. On start the latest checkpoint is restored and each
/// assigned partition resumes at the checkpoint's offset, whatever Kafka's committed offset says.
/// Supported topology: one Monitor instance per consumer group.
/// </remarks>
public sealed class KafkaIngest : IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan ProbeEvery = TimeSpan.FromMilliseconds(500);

    // While connected, a metadata request this often confirms it: librdkafka reports "all brokers down" only once
    // every connection has failed, which can take long (or not happen) while idle connections linger.
    private static readonly TimeSpan HealthProbeEvery = TimeSpan.FromSeconds(2);
    private int _failedHealthProbes;

    private readonly IReadOnlyList<CompiledModel> _models;
    private readonly KafkaIngestOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CheckpointStore _store;
    private readonly Channel<Item> _channel;
    private const int BatchSize = 256;
    private readonly ManualResetEventSlim _drained = new(initialState: true, spinCount: 0);
    private readonly int _drainedAt;
    private readonly object _gate = new();
    private readonly Dictionary<TopicPartition, long> _positions = [];
    private readonly HashSet<TopicPartition> _assigned = [];
    private readonly ConcurrentDictionary<string, long> _deadLetters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TopicCounts> _topicCounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<TopicPartition, long> _committable = new();
    private readonly List<ICheckpointParticipant> _participants = [];
    private readonly ConcurrentQueue<(string Topic, Message<byte[]?, byte[]?> Message)> _undelivered = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _kill = new();
    private readonly TaskCompletionSource _consumeDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Dictionary<string, TopicRoute[]> _routes = [];
    private ModelPipeline[] _pipelines = [];
    private bool[] _touched = [];
    private List<ConsumeResult<byte[]?, byte[]?>>? _pending;
    private TopicCounts? _lastCounts;
    private IConsumer<byte[]?, byte[]?>? _consumer;
    private IProducer<byte[]?, byte[]?>? _producer;
    private IAdminClient? _probe;
    private Task _processing = Task.CompletedTask;
    private Offset _absentPartitionStart = Offset.Unset;
    private long _sequence;
    private long _sinceCheckpoint;
    private long _lastCheckpointAt;
    private bool _dirty;
    private long _applied;
    private long _checkpoints;
    private long _redelivered;
    private volatile bool _connected;
    private volatile bool _abandoned;
    private volatile bool _started;
    private int _stopped;
    private int _starting;
    private Error? _fatal;

    /// <summary>Prepares the ingest; nothing connects until <see cref="Start"/>.</summary>
    /// <param name="models">The compiled models; their topics are subscribed.</param>
    /// <param name="options">Connection, checkpoint and dead-letter settings (validated here).</param>
    /// <param name="time">The clock for the checkpoint interval (default: the system clock).</param>
    /// <param name="logger">Where the ingest logs.</param>
    public KafkaIngest(IReadOnlyList<CompiledModel> models, KafkaIngestOptions options, TimeProvider? time = null, ILogger<KafkaIngest>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid Kafka ingest options: " + string.Join(" ", errors), nameof(options));
        }

        if (models.Count == 0)
        {
            throw new ArgumentException("At least one model is needed.", nameof(models));
        }

        _models = models;
        _options = options;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _store = new CheckpointStore(options.StateDirectory, options.KeepCheckpoints, _logger);
        // Records travel in batches of up to BatchSize, so the capacity in records stays about ChannelCapacity.
        int capacity = Math.Max(2, options.ChannelCapacity / BatchSize);
        _drainedAt = capacity / 2;
        _channel = Channel.CreateBounded<Item>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = false, // InvokeAsync writes from other threads
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>Raised (on the processing task) for every dead letter handed to the producer.</summary>
    public event Action<DeadLetter>? DeadLettered;

    /// <summary>
    /// Raised (on the processing task) with the reports of windows that closed, per model. Reports since the last
    /// checkpoint are raised again after a crash (at-least-once); revisions make them idempotent downstream.
    /// </summary>
    public event Action<ModelPipeline, IReadOnlyList<WindowReport>>? WindowsReported;

    /// <summary>Raised (on the processing task) after each checkpoint is durable, with the time it took.</summary>
    public event Action<TimeSpan>? CheckpointWritten;

    /// <summary>Records applied per topic so far (redeliveries skipped), for the consumed-events metric.</summary>
    public IReadOnlyDictionary<string, long> ConsumedByTopic => _topicCounts.ToDictionary(kv => kv.Key, kv => Interlocked.Read(ref kv.Value.Consumed), StringComparer.Ordinal);

    /// <summary>Records accepted by at least one model per topic so far, for the decoded-events metric.</summary>
    public IReadOnlyDictionary<string, long> DecodedByTopic => _topicCounts.Where(kv => Interlocked.Read(ref kv.Value.Decoded) > 0)
        .ToDictionary(kv => kv.Key, kv => Interlocked.Read(ref kv.Value.Decoded), StringComparer.Ordinal);

    /// <summary>
    /// Per assigned partition, the high watermark minus the offset of the last durable checkpoint (what is committed),
    /// from the consumer's cached watermarks (no broker round trip); partitions without a known watermark are left out.
    /// </summary>
    public IReadOnlyDictionary<TopicPartition, long> Lag
    {
        get
        {
            var consumer = _consumer;
            var lag = new Dictionary<TopicPartition, long>();
            if (consumer is null)
            {
                return lag;
            }

            List<TopicPartition> assigned;
            lock (_gate)
            {
                assigned = [.. _assigned];
            }

            try
            {
                foreach (var tp in assigned)
                {
                    var high = consumer.GetWatermarkOffsets(tp).High;
                    if (high.IsSpecial)
                    {
                        continue;
                    }

                    long committed = _committable.TryGetValue(tp, out long c) ? c : 0;
                    lag[tp] = Math.Max(0, high.Value - committed);
                }
            }
            catch (Exception ex) when (ex is ObjectDisposedException or KafkaException)
            {
                // Stopping: the lag is not known any more.
            }

            return lag;
        }
    }

    /// <summary>Adds state to be checkpointed with the windows; call before <see cref="Start"/>.</summary>
    public void AddParticipant(ICheckpointParticipant participant)
    {
        ArgumentNullException.ThrowIfNull(participant);
        if (_started)
        {
            throw new InvalidOperationException("Participants are added before Start.");
        }

        if (_participants.Any(p => string.Equals(p.Name, participant.Name, StringComparison.Ordinal)))
        {
            throw new ArgumentException($"A participant named '{participant.Name}' exists already.", nameof(participant));
        }

        _participants.Add(participant);
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the processing task, the only code that touches the pipelines, after
    /// reporting every closed window; e.g. a scheduled provisional evaluation of the open windows.
    /// </summary>
    public Task<T> InvokeAsync<T>(Func<IReadOnlyList<ModelPipeline>, T> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var item = new Item(() =>
        {
            try
            {
                Report(all: true);
                done.TrySetResult(work(_pipelines));
            }
#pragma warning disable CA1031 // the caller gets the exception
            catch (Exception ex)
#pragma warning restore CA1031
            {
                done.TrySetException(ex);
            }
        });
        if (!_channel.Writer.TryWrite(item))
        {
            return WriteSlowAsync(item, done, cancellationToken);
        }

        return done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Whether the Kafka cluster is reachable: true after a partition assignment or a successful metadata
    /// request, false after librdkafka reports all brokers down. Readiness.
    /// </summary>
    public bool IsConnected => _connected;

    /// <summary>Whether <see cref="Start"/> restored window state from a checkpoint.</summary>
    public bool CheckpointRestored { get; private set; }

    /// <summary>The file restored at start, if any.</summary>
    public string? RestoredFrom { get; private set; }

    /// <summary>The models' pipelines (after <see cref="Start"/>). Only the processing task touches them while running.</summary>
    public IReadOnlyList<ModelPipeline> Pipelines => _pipelines;

    /// <summary>Records applied (accepted or dead-lettered) since start.</summary>
    public long Applied => Interlocked.Read(ref _applied);

    /// <summary>Checkpoints written since start.</summary>
    public long Checkpoints => Interlocked.Read(ref _checkpoints);

    /// <summary>Records skipped because their offset was already applied (redelivery after a rebalance).</summary>
    public long Redelivered => Interlocked.Read(ref _redelivered);

    /// <summary>Dead letters per reason since start (a snapshot).</summary>
    public IReadOnlyDictionary<string, long> DeadLetters => new Dictionary<string, long>(_deadLetters, StringComparer.Ordinal);

    /// <summary>Per partition, the next offset to apply (a snapshot): restored from the checkpoint, then advanced.</summary>
    public IReadOnlyDictionary<TopicPartition, long> Positions
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<TopicPartition, long>(_positions);
            }
        }
    }

    /// <summary>Completes when the ingest has stopped; faults with the error that stopped it.</summary>
    public Task Completion => Task.WhenAll(_consumeDone.Task, _processing);

    /// <summary>Restores the latest checkpoint, connects, subscribes and starts consuming.</summary>
    /// <exception cref="InvalidDataException">Checkpoints exist but none is valid, or one does not fit a model's layout.</exception>
    public void Start()
    {
        if (Interlocked.Exchange(ref _starting, 1) == 1)
        {
            throw new InvalidOperationException("The ingest was started already.");
        }

        try
        {
            Restore();
            BuildRoutes();
            _consumer = BuildConsumer();
            _producer = new ProducerBuilder<byte[]?, byte[]?>(_options.ProducerConfig())
                .SetLogHandler((_, m) => Log.Librdkafka(_logger, m.Facility, m.Message))
                .SetErrorHandler((_, e) => Log.ClientError(_logger, e.Code.ToString(), e.Reason))
                .Build();
            _probe = new DependentAdminClientBuilder(_consumer.Handle).Build();
        }
        catch
        {
            DisposeClients();
            throw;
        }

        _lastCheckpointAt = _time.GetTimestamp();
        _processing = Task.Run(ProcessAsync);
        var thread = new Thread(ConsumeLoop) { IsBackground = true, Name = "monitor-kafka-consume" };
        thread.Start();
        _started = true;
    }

    /// <summary>Stops consuming, takes a final checkpoint, stores its offsets for commit and leaves the group.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1 || !_started)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Completion.ConfigureAwait(false);
        }
        finally
        {
            DisposeClients();
        }
    }

    /// <summary>
    /// Stops like a killed process: no final checkpoint, no offsets stored, pending dead letters discarded.
    /// Only the state of the last checkpoint survives (tests of crash recovery).
    /// </summary>
    internal async Task AbandonAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1 || !_started)
        {
            return;
        }

        _abandoned = true;
        await _kill.CancelAsync().ConfigureAwait(false);
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Completion.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            DisposeClients();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync().ConfigureAwait(false);
        }
        finally
        {
            _stop.Dispose();
            _kill.Dispose();
            _drained.Dispose();
        }
    }

    /// <inheritdoc/>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private void Restore()
    {
        var load = _store.LoadLatest();
        _sequence = _store.HighestSequence;
        var pipelines = new ModelPipeline[_models.Count];
        for (int i = 0; i < _models.Count; i++)
        {
            var model = _models[i];
            WindowEngine? engine = null;
            if (load is not null)
            {
                if (load.Checkpoint.Models.TryGetValue(model.Model, out var state))
                {
                    try
                    {
                        var reader = new StateReader(state.Span);
                        engine = WindowEngine.Read(ref reader, model.Layout);
                    }
                    catch (InvalidDataException ex)
                    {
                        throw new InvalidDataException($"Checkpoint '{load.Path}' cannot restore model '{model.Model}' (did its rules change?): {ex.Message}", ex);
                    }
                }
                else
                {
                    Log.ModelNotInCheckpoint(_logger, model.Model);
                }
            }

            pipelines[i] = new ModelPipeline(model, engine);
        }

        _pipelines = pipelines;
        _touched = new bool[pipelines.Length];
        foreach (var participant in _participants)
        {
            participant.Restore(load is not null && load.Checkpoint.Models.TryGetValue("@" + participant.Name, out var saved) ? saved.ToArray() : null);
        }

        if (load is not null)
        {
            lock (_gate)
            {
                foreach (var (tp, offset) in load.Checkpoint.Offsets)
                {
                    _positions[tp] = offset;
                }
            }

            // An older checkpoint than the newest (which was damaged) may miss partitions whose committed offsets
            // the newest one advanced: its state holds none of their records, so they start from the beginning.
            _absentPartitionStart = load.SkippedDamaged.Count > 0 ? Offset.Beginning : Offset.Unset;
            CheckpointRestored = true;
            RestoredFrom = load.Path;
            Log.CheckpointRestored(_logger, load.Path, load.Checkpoint.Sequence, load.Checkpoint.Offsets.Count, load.Checkpoint.Models.Count);
        }
    }

    private void BuildRoutes()
    {
        var routes = new Dictionary<string, List<TopicRoute>>(StringComparer.Ordinal);
        void Add(string? topic, int index, bool label)
        {
            if (string.IsNullOrEmpty(topic))
            {
                return;
            }

            if (!routes.TryGetValue(topic, out var list))
            {
                routes[topic] = list = [];
            }

            var model = _models[index];
            list.Add(new TopicRoute(index, label, model.Model, model.Rules.Topics.DeadLetter ?? _options.DeadLetterTopic));
        }

        for (int i = 0; i < _models.Count; i++)
        {
            var topics = _models[i].Rules.Topics;
            Add(topics.Predictions, i, label: false);
            if (!string.Equals(topics.Features, topics.Predictions, StringComparison.Ordinal))
            {
                Add(topics.Features, i, label: false);
            }

            if (_models[i].LabelSchema is not null)
            {
                Add(topics.Labels, i, label: true);
            }
        }

        if (routes.Count == 0)
        {
            throw new ArgumentException("No model names a topic to consume.");
        }

        _routes = routes.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.Ordinal);
    }

    private IConsumer<byte[]?, byte[]?> BuildConsumer() =>
        new ConsumerBuilder<byte[]?, byte[]?>(_options.ConsumerConfig())
            .SetLogHandler((_, m) => Log.Librdkafka(_logger, m.Facility, m.Message))
            .SetErrorHandler(OnError)
            .SetPartitionsAssignedHandler(OnAssigned)
            .SetPartitionsRevokedHandler(OnRevoked)
            .SetPartitionsLostHandler(OnLost)
            .Build();

    private void OnError(IConsumer<byte[]?, byte[]?> consumer, Error error)
    {
        if (error.IsFatal)
        {
            Log.FatalError(_logger, error.Code.ToString(), error.Reason);
            _fatal = error;
            _stop.Cancel();
            return;
        }

        Log.ClientError(_logger, error.Code.ToString(), error.Reason);
        if (error.Code == ErrorCode.Local_AllBrokersDown)
        {
            SetConnected(false);
        }
    }

    private List<TopicPartitionOffset> OnAssigned(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartition> partitions)
    {
        var result = new List<TopicPartitionOffset>(partitions.Count);
        lock (_gate)
        {
            foreach (var tp in partitions)
            {
                _assigned.Add(tp);
                result.Add(new TopicPartitionOffset(tp, _positions.TryGetValue(tp, out long next) ? new Offset(next) : _absentPartitionStart));
                if (_positions.TryGetValue(tp, out long restored))
                {
                    _committable[tp] = restored;
                }
            }
        }

        Log.PartitionsAssigned(_logger, string.Join(", ", result));
        SetConnected(true);
        return result;
    }

    private void OnRevoked(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartitionOffset> partitions)
    {
        Log.PartitionsRevoked(_logger, string.Join(", ", partitions.Select(p => p.TopicPartition)));
        if (!_abandoned)
        {
            // Everything read so far is checkpointed and its offsets stored before the partitions go.
            Barrier();
            CommitStored();
        }

        lock (_gate)
        {
            foreach (var p in partitions)
            {
                _assigned.Remove(p.TopicPartition);
            }
        }
    }

    private void OnLost(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartitionOffset> partitions)
    {
        Log.PartitionsLost(_logger, string.Join(", ", partitions.Select(p => p.TopicPartition)));
        lock (_gate)
        {
            foreach (var p in partitions)
            {
                _assigned.Remove(p.TopicPartition);
            }
        }

        if (!_abandoned)
        {
            Barrier(); // the state is still ours to checkpoint; the offsets cannot be committed any more
        }
    }

    private void CommitStored()
    {
        if (!_connected)
        {
            return; // a synchronous commit would wait for the coordinator; the stored offsets go with Close() or later
        }

        try
        {
            _consumer!.Commit();
        }
        catch (KafkaException ex)
        {
            // RebalanceInProgress, NoOffset (nothing new), or the coordinator away: the checkpoint's offsets are
            // authoritative on restart, so a missed commit costs nothing but a lagging consumer-group metric.
            Log.CommitSkipped(_logger, ex.Error.ToString());
        }
    }

    private void SetConnected(bool connected)
    {
        if (_connected != connected)
        {
            _connected = connected;
            Log.Connection(_logger, connected ? "up" : "down");
        }
    }

    private void ConsumeLoop()
    {
        var consumer = _consumer!;
        Exception? failure = null;
        try
        {
            consumer.Subscribe(_routes.Keys);
            long lastProbe = long.MinValue;
            while (!_stop.IsCancellationRequested)
            {
                ConsumeResult<byte[]?, byte[]?>? result = null;
                try
                {
                    // While a batch is open, take only what librdkafka already holds; hand the batch over as soon
                    // as nothing more is ready, so batching adds no waiting.
                    result = consumer.Consume(_pending is null ? _options.PollTimeout : TimeSpan.Zero);
                }
                catch (ConsumeException ex) when (!ex.Error.IsFatal)
                {
                    Log.ConsumeError(_logger, ex.Error.ToString());
                }

                if (result is not null && !result.IsPartitionEOF)
                {
                    (_pending ??= new List<ConsumeResult<byte[]?, byte[]?>>(BatchSize)).Add(result);
                    if (_pending.Count < BatchSize)
                    {
                        continue;
                    }

                    FlushPending();
                }
                else
                {
                    FlushPending();
                    Write(Item.Tick);
                }

                if (lastProbe == long.MinValue || _time.GetElapsedTime(lastProbe) >= (_connected ? HealthProbeEvery : ProbeEvery))
                {
                    lastProbe = _time.GetTimestamp();
                    bool reachable = Probe();
                    // Two failed checks in a row (not one slow answer) mark the cluster unreachable.
                    _failedHealthProbes = reachable ? 0 : _failedHealthProbes + 1;
                    if (_failedHealthProbes >= 2)
                    {
                        SetConnected(false);
                    }
                }
            }

            if (_fatal is { } fatal)
            {
                throw new KafkaException(fatal);
            }

            if (!_abandoned)
            {
                Barrier();
                CommitStored();
            }

            consumer.Close();
        }
        catch (OperationCanceledException) when (_kill.IsCancellationRequested)
        {
            if (_abandoned)
            {
                CloseQuietly(consumer);
            }
        }
        catch (Exception ex)
        {
            Log.IngestFailed(_logger, ex);
            failure = ex;
            _kill.Cancel();
        }
        finally
        {
            _channel.Writer.TryComplete(failure);
            if (failure is null)
            {
                _consumeDone.TrySetResult();
            }
            else
            {
                _consumeDone.TrySetException(failure);
            }
        }
    }

    private void CloseQuietly(IConsumer<byte[]?, byte[]?> consumer)
    {
        try
        {
            consumer.Close(); // leave the group at once, so that a restart need not wait for the session timeout
        }
        catch (KafkaException ex)
        {
            Log.CommitSkipped(_logger, ex.Error.ToString());
        }
    }

    private bool Probe()
    {
        try
        {
            var metadata = _probe!.GetMetadata(TimeSpan.FromSeconds(1));
            if (metadata.Brokers.Count > 0)
            {
                SetConnected(true);
                return true;
            }
        }
        catch (KafkaException)
        {
            // unreachable
        }

        return false;
    }

    // Consume thread only: hands the open batch to processing (before any barrier, so a checkpoint covers it).
    private void FlushPending()
    {
        if (_pending is { } batch)
        {
            _pending = null;
            Write(new Item(batch));
        }
    }

    private void Write(Item item)
    {
        // A full channel: wait until processing has drained half of it, not for the first free slot. Waiting for
        // one slot woke this thread for every batch taken (thousands of context switches a second on a busy
        // stream, with both threads losing their core each time).
        while (!_channel.Writer.TryWrite(item))
        {
            _drained.Reset();
            if (_channel.Writer.TryWrite(item))
            {
                return;
            }

            _drained.Wait(_kill.Token);
        }
    }

    /// <summary>Runs on the consume thread: waits until everything handed over so far is applied and checkpointed.</summary>
    private void Barrier()
    {
        FlushPending();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Write(new Item(done));
        Task.WaitAny([done.Task, _processing], _kill.Token);
        if (!done.Task.IsCompleted)
        {
            throw new InvalidOperationException("The processing task stopped before the checkpoint was taken.", _processing.Exception);
        }

        done.Task.GetAwaiter().GetResult();
    }

    private async Task ProcessAsync()
    {
        var reader = _channel.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_kill.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var item))
                {
                    if (_abandoned)
                    {
                        return;
                    }

                    if (!_drained.IsSet && reader.Count <= _drainedAt)
                    {
                        _drained.Set();
                    }

                    if (item.Records is { } records)
                    {
                        foreach (var record in records)
                        {
                            if (_abandoned)
                            {
                                return;
                            }

                            Apply(record);
                            if (_sinceCheckpoint >= _options.CheckpointEveryMessages)
                            {
                                Checkpoint(storeOffsets: true);
                            }
                        }
                    }
                    else if (item.Work is { } work)
                    {
                        work();
                        continue;
                    }
                    else if (item.Barrier is { } barrier)
                    {
                        try
                        {
                            // Postponed when dead letters are undeliverable: no offsets are stored then, and a
                            // restart replays from the previous checkpoint, which is still exact.
                            Checkpoint(storeOffsets: true);
                            barrier.TrySetResult();
                        }
                        catch (Exception ex)
                        {
                            barrier.TrySetException(ex);
                            throw;
                        }

                        continue;
                    }

                    if (_sinceCheckpoint >= _options.CheckpointEveryMessages
                        || (_dirty && _time.GetElapsedTime(_lastCheckpointAt) >= _options.CheckpointInterval))
                    {
                        Checkpoint(storeOffsets: true);
                    }
                }

                Report();
            }

            await reader.Completion.ConfigureAwait(false);
            if (!_abandoned)
            {
                Checkpoint(storeOffsets: false);
            }
        }
        catch (OperationCanceledException) when (_kill.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is not ChannelClosedException)
        {
            Log.IngestFailed(_logger, ex);
            await _kill.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private void Apply(ConsumeResult<byte[]?, byte[]?> record)
    {
        var tp = record.TopicPartition;
        long offset = record.Offset.Value;

        // Only this task writes positions once running, so it reads them without the lock; writes take it for
        // the consume thread's readers (assignment).
        if (_positions.TryGetValue(tp, out long next) && offset < next)
        {
            Interlocked.Increment(ref _redelivered);
            return;
        }

        var counts = CountsOf(record.Topic);
        Route(record, counts);
        Interlocked.Increment(ref counts.Consumed);
        lock (_gate)
        {
            _positions[tp] = offset + 1;
        }

        _dirty = true;
        _sinceCheckpoint++;
        Interlocked.Increment(ref _applied);
    }

    private TopicCounts CountsOf(string topic)
    {
        if (_lastCounts is { } last && string.Equals(last.Topic, topic, StringComparison.Ordinal))
        {
            return last;
        }

        return _lastCounts = _topicCounts.GetOrAdd(topic, static t => new TopicCounts(t));
    }

    private void Route(ConsumeResult<byte[]?, byte[]?> record, TopicCounts counts)
    {
        var routes = counts.Routes ??= _routes.GetValueOrDefault(record.Topic) ?? [];
        var value = record.Message.Value ?? [];
        if (value.Length > _options.MaxMessageBytes)
        {
            string? model = SingleModel(routes);
            string topic = model is null ? _options.DeadLetterTopic : routes[0].DeadLetterTopic;
            SendDeadLetter(record, DeadLetterReasons.TooLarge, model, topic,
                string.Create(CultureInfo.InvariantCulture, $"The value has {value.Length} bytes; the maximum is {_options.MaxMessageBytes}."));
            return;
        }

        bool accepted = false;
        DecodeOutcome failure = DecodeOutcome.Ok;
        TopicRoute? failedRoute = null;
        foreach (var route in routes)
        {
            var pipeline = _pipelines[route.Pipeline];
            _touched[route.Pipeline] = true;
            var outcome = route.Label ? pipeline.OnLabel(value) : pipeline.OnPrediction(value);
            if (outcome == DecodeOutcome.Ok)
            {
                accepted = true;
            }
            else if (outcome != DecodeOutcome.OtherModel && failedRoute is null)
            {
                failure = outcome;
                failedRoute = route;
            }
        }

        if (accepted)
        {
            Interlocked.Increment(ref counts.Decoded);
            return;
        }

        if (failedRoute is { } failed)
        {
            SendDeadLetter(record, DeadLetterReasons.Of(failure), failed.Model, failed.DeadLetterTopic, DeadLetterReasons.Describe(failure));
        }
        else
        {
            SendDeadLetter(record, DeadLetterReasons.UnknownModel, null, _options.DeadLetterTopic,
                $"No monitored model on topic '{record.Topic}' accepts the event's model.");
        }
    }

    private static string? SingleModel(TopicRoute[] routes)
    {
        if (routes.Length == 0)
        {
            return null;
        }

        foreach (var route in routes)
        {
            if (!string.Equals(route.Model, routes[0].Model, StringComparison.Ordinal))
            {
                return null;
            }
        }

        return routes[0].Model;
    }

    private void SendDeadLetter(ConsumeResult<byte[]?, byte[]?> record, string reason, string? model, string topic, string error)
    {
        var headers = new Headers();
        if (record.Message.Headers is { } original)
        {
            foreach (var header in original)
            {
                headers.Add(header.Key, header.GetValueBytes());
            }
        }

        headers.Add(DeadLetterHeaders.Reason, Encoding.UTF8.GetBytes(reason));
        if (model is not null)
        {
            headers.Add(DeadLetterHeaders.Model, Encoding.UTF8.GetBytes(model));
        }

        headers.Add(DeadLetterHeaders.SourceTopic, Encoding.UTF8.GetBytes(record.Topic));
        headers.Add(DeadLetterHeaders.SourcePartition, Encoding.UTF8.GetBytes(record.Partition.Value.ToString(CultureInfo.InvariantCulture)));
        headers.Add(DeadLetterHeaders.SourceOffset, Encoding.UTF8.GetBytes(record.Offset.Value.ToString(CultureInfo.InvariantCulture)));
        headers.Add(DeadLetterHeaders.Error, Encoding.UTF8.GetBytes(error));
        var message = new Message<byte[]?, byte[]?> { Key = record.Message.Key, Value = record.Message.Value, Headers = headers };
        Produce(topic, message);
        _deadLetters.AddOrUpdate(reason, 1, static (_, n) => n + 1);
        if (DeadLettered is { } handler)
        {
            try
            {
                handler(new DeadLetter(reason, model, topic, record.Topic, record.Partition.Value, record.Offset.Value, error));
            }
#pragma warning disable CA1031 // a failing subscriber must not stop ingestion
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.DeadLetterHandlerFailed(_logger, ex);
            }
        }
    }

    private void Produce(string topic, Message<byte[]?, byte[]?> message)
    {
        while (true)
        {
            try
            {
                _producer!.Produce(topic, message, report =>
                {
                    if (report.Error.IsError)
                    {
                        Log.DeadLetterFailed(_logger, topic, report.Error.ToString());
                        _undelivered.Enqueue((topic, message));
                    }
                });
                return;
            }
            catch (ProduceException<byte[]?, byte[]?> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull && !_kill.IsCancellationRequested)
            {
                _producer!.Poll(TimeSpan.FromMilliseconds(100));
            }
        }
    }

    /// <summary>Dead letters must be durable before the offsets of their sources are committed.</summary>
    private bool FlushDeadLetters()
    {
        for (int attempt = 0; attempt < 3; attempt++)
        {
            int pending = _producer!.Flush(_options.DeadLetterFlushTimeout);
            if (pending > 0)
            {
                Log.CheckpointPostponed(_logger, pending);
                return false;
            }

            if (_undelivered.IsEmpty)
            {
                return true;
            }

            while (_undelivered.TryDequeue(out var failed))
            {
                Produce(failed.Topic, failed.Message);
            }
        }

        Log.CheckpointPostponed(_logger, _undelivered.Count);
        return false;
    }

    private bool Checkpoint(bool storeOffsets)
    {
        if (!_dirty)
        {
            _lastCheckpointAt = _time.GetTimestamp();
            return true;
        }

        if (!FlushDeadLetters())
        {
            _sinceCheckpoint = 0; // retry after the next interval or batch, not on every record
            _lastCheckpointAt = _time.GetTimestamp();
            return false;
        }

        // WindowEngine.Write drops closed windows not yet taken: report them first.
        long started = _time.GetTimestamp();
        Report(all: true);
        var models = new Dictionary<string, ReadOnlyMemory<byte>>(_pipelines.Length + _participants.Count, StringComparer.Ordinal);
        foreach (var participant in _participants)
        {
            models["@" + participant.Name] = participant.Save();
        }

        // Window states go straight into the checkpoint file when it is saved (below, on this task): the state of
        // large exact windows is not copied into memory first.
        var writers = new Dictionary<string, Action<StateWriter>>(_pipelines.Length, StringComparer.Ordinal);
        foreach (var pipeline in _pipelines)
        {
            var engine = pipeline.Engine;
            writers[pipeline.Model.Model] = engine.Write;
        }

        Dictionary<TopicPartition, long> offsets;
        lock (_gate)
        {
            offsets = new Dictionary<TopicPartition, long>(_positions);
        }

        var checkpoint = new Checkpoint(++_sequence, _time.GetUtcNow(), offsets, models) { Writers = writers };
        string path = _store.Save(checkpoint);
        Log.CheckpointWritten(_logger, checkpoint.Sequence, path);
        CheckpointWritten?.Invoke(_time.GetElapsedTime(started));
        _dirty = false;
        _sinceCheckpoint = 0;
        _lastCheckpointAt = _time.GetTimestamp();
        Interlocked.Increment(ref _checkpoints);
        if (storeOffsets)
        {
            StoreOffsets(offsets);
        }

        return true;
    }

    private void StoreOffsets(Dictionary<TopicPartition, long> offsets)
    {
        foreach (var (tp, next) in offsets)
        {
            bool assigned;
            lock (_gate)
            {
                assigned = _assigned.Contains(tp);
            }

            if (!assigned)
            {
                continue;
            }

            try
            {
                _consumer!.StoreOffset(new TopicPartitionOffset(tp, new Offset(next)));
                _committable[tp] = next;
            }
            catch (KafkaException ex)
            {
                Log.CommitSkipped(_logger, ex.Error.ToString());
            }
        }
    }

    private void Report(bool all = false)
    {
        for (int i = 0; i < _pipelines.Length; i++)
        {
            if (!all && !_touched[i])
            {
                continue;
            }

            _touched[i] = false;
            // Closed windows at once; back-fills from late labels on the daemon's schedule (InvokeAsync).
            var reports = _pipelines[i].Evaluate(includeBackfills: false);
            if (reports.Count == 0)
            {
                continue;
            }

            try
            {
                WindowsReported?.Invoke(_pipelines[i], reports);
            }
#pragma warning disable CA1031 // a failing subscriber must not stop ingestion
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.ReportHandlerFailed(_logger, ex);
            }
        }
    }

    private async Task<T> WriteSlowAsync<T>(Item item, TaskCompletionSource<T> done, CancellationToken cancellationToken)
    {
        await _channel.Writer.WriteAsync(item, cancellationToken).ConfigureAwait(false);
        return await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private void DisposeClients()
    {
        _probe?.Dispose();
        _producer?.Dispose();
        _consumer?.Dispose();
    }

    private sealed record TopicRoute(int Pipeline, bool Label, string Model, string DeadLetterTopic);

    /// <summary>Per topic: its routes (looked up once) and its counters (written by the processing task).</summary>
    private sealed class TopicCounts(string topic)
    {
#pragma warning disable CA1051 // fields, for Interlocked
        public long Consumed;
        public long Decoded;
#pragma warning restore CA1051

        public string Topic { get; } = topic;

        public TopicRoute[]? Routes { get; set; }
    }

    private sealed class Item
    {
        public static readonly Item Tick = new();

        public Item(List<ConsumeResult<byte[]?, byte[]?>> records) => Records = records;

        public Item(TaskCompletionSource barrier) => Barrier = barrier;

        public Item(Action work) => Work = work;

        private Item()
        {
        }

        public List<ConsumeResult<byte[]?, byte[]?>>? Records { get; }

        public TaskCompletionSource? Barrier { get; }

        public Action? Work { get; }
    }
}
