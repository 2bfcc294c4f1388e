using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Elastic.Clients.Elasticsearch;
using Elastic.Transport;
using Microsoft.Extensions.Logging;
using Monitor.Core.Alerts;
using Monitor.Core.Evaluation;

namespace Monitor.Exporters.Elasticsearch;

/// <summary>
/// Ships window reports, alerts and Monitor's own logs to Elasticsearch. Callers never wait for the cluster: documents
/// go into a bounded buffer and a background loop sends them in <c>_bulk</c> requests bounded by count and bytes.
/// Items Elasticsearch answers with 429 or 5xx are sent again; items it rejects for good (400, a mapping error) are
/// logged and counted in <see cref="Rejected"/>. Failed requests back off exponentially with jitter. While the
/// cluster is down the buffer holds up to <see cref="ElasticsearchExporterOptions.BufferCapacity"/> documents; when
/// it is full the oldest are dropped and counted in <see cref="Dropped"/>.
/// </summary>
/// <remarks>
/// Requests go through the official client's transport (<see cref="ElasticsearchClient.Transport"/>) with the bodies
/// written here: the typed bulk API serialises typed documents, while Monitor's documents are already JSON (the
/// replay line format) and per-item statuses are needed in request order.
/// </remarks>
public sealed class ElasticsearchExporter : IAsyncDisposable
{
    private const string BulkContentType = "application/vnd.elasticsearch+x-ndjson;compatible-with=9";
    private const int RejectionsLoggedPerRequest = 5;
    private const int BackoffHistory = 64;

    private readonly ElasticsearchExporterOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ElasticsearchClientSettings _settings;
    private readonly ElasticsearchClient _client;
    private readonly RequestConfiguration _bulkRequest;
    private readonly DocumentQueue _data;
    private readonly DocumentQueue _logs;
    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly CancellationTokenSource _abort = new();
    private readonly Random _jitter;
    private readonly Lock _dropLogGate = new();
    private readonly Lock _startGate = new();
    private readonly ConcurrentQueue<TimeSpan> _backoffs = new();
    private Task? _loop;
    private volatile bool _stopping;
    private volatile bool _templatesReady;
    private int _failures;
    private long _indexed;
    private long _rejected;
    private long _retried;
    private long _unsent;
    private long _droppedLogged;
    private DateTimeOffset _lastDropLog = DateTimeOffset.MinValue;
    private int _backingOff;
    private int _disposed;

    /// <summary>Creates the exporter and its client; call <see cref="Start"/> to begin shipping.</summary>
    /// <param name="options">Validated settings; every problem is reported at once.</param>
    /// <param name="timeProvider">The clock for back-off, the shutdown deadline and drop-log rate limiting.</param>
    /// <param name="logger">Where failures, rejections and drops are reported.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public ElasticsearchExporter(ElasticsearchExporterOptions options, TimeProvider timeProvider, ILogger<ElasticsearchExporter> logger)
        : this(options, timeProvider, logger, new Random())
    {
    }

