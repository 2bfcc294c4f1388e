using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Monitor.Alerts.Channels;
using Monitor.Core.Alerts;

namespace Monitor.Alerts.Outbox;

/// <summary>
/// A durable outbox: every (notification or retrain request, target) is written to disk atomically before any send,
/// then delivered at least once with exponential backoff and full jitter. Each (channel, target) is its own queue
/// served by its own worker, so a slow or failing target never holds up another. Delivered items are remembered by
/// idempotency key, so enqueueing a key again, or restarting over the same directory, never re-sends it.
/// </summary>
public sealed class FileOutbox : IAsyncDisposable
{
    private const string AlertKind = "alert";
    private const string RetrainKind = "retrain";

    private readonly OutboxOptions _options;
    private readonly Dictionary<string, INotificationChannel> _channels;
    private readonly TimeProvider _time;
    private readonly ILogger<FileOutbox> _logger;
    private readonly string _itemsDirectory;
    private readonly int _seed;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, OutboxRecord> _records = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TargetQueue> _queues = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ChannelCounters> _counters = new(StringComparer.Ordinal);
    private readonly HashSet<Task> _running = [];
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stopping = new();
    private long _sequence;
    private bool _disposed;

    /// <summary>Opens (or creates) the outbox in <see cref="OutboxOptions.Directory"/> and loads its items; pending ones resume.</summary>
    /// <param name="options">Directory and retry policy.</param>
    /// <param name="channels">The channels, at most one per name.</param>
    /// <param name="time">The clock for attempt times and backoff.</param>
    /// <param name="logger">The logger.</param>
    /// <exception cref="ArgumentException">The options are invalid or two channels share a name.</exception>
    public FileOutbox(OutboxOptions options, IEnumerable<INotificationChannel> channels, TimeProvider time, ILogger<FileOutbox> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(channels);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(options));
        }

        _options = options;
        _time = time;
        _logger = logger;
        _channels = new Dictionary<string, INotificationChannel>(StringComparer.Ordinal);
        foreach (var channel in channels)
        {
            if (!_channels.TryAdd(channel.Name, channel))
            {
                throw new ArgumentException($"Two channels are named '{channel.Name}'; register one per name.", nameof(channels));
            }
        }

        _seed = options.JitterSeed ?? Random.Shared.Next();
        _itemsDirectory = Path.Combine(options.Directory, "items");
        Directory.CreateDirectory(_itemsDirectory);
        Load();
    }

    /// <summary>Items waiting to be sent, over all channels.</summary>
    public int Depth
    {
        get
        {
            lock (_gate)
            {
                int depth = 0;
                foreach (var c in _counters.Values)
                {
                    depth += c.Pending;
                }

                return depth;
            }
        }
    }

    /// <summary>
    /// Writes one item per distinct target of <paramref name="notification"/> to disk, unless that (key, target) is
    /// already known (pending, delivered or dead), and wakes the dispatcher.
    /// </summary>
    /// <param name="notification">The alert; its channel and targets decide the items.</param>
    /// <returns>How many new items were written (0 when all were already known).</returns>
    public int Enqueue(AlertNotification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        ArgumentException.ThrowIfNullOrEmpty(notification.IdempotencyKey, nameof(notification));
        string channel = ChannelNames.Of(notification.Channel);
        int added = 0;
        foreach (string target in notification.Targets.Distinct(StringComparer.Ordinal))
        {
            if (TryAdd(AlertKind, channel, target, notification.IdempotencyKey, notification, null))
            {
                added++;
            }
        }

        if (added > 0)
        {
            Signal();
        }

        return added;
    }

    /// <summary>Writes the retrain request to disk unless its (key, webhook) is already known, and wakes the dispatcher.</summary>
    /// <param name="request">The request; <see cref="RetrainRequest.Webhook"/> is the target.</param>
    /// <returns>Whether a new item was written.</returns>
    public bool Enqueue(RetrainRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.IdempotencyKey, nameof(request));
        ArgumentException.ThrowIfNullOrEmpty(request.Webhook, nameof(request));
        bool added = TryAdd(RetrainKind, ChannelNames.Retrain, request.Webhook, request.IdempotencyKey, null, request);
        if (added)
        {
            Signal();
        }

        return added;
    }

    /// <summary>
    /// Starts a worker for every target that has a due item and no worker yet; returns at once. Each worker sends its
    /// target's due items in order and stops at the first failure (that target then waits for its backoff).
    /// </summary>
    /// <returns>How many workers were started.</returns>
    public int StartDue()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var now = _time.GetUtcNow();
        var start = new List<TargetQueue>();
        lock (_gate)
        {
            foreach (var queue in _queues.Values)
            {
                if (!queue.InFlight && queue.BlockedUntil <= now && FirstDue(queue, now) is not null)
                {
                    queue.InFlight = true;
                    start.Add(queue);
                }
            }
        }

        var token = _stopping.Token;
        foreach (var queue in start)
        {
            var task = Task.Run(() => RunQueueAsync(queue, token), CancellationToken.None);
            lock (_gate)
            {
                if (!task.IsCompleted)
                {
                    _running.Add(task);
                }
            }

            _ = task.ContinueWith(t => { lock (_gate) { _running.Remove(t); } }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return start.Count;
    }

    /// <summary>Completes when every worker started so far has finished its current pass.</summary>
    /// <returns>A task.</returns>
    public Task WhenIdleAsync()
    {
        Task[] tasks;
        lock (_gate)
        {
            tasks = [.. _running];
        }

        return Task.WhenAll(tasks);
    }

    /// <summary>
    /// Dispatches until cancelled: starts due workers, then sleeps until the next item is due, an item is enqueued or a
    /// worker finishes (at most <see cref="OutboxOptions.IdleWakeInterval"/>). Meant for a hosted service.
    /// </summary>
    /// <param name="cancellationToken">Stops the loop; in-flight sends are cancelled by <see cref="DisposeAsync"/>.</param>
    /// <returns>A task that ends when cancelled.</returns>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        var token = linked.Token;
        try
        {
            while (true)
            {
                token.ThrowIfCancellationRequested();
                StartDue();
                TimeSpan wait = TimeUntilNextDue();
                if (wait <= TimeSpan.Zero)
                {
                    continue;
                }

                using var waitCts = CancellationTokenSource.CreateLinkedTokenSource(token);
                var signal = _wake.WaitAsync(waitCts.Token);
                var delay = Task.Delay(wait, _time, waitCts.Token);
                await Task.WhenAny(signal, delay).ConfigureAwait(false);
                await waitCts.CancelAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Shutdown: pending items stay on disk and resume on the next start.
        }
        catch (ObjectDisposedException) when (_disposed)
        {
            // Disposed while the loop was between two checks of the token.
        }
    }

    /// <summary>Counts per channel, including channels with nothing queued that have items on disk or a registered sender.</summary>
    /// <returns>One entry per channel, ordered by name.</returns>
    public IReadOnlyList<OutboxChannelStats> GetStats()
    {
        lock (_gate)
        {
            foreach (string name in _channels.Keys)
            {
                CountersFor(name);
            }

            return [.. _counters.OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(kv => new OutboxChannelStats(kv.Key, kv.Value.Pending, kv.Value.Delivered, kv.Value.Dead, kv.Value.Sent, kv.Value.Failed))];
        }
    }

    /// <summary>Counts for one channel.</summary>
    /// <param name="channel">The channel name.</param>
    /// <returns>Its counts (zeros when unknown).</returns>
    public OutboxChannelStats GetStats(string channel)
    {
        lock (_gate)
        {
            return _counters.TryGetValue(channel, out var c)
                ? new OutboxChannelStats(channel, c.Pending, c.Delivered, c.Dead, c.Sent, c.Failed)
                : new OutboxChannelStats(channel, 0, 0, 0, 0, 0);
        }
    }

    /// <summary>The state of the item for (channel, key, target), or <see langword="null"/> when unknown.</summary>
    /// <param name="channel">The channel name.</param>
    /// <param name="idempotencyKey">The key.</param>
    /// <param name="target">The address or URL.</param>
    /// <returns>The state.</returns>
    public OutboxItemState? GetState(string channel, string idempotencyKey, string target)
    {
        string kind = channel == ChannelNames.Retrain ? RetrainKind : AlertKind;
        lock (_gate)
        {
            return _records.TryGetValue(OutboxRecord.MakeId(kind, channel, idempotencyKey, target), out var r) ? r.State : null;
        }
    }

    /// <summary>The earliest time a pending item may be attempted, or <see langword="null"/> when none is pending.</summary>
    public DateTimeOffset? NextAttemptAt
    {
        get
        {
            lock (_gate)
            {
                DateTimeOffset? next = null;
                foreach (var q in _queues.Values)
                {
                    foreach (string id in q.Pending)
                    {
                        var at = Max(_records[id].NextAttemptAt, q.BlockedUntil);
                        if (next is null || at < next)
                        {
                            next = at;
                        }
                    }
                }

                return next;
            }
        }
    }

    /// <summary>Cancels in-flight sends (their items stay pending, attempt not counted) and waits for the workers.</summary>
    /// <returns>A task.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await WhenIdleAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Workers end by cancellation on shutdown.
        }

        _stopping.Dispose();
        _wake.Dispose();
    }

    private bool TryAdd(string kind, string channel, string target, string key, AlertNotification? alert, RetrainRequest? retrain)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        string id = OutboxRecord.MakeId(kind, channel, key, target);
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (_records.ContainsKey(id))
            {
                return false;
            }

            var record = new OutboxRecord
            {
                Id = id,
                Kind = kind,
                Channel = channel,
                Target = target,
                IdempotencyKey = key,
                Sequence = ++_sequence,
                State = OutboxItemState.Pending,
                EnqueuedAt = now,
                NextAttemptAt = now,
                Alert = alert,
                Retrain = retrain,
            };

            // Durable before it is visible to any worker: a crash after this line resends, never loses.
            Persist(record);
            Track(record);
        }

        if (_logger.IsEnabled(LogLevel.Debug))
        {
            string redacted = Log.Redact(target);
            Log.Enqueued(_logger, channel, redacted, key);
        }
        return true;
    }

    private async Task RunQueueAsync(TargetQueue queue, CancellationToken token)
    {
        try
        {
            while (!token.IsCancellationRequested)
            {
                OutboxRecord? record;
                lock (_gate)
                {
                    record = FirstDue(queue, _time.GetUtcNow());
                }

                if (record is null || !await AttemptAsync(record, queue, token).ConfigureAwait(false))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Shutdown mid-send: the item stays pending on disk.
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The state file could not be written (disk full?): keep the item pending in memory and retry on the next pass.
            if (_logger.IsEnabled(LogLevel.Error))
            {
                int split = queue.Key.IndexOf('\n', StringComparison.Ordinal);
                string redacted = Log.Redact(queue.Key[(split + 1)..]);
                Log.PersistFailed(_logger, queue.Key[..split], redacted, ex.Message);
            }
        }
        finally
        {
            lock (_gate)
            {
                queue.InFlight = false;
            }

            Signal();
        }
    }

    /// <summary>One attempt; returns whether the worker should go on with the target's next item.</summary>
    private async Task<bool> AttemptAsync(OutboxRecord record, TargetQueue queue, CancellationToken token)
    {
        var delivery = new Delivery(record.Channel, record.Target, record.IdempotencyKey, record.Alert, record.Retrain);
        DeliveryResult result;
        if (!_channels.TryGetValue(record.Channel, out var channel))
        {
            result = DeliveryResult.Fail(true, $"no channel named '{record.Channel}' is configured");
        }
        else
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(token);
            attempt.CancelAfter(_options.AttemptTimeout);
            try
            {
                result = await channel.SendAsync(delivery, attempt.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
                result = DeliveryResult.Fail(true, string.Create(CultureInfo.InvariantCulture, $"timed out after {_options.AttemptTimeout.TotalSeconds:0.###} s"));
            }
#pragma warning disable CA1031 // Any failure of one target is that target's problem: it is recorded and retried, never propagated to the others.
            catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
            {
                result = DeliveryResult.Fail(true, ex.GetType().Name + ": " + ex.Message);
            }
        }

        var now = _time.GetUtcNow();
        int attempts = record.Attempts + 1;
        OutboxRecord updated;
        if (result.Delivered)
        {
            updated = record with { State = OutboxItemState.Delivered, Attempts = attempts, SettledAt = now, LastStatus = result.StatusCode, LastError = null };
        }
        else if (!result.Retryable || attempts >= _options.MaxAttempts)
        {
            updated = record with { State = OutboxItemState.Dead, Attempts = attempts, SettledAt = now, LastStatus = result.StatusCode, LastError = result.Error };
        }
        else
        {
            var delay = Backoff.Delay(attempts, Backoff.Jitter(_seed, record.Id, attempts), _options.BaseDelay, _options.MaxDelay);
            updated = record with { Attempts = attempts, NextAttemptAt = now + delay, LastStatus = result.StatusCode, LastError = result.Error };
        }

        Persist(updated);
        lock (_gate)
        {
            Untrack(record);
            Track(updated);
            var counters = CountersFor(record.Channel);
            if (result.Delivered)
            {
                counters.Sent++;
            }
            else
            {
                counters.Failed++;
                if (updated.State == OutboxItemState.Pending)
                {
                    queue.BlockedUntil = updated.NextAttemptAt;
                }
            }
        }

        string target = Log.Redact(record.Target);
        switch (updated.State)
        {
            case OutboxItemState.Delivered:
                Log.Delivered(_logger, record.Channel, target, record.IdempotencyKey, attempts, result.StatusCode ?? 0);
                return true;
            case OutboxItemState.Dead:
                Log.DeliveryDead(_logger, record.Channel, target, record.IdempotencyKey, attempts, result.Error ?? "unknown error");
                // A permanent refusal of one item says nothing about the target's next item; exhausted retries do.
                return !result.Retryable;
            default:
                Log.DeliveryFailed(_logger, record.Channel, target, record.IdempotencyKey, attempts, result.Error ?? "unknown error", updated.NextAttemptAt);
                return false;
        }
    }

    private OutboxRecord? FirstDue(TargetQueue queue, DateTimeOffset now)
    {
        foreach (string id in queue.Pending)
        {
            var r = _records[id];
            if (r.NextAttemptAt <= now)
            {
                return r;
            }
        }

        return null;
    }

    private TimeSpan TimeUntilNextDue()
    {
        var now = _time.GetUtcNow();
        var wait = _options.IdleWakeInterval;
        lock (_gate)
        {
            foreach (var q in _queues.Values)
            {
                if (q.InFlight)
                {
                    continue;
                }

                foreach (string id in q.Pending)
                {
                    var at = Max(_records[id].NextAttemptAt, q.BlockedUntil) - now;
                    if (at < wait)
                    {
                        wait = at;
                    }
                }
            }
        }

        return wait;
    }

    private void Load()
    {
        var now = _time.GetUtcNow();
        foreach (string tmp in Directory.EnumerateFiles(_itemsDirectory, "*.tmp"))
        {
            // A write interrupted before its rename: the item it was replacing is intact under its own name.
            File.Delete(tmp);
        }

        var files = Directory.GetFiles(_itemsDirectory, "*.json");
        Array.Sort(files, StringComparer.Ordinal);
        lock (_gate)
        {
            foreach (string path in files)
            {
                OutboxRecord? record;
                try
                {
                    record = JsonSerializer.Deserialize<OutboxRecord>(File.ReadAllBytes(path), OutboxRecord.Json);
                    if (record is null || record.Format != OutboxRecord.CurrentFormat || Path.GetFileNameWithoutExtension(path) != record.Id)
                    {
                        throw new JsonException("not an outbox item of format 1");
                    }
                }
                catch (JsonException ex)
                {
                    File.Move(path, path + ".corrupt", overwrite: true);
                    Log.CorruptItem(_logger, path, ex.Message);
                    continue;
                }

                if (record.State != OutboxItemState.Pending && record.SettledAt is { } settled && now - settled > _options.SettledRetention)
                {
                    File.Delete(path);
                    continue;
                }

                _sequence = Math.Max(_sequence, record.Sequence);
                Track(record);
            }

            foreach (var q in _queues.Values)
            {
                q.Pending.Sort((a, b) => _records[a].Sequence.CompareTo(_records[b].Sequence));
            }

            int pending = 0, delivered = 0, dead = 0;
            foreach (var c in _counters.Values)
            {
                pending += c.Pending;
                delivered += c.Delivered;
                dead += c.Dead;
            }

            Log.OutboxLoaded(_logger, _options.Directory, pending, delivered, dead);
        }
    }

    // Callers hold _gate.
    private void Track(OutboxRecord record)
    {
        _records[record.Id] = record;
        var counters = CountersFor(record.Channel);
        switch (record.State)
        {
            case OutboxItemState.Pending:
                counters.Pending++;
                string key = record.Channel + "\n" + record.Target;
                if (!_queues.TryGetValue(key, out var queue))
                {
                    queue = new TargetQueue(key);
                    _queues.Add(key, queue);
                }

                if (!queue.Pending.Contains(record.Id))
                {
                    queue.Pending.Add(record.Id);
                }

                break;
            case OutboxItemState.Delivered:
                counters.Delivered++;
                break;
            default:
                counters.Dead++;
                break;
        }
    }

    // Callers hold _gate.
    private void Untrack(OutboxRecord record)
    {
        var counters = CountersFor(record.Channel);
        switch (record.State)
        {
            case OutboxItemState.Pending:
                counters.Pending--;
                if (_queues.TryGetValue(record.Channel + "\n" + record.Target, out var queue))
                {
                    queue.Pending.Remove(record.Id);
                }

                break;
            case OutboxItemState.Delivered:
                counters.Delivered--;
                break;
            default:
                counters.Dead--;
                break;
        }
    }

    private ChannelCounters CountersFor(string channel)
    {
        if (!_counters.TryGetValue(channel, out var c))
        {
            c = new ChannelCounters();
            _counters.Add(channel, c);
        }

        return c;
    }

    /// <summary>Temp file, fsync, rename: a reader (or a restart) sees the old or the new item, never a torn one.</summary>
    private void Persist(OutboxRecord record)
    {
        string path = Path.Combine(_itemsDirectory, record.Id + ".json");
        string tmp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        byte[] bytes = JsonSerializer.SerializeToUtf8Bytes(record, OutboxRecord.Json);
        using (var stream = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.None))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }

        File.Move(tmp, path, overwrite: true);
    }

    private void Signal()
    {
        try
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        }
        catch (ObjectDisposedException)
        {
            // Disposed while a worker finished.
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a >= b ? a : b;

    private sealed class TargetQueue(string key)
    {
        public string Key { get; } = key;

        public List<string> Pending { get; } = [];

        public bool InFlight { get; set; }

        public DateTimeOffset BlockedUntil { get; set; } = DateTimeOffset.MinValue;
    }

    private sealed class ChannelCounters
    {
        public int Pending { get; set; }

        public int Delivered { get; set; }

        public int Dead { get; set; }

        public long Sent { get; set; }

        public long Failed { get; set; }
    }
}