    internal ElasticsearchExporter(ElasticsearchExporterOptions options, TimeProvider timeProvider, ILogger logger, Random jitter)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(options));
        }

        _options = options;
        _time = timeProvider;
        _logger = logger;
        _jitter = jitter;
        _data = new DocumentQueue(options.BufferCapacity);
        _logs = new DocumentQueue(options.LogBufferCapacity);

        // One node, no transport-level retries: back-off and per-item retries are this class's job, and a retry
        // inside the transport would hide the status the decision needs.
        _settings = new ElasticsearchClientSettings(new SingleNodePool(options.Endpoint))
            .RequestTimeout(options.RequestTimeout)
            .MaximumRetries(0)
            .ThrowExceptions(false);
        if (options.ApiKey is { } apiKey)
        {
            _settings.Authentication(new ApiKey(apiKey));
        }
        else if (options.Username is { } user)
        {
            _settings.Authentication(new BasicAuthentication(user, options.Password!));
        }

        _client = new ElasticsearchClient(_settings);
        _bulkRequest = new RequestConfiguration { ContentType = BulkContentType };
    }

    /// <summary>Documents waiting to be sent (findings and logs), not counting a request in flight.</summary>
    public int BufferDepth => _data.Count + _logs.Count;

    /// <summary>
    /// Documents given up without Elasticsearch refusing them: the oldest, dropped when a buffer was full, and
    /// those still unsent when the shutdown deadline passed.
    /// </summary>
    public long Dropped => _data.Dropped + _logs.Dropped + Interlocked.Read(ref _unsent);

    /// <summary>Documents Elasticsearch confirmed stored.</summary>
    public long Indexed => Interlocked.Read(ref _indexed);

    /// <summary>Documents Elasticsearch refused for good (a 4xx other than 408/429, such as a mapping error); each is logged.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Item-level retries: documents answered 429 or 5xx inside a bulk response and queued again.</summary>
    public long Retried => Interlocked.Read(ref _retried);

    /// <summary>The latest back-off delays taken, in order (for tests and diagnostics).</summary>
    internal IReadOnlyCollection<TimeSpan> Backoffs => _backoffs;

    /// <summary>Whether the loop is waiting out a back-off now.</summary>
    internal bool IsBackingOff => Volatile.Read(ref _backingOff) == 1;

    /// <summary>Starts the background loop: it installs the index templates (retrying until it can), then ships. Idempotent.</summary>
    public void Start()
    {
        lock (_startGate)
        {
            _loop ??= Task.Run(RunAsync);
        }
    }

    /// <summary>Queues the drift documents and the window document of <paramref name="report"/>.</summary>
    public void Export(WindowReport report)
    {
        var dropped = 0;
        foreach (var doc in Documents.FromReport(report))
        {
            dropped += _data.Enqueue(doc);
        }

        AfterEnqueue(dropped);
    }

    /// <summary>Queues the document of <paramref name="alert"/>.</summary>
    public void Export(AlertNotification alert) => AfterEnqueue(_data.Enqueue(Documents.FromAlert(alert)));

    /// <summary>Queues a log document (from <see cref="ElasticsearchLogSink"/>).</summary>
    internal void EnqueueLog(ExportDocument document) => AfterEnqueue(_logs.Enqueue(document));

    /// <summary>
    /// Installs each index template that is missing or older than the shipped one (<c>GET _index_template/{name}</c>,
    /// then <c>PUT</c> on 404). Returns how many were installed.
    /// </summary>
    /// <exception cref="HttpRequestException">Elasticsearch could not be reached or refused a request.</exception>
    public async Task<int> EnsureTemplatesAsync(CancellationToken cancellationToken)
    {
        // The typed info call runs the client's product check (the X-Elastic-Product header) before anything is
        // written; the raw transport calls below skip it.
        try
        {
            var info = await _client.InfoAsync(cancellationToken).ConfigureAwait(false);
            if (!info.IsValidResponse)
            {
                throw Failure("GET /", info.ApiCallDetails, null);
            }
        }
        catch (UnsupportedProductException ex)
        {
            throw new HttpRequestException($"The server at {_options.Endpoint} is not a supported Elasticsearch: {ex.Message}", ex);
        }

        var installed = 0;
        foreach (var name in IndexTemplates.Names)
        {
            var body = IndexTemplates.Body(name);
            var path = "_index_template/" + name;
            var get = await _client.Transport.RequestAsync<BytesResponse>(Elastic.Transport.HttpMethod.GET, path, cancellationToken).ConfigureAwait(false);
            var status = get.ApiCallDetails.HttpStatusCode ?? 0;
            if (status == 200 && IndexTemplates.InstalledVersion(get.Body, name) >= IndexTemplates.ShippedVersion(body))
            {
                continue;
            }

            if (status is not (200 or 404))
            {
                throw Failure("GET " + path, get.ApiCallDetails, get.Body);
            }

            var put = await _client.Transport.RequestAsync<BytesResponse>(Elastic.Transport.HttpMethod.PUT, path, PostData.Bytes(body), cancellationToken).ConfigureAwait(false);
            if (put.ApiCallDetails.HttpStatusCode is not (200 or 201))
            {
                throw Failure("PUT " + path, put.ApiCallDetails, put.Body);
            }

            Log.TemplateInstalled(_logger, name);
            installed++;
        }

        _templatesReady = true;
        return installed;
    }

    /// <summary>
    /// Stops the loop after sending what is buffered, waiting at most
    /// <see cref="ElasticsearchExporterOptions.ShutdownTimeout"/> (or until <paramref name="cancellationToken"/>);
    /// what is still unsent then is counted in <see cref="Dropped"/> and logged.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Task? loop;
        lock (_startGate)
        {
            loop = _loop;
        }

        _stopping = true;
        Signal();
        if (loop is not null)
        {
            using var deadline = new CancellationTokenSource(_options.ShutdownTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
            using (linked.Token.Register(static s => ((CancellationTokenSource)s!).Cancel(), _abort))
            {
                await loop.ConfigureAwait(false);
            }
        }

        var unsent = _data.Clear() + _logs.Clear();
        if (unsent > 0)
        {
            Interlocked.Add(ref _unsent, unsent);
            Log.UnsentAtShutdown(_logger, unsent);
        }
    }

    /// <summary>Stops (flushing within the shutdown deadline) and releases the client.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _abort.Dispose();
        _signal.Dispose();
        ((IDisposable)_settings).Dispose();
    }

    private async Task RunAsync()
    {
        var ct = _abort.Token;
        try
        {
            while (!_templatesReady)
            {
                try
                {
                    await EnsureTemplatesAsync(ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    // Whatever the failure, nothing is indexed before the mappings exist: wait and try again.
                    var status = ex is HttpRequestException { StatusCode: { } code } ? (int)code : 0;
                    await BackoffAsync("index templates", status, ex.Message, ct).ConfigureAwait(false);
                }
            }

            ResetFailures();
            var batch = new List<ExportDocument>();
            while (true)
            {
                batch.Clear();
                var bytes = _data.TakeInto(batch, _options.MaxBulkDocuments, _options.MaxBulkBytes, 0);
                _logs.TakeInto(batch, _options.MaxBulkDocuments, _options.MaxBulkBytes, bytes);
                if (batch.Count == 0)
                {
                    if (_stopping)
                    {
                        return;
                    }

                    await _signal.WaitAsync(ct).ConfigureAwait(false);
                    continue;
                }

                await ShipAsync(batch, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The shutdown deadline passed; StopAsync counts what is left.
        }
    }

    private async Task ShipAsync(List<ExportDocument> batch, CancellationToken ct)
    {
        var body = BulkBody.Write(batch);
        BytesResponse response;
        try
        {
            response = await _client.Transport.RequestAsync<BytesResponse>(
                Elastic.Transport.HttpMethod.POST, "_bulk", PostData.Bytes(body), _bulkRequest, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Requeue(batch);
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // The transport reports most failures in the response; anything it throws is treated as "no answer".
            Requeue(batch);
            await BackoffAsync("_bulk", 0, ex.Message, ct).ConfigureAwait(false);
            return;
        }

        var status = response.ApiCallDetails.HttpStatusCode ?? 0;
        var reason = Reason(response.ApiCallDetails, response.Body);
        if (status is >= 200 and < 300 && response.Body is { Length: > 0 } responseBody)
        {
            ItemOutcome[]? outcomes = null;
            try
            {
                outcomes = BulkBody.Read(responseBody, batch.Count);
            }
            catch (JsonException ex)
            {
                // An unreadable answer confirms nothing: every document is sent again.
                reason = "unreadable bulk response: " + ex.Message;
            }

            if (outcomes is not null)
            {
                await HandleItemsAsync(batch, outcomes, ct).ConfigureAwait(false);
                return;
            }
        }

        if (BulkBody.IsRetryable(status) || status is >= 200 and < 300)
        {
            Requeue(batch);
            await BackoffAsync("_bulk", status, reason, ct).ConfigureAwait(false);
            return;
        }

        Interlocked.Add(ref _rejected, batch.Count);
        Log.BulkRejected(_logger, batch.Count, status, reason);
    }

    private async Task HandleItemsAsync(List<ExportDocument> batch, ItemOutcome[] outcomes, CancellationToken ct)
    {
        List<ExportDocument>? retry = null;
        var retryStatus = 0;
        var rejectedHere = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            var outcome = outcomes[i];
            if (outcome.Succeeded)
            {
                Interlocked.Increment(ref _indexed);
            }
            else if (BulkBody.IsRetryable(outcome.Status))
            {
                batch[i].Attempts++;
                (retry ??= []).Add(batch[i]);
                retryStatus = Math.Max(retryStatus, outcome.Status);
            }
            else
            {
                Interlocked.Increment(ref _rejected);
                if (rejectedHere++ < RejectionsLoggedPerRequest)
                {
                    Log.DocumentRejected(_logger, batch[i].Id, batch[i].Index, outcome.Status, outcome.ErrorType, outcome.Reason);
                }
            }
        }

        if (rejectedHere > RejectionsLoggedPerRequest)
        {
            Log.MoreDocumentsRejected(_logger, rejectedHere - RejectionsLoggedPerRequest);
        }

        if (retry is null)
        {
            ResetFailures();
            return;
        }

        Interlocked.Add(ref _retried, retry.Count);
        Log.ItemsRetrying(_logger, retry.Count, retryStatus);
        Requeue(retry);

        // Items answered 429 mean the cluster is pushing back: wait before sending them again.
        await BackoffAsync("_bulk items", retryStatus, "some items were not accepted", ct).ConfigureAwait(false);
    }

    private void Requeue(List<ExportDocument> documents)
    {
        var data = documents.Where(d => d.Lane == DocumentLane.Data).ToList();
        var logs = documents.Where(d => d.Lane == DocumentLane.Logs).ToList();
        ReportDrops(_data.Requeue(data) + _logs.Requeue(logs));
    }

    private async Task BackoffAsync(string request, int status, string reason, CancellationToken ct)
    {
        var failures = Interlocked.Increment(ref _failures);
        double u;
        lock (_jitter)
        {
            u = _jitter.NextDouble();
        }

        var delay = Backoff.Delay(failures, _options.InitialBackoff, _options.MaxBackoff, u);
        _backoffs.Enqueue(delay);
        while (_backoffs.Count > BackoffHistory)
        {
            _backoffs.TryDequeue(out _);
        }

        Log.RequestFailed(_logger, request, status, reason, delay, failures);
        Volatile.Write(ref _backingOff, 1);
        try
        {
            await Task.Delay(delay, _time, ct).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _backingOff, 0);
        }
    }

    private void ResetFailures()
    {
        var failures = Interlocked.Exchange(ref _failures, 0);
        if (failures > 0)
        {
            Log.Recovered(_logger, failures);
        }
    }

    private void AfterEnqueue(int dropped)
    {
        ReportDrops(dropped);
        Signal();
    }

    private void Signal()
    {
        try
        {
            if (_signal.CurrentCount == 0)
            {
                _signal.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Another producer signalled first; one wake-up is enough.
        }
        catch (ObjectDisposedException)
        {
            // Documents arriving after disposal are simply not shipped.
        }
    }

    // Rate-limited so a long outage gives one line a minute, not one per document; the mark moves before logging,
    // because the log line itself may come back here through the log sink.
    private void ReportDrops(int dropped)
    {
        if (dropped == 0)
        {
            return;
        }

        long since;
        lock (_dropLogGate)
        {
            var now = _time.GetUtcNow();
            if (now - _lastDropLog < _options.DropLogInterval)
            {
                return;
            }

            _lastDropLog = now;
            var total = _data.Dropped + _logs.Dropped;
            since = total - _droppedLogged;
            _droppedLogged = total;
        }

        Log.DocumentsDropped(_logger, since, Dropped, BufferDepth);
    }

    private static HttpRequestException Failure(string request, ApiCallDetails details, byte[]? body)
    {
        var status = details.HttpStatusCode;
        return new HttpRequestException(
            $"Elasticsearch request {request} failed: {Reason(details, body)}",
            details.OriginalException,
            status is { } s ? (HttpStatusCode)s : null);
    }

    private static string Reason(ApiCallDetails details, byte[]? body)
    {
        if (details.OriginalException is { } ex && details.HttpStatusCode is null)
        {
            return ex.GetBaseException().Message;
        }

        return body is { Length: > 0 } ? BulkBody.Excerpt(body) : $"status {details.HttpStatusCode}";
    }
}
