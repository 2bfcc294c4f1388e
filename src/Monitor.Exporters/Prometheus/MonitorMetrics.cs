using Monitor.Core.Evaluation;
using Monitor.Core.Ingest;
using Monitor.Core.Pipeline;
using Monitor.Core.Rules;
using Monitor.Core.Windows;
using Prometheus;

namespace Monitor.Exporters.Prometheus;

/// <summary>
/// Every metric family of docs/metrics.md, defined on an injected prometheus-net registry (the daemon passes
/// <see cref="Metrics.DefaultRegistry"/> or its own; tests a fresh one). Model results are set from final
/// window reports, and a newer window of a model replaces all of that model's result series, so a removed
/// test, feature or version does not linger. Operational families are plain counters, gauges and histograms
/// behind typed methods whose label values come from Monitor's enums (bounded by construction).
/// Thread-safe: result publication is serialised; operational updates use prometheus-net's own atomics.
/// </summary>
public sealed class MonitorMetrics
{
    private static readonly string[] ModelLabel = ["model"];
    private static readonly string[] VersionLabels = ["model", "version"];
    private static readonly string[] FeatureLabels = ["model", "version", "feature", "test"];
    private static readonly string[] TopicLabel = ["topic"];
    private static readonly string[] TopicReasonLabels = ["topic", "reason"];
    private static readonly string[] ChannelLabel = ["channel"];

    private static readonly double[] DurationBuckets = Histogram.ExponentialBuckets(0.005, 2, 14);

    private readonly CollectorRegistry _registry;
    private readonly bool _publishProvisional;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ModelState> _models = new(StringComparer.Ordinal);

    private readonly Gauge _driftScore;
    private readonly Gauge _driftPValue;
    private readonly Gauge _drifted;
    private readonly Gauge _driftSeverity;
    private readonly Gauge _warningThreshold;
    private readonly Gauge _criticalThreshold;
    private readonly Gauge _predictionDrift;
    private readonly Gauge _datasetShare;
    private readonly Gauge _datasetDrifted;
    private readonly Gauge _performance;
    private readonly Gauge _labelCoverage;
    private readonly Gauge _dataQuality;
    private readonly Gauge _windowEvents;
    private readonly Gauge _windowEnd;
    private readonly Gauge _baselineAge;
    private readonly Gauge _alertsFiring;

    private readonly Counter _consumed;
    private readonly Counter _decoded;
    private readonly Counter _decodeErrors;
    private readonly Counter _deadLetters;
    private readonly Counter _late;
    private readonly Counter _labelsJoined;
    private readonly Counter _labelsExpired;
    private readonly Gauge _consumerLag;
    private readonly Gauge _lastEvent;
    private readonly Histogram _evaluation;
    private readonly Histogram _checkpoint;
    private readonly Counter _alertsSent;
    private readonly Counter _alertsFailed;
    private readonly Gauge _outboxDepth;
    private readonly Counter _retrain;
    private readonly Counter _esDropped;
    private readonly Gauge _esBuffer;
    private readonly Gauge _exactBytes;
    private readonly Gauge _exactBudget;
    private readonly Counter _exactSwitches;
    private readonly Gauge _rss;
    private readonly Counter _cpu;
    private readonly Gauge _gcHeap;
    private readonly Gauge _gcCommitted;

    private readonly Gauge[] _resultFamilies;
    private readonly Gauge[] _performanceFamilies;
    private readonly Gauge[] _coverageFamilies;
    private long _nonFinite;

    /// <summary>Defines every family on <paramref name="registry"/>.</summary>
    /// <param name="registry">Where the families live; a registry holds one <see cref="MonitorMetrics"/> at most.</param>
    /// <param name="publishProvisional">Also publish provisional reports of open windows (default: final windows only,
    /// as the catalogue says; a provisional report then counts as the newest window until its final report replaces it).</param>
    public MonitorMetrics(CollectorRegistry registry, bool publishProvisional = false)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _registry = registry;
        _publishProvisional = publishProvisional;
        var f = Metrics.WithCustomRegistry(registry);

        _driftScore = f.CreateGauge("monitor_feature_drift_score",
            "Drift test statistic per feature and test in the last final window (a distance, or the test statistic for p-value tests).", FeatureLabels);
        _driftPValue = f.CreateGauge("monitor_feature_drift_p_value",
            "Raw p-value of a p-value drift test (absent for distance tests).", FeatureLabels);
        _drifted = f.CreateGauge("monitor_feature_drifted",
            "1 when the drift test crossed its warning threshold, else 0.", FeatureLabels);
        _driftSeverity = f.CreateGauge("monitor_feature_drift_severity",
            "Drift test severity: 0 none, 1 warning, 2 critical.", FeatureLabels);
        _warningThreshold = f.CreateGauge("monitor_feature_drift_warning_threshold",
            "Warning threshold in force for the drift test (on the statistic or on the p-value).", FeatureLabels);
        _criticalThreshold = f.CreateGauge("monitor_feature_drift_critical_threshold",
            "Critical threshold in force for the drift test (absent when the rule sets a warning tier only).", FeatureLabels);
        _predictionDrift = f.CreateGauge("monitor_prediction_drift_score",
            "Drift test statistic of the model's output (the prediction stream).", ["model", "version", "test"]);
        _datasetShare = f.CreateGauge("monitor_dataset_drift_share",
            "Share of features drifted in the last final window, from 0 to 1.", VersionLabels);
        _datasetDrifted = f.CreateGauge("monitor_dataset_drifted_features",
            "Number of features drifted in the last final window.", VersionLabels);
        _performance = f.CreateGauge("monitor_model_performance",
            "Model performance metric (accuracy, roc_auc, rmse, ...) on the last window with joined labels.", ["model", "version", "metric"]);
        _labelCoverage = f.CreateGauge("monitor_label_coverage",
            "Labelled predictions divided by predictions in the last final window, from 0 to 1.", VersionLabels);
        _dataQuality = f.CreateGauge("monitor_data_quality",
            "Data-quality share per feature and check (missing_share, type_error_share, out_of_range_share, unseen_share), from 0 to 1.",
            ["model", "version", "feature", "check"]);
        _windowEvents = f.CreateGauge("monitor_window_events",
            "Prediction events in the last evaluated window.", VersionLabels);
        _windowEnd = f.CreateGauge("monitor_window_end_timestamp_seconds",
            "End of the last evaluated window, in Unix seconds.", ModelLabel);
        _baselineAge = f.CreateGauge("monitor_baseline_age_seconds",
            "Age of the model's baseline (now minus its creation time), in seconds.", ModelLabel);
        _alertsFiring = f.CreateGauge("monitor_alerts_firing",
            "Alerts currently firing per severity (warning, critical).", ["model", "severity"]);

        _consumed = f.CreateCounter("monitor_events_consumed_total", "Messages read from Kafka.", TopicLabel);
        _decoded = f.CreateCounter("monitor_events_decoded_total", "Messages decoded and accumulated.", TopicLabel);
        _decodeErrors = f.CreateCounter("monitor_decode_errors_total", "Messages that failed decoding, per reason.", TopicReasonLabels);
        _deadLetters = f.CreateCounter("monitor_dead_letters_total", "Messages written to the dead-letter topic, per reason.", TopicReasonLabels);
        _late = f.CreateCounter("monitor_late_events_total", "Events for windows already closed (counted, not added).", ModelLabel);
        _labelsJoined = f.CreateCounter("monitor_labels_joined_total", "Labels joined to their prediction.", ModelLabel);
        _labelsExpired = f.CreateCounter("monitor_labels_expired_total", "Predictions whose label never came within the TTL.", ModelLabel);
        _consumerLag = f.CreateGauge("monitor_consumer_lag", "Kafka consumer lag in messages: high watermark minus committed offset.", ["topic", "partition"]);
        _lastEvent = f.CreateGauge("monitor_last_event_timestamp_seconds", "Event time of the newest prediction seen, in Unix seconds.", ModelLabel);
        _evaluation = f.CreateHistogram("monitor_window_evaluation_duration_seconds", "Time to evaluate one window, in seconds.", ModelLabel,
            new HistogramConfiguration { Buckets = DurationBuckets });
        _checkpoint = f.CreateHistogram("monitor_checkpoint_duration_seconds", "Time to write one checkpoint, in seconds.",
            new HistogramConfiguration { Buckets = DurationBuckets });
        _alertsSent = f.CreateCounter("monitor_alerts_sent_total", "Alert notifications delivered, per channel.", ChannelLabel);
        _alertsFailed = f.CreateCounter("monitor_alerts_failed_total", "Alert delivery attempts that failed, per channel (each retry counts).", ChannelLabel);
        _outboxDepth = f.CreateGauge("monitor_outbox_depth", "Notifications waiting in the outbox for delivery.");
        _retrain = f.CreateCounter("monitor_retrain_requests_total", "Retrain webhook calls by HTTP status class (2xx, 4xx, 5xx, error).", ["model", "status"]);
        _esDropped = f.CreateCounter("monitor_elasticsearch_dropped_total", "Documents dropped because the Elasticsearch buffer was full.");
        _esBuffer = f.CreateGauge("monitor_elasticsearch_buffer_depth", "Documents waiting to be indexed in Elasticsearch.");
        _exactBytes = f.CreateGauge("monitor_exact_values_bytes", "Bytes of exact feature values the model's open windows hold (sampled every 4,096 events).", ModelLabel);
        _exactBudget = f.CreateGauge("monitor_exact_values_budget_bytes", "The model's sketch.exact_memory_mb in bytes: past it the largest accumulators switch to sketches.", ModelLabel);
        _exactSwitches = f.CreateCounter("monitor_exact_budget_switches_total", "Accumulators switched to their sketch early to keep the model within its exact-memory budget.", ModelLabel);
        _rss = f.CreateGauge("process_resident_memory_bytes", "Resident memory of the Monitor process, in bytes.");
        _cpu = f.CreateCounter("process_cpu_seconds_total", "User and system CPU time of the Monitor process, in seconds.");
        _gcHeap = f.CreateGauge("monitor_gc_heap_bytes", "Managed heap in use: live objects and garbage not yet collected, in bytes.");
        _gcCommitted = f.CreateGauge("monitor_gc_committed_bytes", "Memory the garbage collector holds committed (heap plus free space kept for reuse; as of the last collection, at least the heap in use), in bytes.");
        registry.AddBeforeCollectCallback(RefreshProcess);

        _resultFamilies =
        [
            _driftScore, _driftPValue, _drifted, _driftSeverity, _warningThreshold, _criticalThreshold, _predictionDrift,
            _datasetShare, _datasetDrifted, _dataQuality, _windowEvents, _windowEnd,
        ];
        _performanceFamilies = [_performance];
        _coverageFamilies = [_labelCoverage];
    }

    // Before every scrape: the process's own footprint, so operators see Monitor's memory and CPU next to its work.
    private void RefreshProcess()
    {
        _rss.Set(Environment.WorkingSet); // VmRSS on Linux
        _cpu.IncTo(Environment.CpuUsage.TotalTime.TotalSeconds);
        // In use now (live plus not yet collected); committed is known as of the last collection (none yet: 0),
        // and is never less than what is in use.
        long heap = GC.GetTotalMemory(forceFullCollection: false);
        _gcHeap.Set(heap);
        _gcCommitted.Set(Math.Max(heap, GC.GetGCMemoryInfo().TotalCommittedBytes));
    }

    /// <summary>The registry the families live on.</summary>
    public CollectorRegistry Registry => _registry;

    /// <summary>Result values skipped because they were NaN or infinite (never exported as such).</summary>
    public long NonFiniteSkipped => Interlocked.Read(ref _nonFinite);

    /// <summary>
    /// Publishes one window report. Final reports of a newer (or the same) window replace the model's result
    /// series; older windows are ignored. Back-fill revisions (<see cref="WindowReport.Revision"/> &gt; 0) update
    /// performance (when labels joined) and, for the window on display, label coverage only.
    /// Provisional reports are ignored unless the instance was created to publish them.
    /// </summary>
    /// <param name="report">The report.</param>
    /// <param name="now">The current time; refreshes the baseline age when its creation time is known.</param>
    /// <returns>Whether any series changed.</returns>
    public bool Publish(WindowReport report, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentException.ThrowIfNullOrEmpty(report.Model, nameof(report));
        if (!report.Final && !_publishProvisional)
        {
            return false;
        }

        lock (_gate)
        {
            if (!_models.TryGetValue(report.Model, out var state))
            {
                state = new ModelState();
                _models[report.Model] = state;
            }

            RefreshBaselineAge(report.Model, state, now);
            bool changed = false;
            if (report.Revision == 0)
            {
                if (state.Main is not null && report.Window.End < state.Main.Window.End)
                {
                    return false;
                }

                state.Main = report;
                ApplyResults(report.Model, state);
                Replace(report.Model, _coverageFamilies, CoverageSeries(report));
                changed = true;
            }
            else if (state.Main is not null && report.Window == state.Main.Window && report.Performance is not null)
            {
                Replace(report.Model, _coverageFamilies, CoverageSeries(report));
                changed = true;
            }

            if (report.Performance is null && report.Revision == 0)
            {
                // The rules no longer evaluate performance for this model.
                state.Performance = null;
                Replace(report.Model, _performanceFamilies, []);
            }
            else if (report.Performance is { Labelled: > 0 }
                && (state.Performance is null || report.Window.End >= state.Performance.Window.End))
            {
                state.Performance = report;
                Replace(report.Model, _performanceFamilies, PerformanceSeries(report));
                changed = true;
            }

            return changed;
        }
    }

    /// <summary>Stops exporting every series of a model (results and operational), e.g. when it leaves the rules.</summary>
    public void RemoveModel(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        lock (_gate)
        {
            _models.Remove(model);
            foreach (var g in ModelGauges())
            {
                RemoveWhereModel(g, model);
            }

            RemoveWhereModel(_late, model);
            RemoveWhereModel(_labelsJoined, model);
            RemoveWhereModel(_labelsExpired, model);
            RemoveWhereModel(_retrain, model);
            RemoveWhereModel(_evaluation, model);
        }
    }

    /// <summary>Keeps only the models still in the rules; every series of any other model is removed.</summary>
    public void Retain(IEnumerable<string> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        var keep = new HashSet<string>(models, StringComparer.Ordinal);
        List<string> drop;
        lock (_gate)
        {
            var seen = new HashSet<string>(_models.Keys, StringComparer.Ordinal);
            foreach (var g in ModelGauges())
            {
                AddModels(g, seen);
            }

            AddModels(_late, seen);
            AddModels(_labelsJoined, seen);
            AddModels(_labelsExpired, seen);
            AddModels(_retrain, seen);
            AddModels(_evaluation, seen);
            drop = [.. seen.Where(m => !keep.Contains(m))];
        }

        foreach (var m in drop)
        {
            RemoveModel(m);
        }
    }

    /// <summary>
    /// Restricts the model's feature series to the features in its rules: series of other features are removed
    /// now and not published again. The prediction stream is always kept.
    /// </summary>
    public void SetModelFeatures(string model, IEnumerable<string> features)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(features);
        lock (_gate)
        {
            if (!_models.TryGetValue(model, out var state))
            {
                state = new ModelState();
                _models[model] = state;
            }

            state.Features = new HashSet<string>(features, StringComparer.Ordinal);
            if (state.Main is not null)
            {
                ApplyResults(model, state);
            }
        }
    }

    /// <summary>Records when the model's baseline was created; every <see cref="Publish"/> then sets its age.</summary>
    public void BaselineCreated(string model, DateTimeOffset createdAt, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(model);
        lock (_gate)
        {
            if (!_models.TryGetValue(model, out var state))
            {
                state = new ModelState();
                _models[model] = state;
            }

            state.BaselineCreatedAt = createdAt;
            RefreshBaselineAge(model, state, now);
        }
    }

    /// <summary>Sets the age of the model's baseline directly.</summary>
    public void BaselineAge(string model, double seconds) => _baselineAge.WithLabels(Model(model)).Set(Finite(seconds, nameof(seconds)));

    /// <summary>Sets how many alerts of the model are firing at a severity.</summary>
    public void AlertsFiring(string model, AlertSeverity severity, int count) =>
        _alertsFiring.WithLabels(Model(model), LabelValues.Severity(severity)).Set(NonNegative(count, nameof(count)));

    /// <summary>Counts messages read from a Kafka topic.</summary>
    public void EventsConsumed(string topic, long count = 1) => _consumed.WithLabels(Topic(topic)).Inc(NonNegative(count, nameof(count)));

    /// <summary>Counts messages decoded and accumulated.</summary>
    public void EventsDecoded(string topic, long count = 1) => _decoded.WithLabels(Topic(topic)).Inc(NonNegative(count, nameof(count)));

    /// <summary>Counts a message that failed decoding; the reason label is the outcome's snake_case name.</summary>
    public void DecodeError(string topic, DecodeOutcome reason, long count = 1) =>
        _decodeErrors.WithLabels(Topic(topic), LabelValues.Reason(reason)).Inc(NonNegative(count, nameof(count)));

    /// <summary>Counts a message written to the dead-letter topic.</summary>
    public void DeadLetter(string topic, DecodeOutcome reason, long count = 1) =>
        _deadLetters.WithLabels(Topic(topic), LabelValues.Reason(reason)).Inc(NonNegative(count, nameof(count)));

    /// <summary>Counts events that arrived for windows already closed.</summary>
    public void LateEvents(string model, long count) => _late.WithLabels(Model(model)).Inc(NonNegative(count, nameof(count)));

    /// <summary>Counts labels joined to their prediction.</summary>
    public void LabelsJoined(string model, long count) => _labelsJoined.WithLabels(Model(model)).Inc(NonNegative(count, nameof(count)));

    /// <summary>Counts predictions whose label never came within the TTL.</summary>
    public void LabelsExpired(string model, long count) => _labelsExpired.WithLabels(Model(model)).Inc(NonNegative(count, nameof(count)));

    /// <summary>
    /// Raises the late-event, joined-label and expired-label counters of the pipeline's model to the pipeline's
    /// running totals (counters never go down). Use this or the increment methods for a model, not both.
    /// </summary>
    public void SyncCounters(ModelPipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        string model = Model(pipeline.Model.Model);
        var engine = pipeline.Engine;
        _late.WithLabels(model).IncTo(engine.LateEvents);
        _labelsJoined.WithLabels(model).IncTo(engine.LabelsJoined);
        _labelsExpired.WithLabels(model).IncTo(engine.PredictionsExpired);
    }

    /// <summary>Sets a model's exact-value memory: held now, its budget (long.MaxValue: none), and early switches so far.</summary>
    public void ExactMemory(string model, long heldBytes, long budgetBytes, long switches)
    {
        string m = Model(model);
        _exactBytes.WithLabels(m).Set(NonNegative(heldBytes, nameof(heldBytes)));
        if (budgetBytes != long.MaxValue)
        {
            _exactBudget.WithLabels(m).Set(NonNegative(budgetBytes, nameof(budgetBytes)));
        }

        _exactSwitches.WithLabels(m).IncTo(NonNegative(switches, nameof(switches)));
    }

    /// <summary>Sets a model's exact-value memory from its pipeline (see <see cref="ExactMemory(string, long, long, long)"/>).</summary>
    public void ExactMemory(ModelPipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ExactMemory(pipeline.Model.Model, pipeline.Engine.ExactBytesHeld, pipeline.Model.Layout.ExactMemoryBudget, pipeline.Engine.ExactBudgetSwitches);
    }

    /// <summary>Sets the consumer lag of one partition.</summary>
    public void ConsumerLag(string topic, int partition, long lag) =>
        _consumerLag.WithLabels(Topic(topic), LabelValues.Partition(partition)).Set(NonNegative(lag, nameof(lag)));

    /// <summary>Sets the event time of the newest prediction seen for a model.</summary>
    public void LastEventTimestamp(string model, DateTimeOffset eventTime) =>
        _lastEvent.WithLabels(Model(model)).Set(UnixSeconds(eventTime));

    /// <summary>Observes how long one window evaluation took.</summary>
    public void ObserveEvaluation(string model, double seconds) =>
        _evaluation.WithLabels(Model(model)).Observe(NonNegative(seconds, nameof(seconds)));

    /// <summary>Observes how long one checkpoint write took.</summary>
    public void ObserveCheckpoint(double seconds) => _checkpoint.Observe(NonNegative(seconds, nameof(seconds)));

    /// <summary>Counts a delivered notification.</summary>
    public void AlertSent(AlertChannel channel) => _alertsSent.WithLabels(LabelValues.Channel(channel)).Inc();

    /// <summary>Counts a failed delivery attempt (each retry counts).</summary>
    public void AlertFailed(AlertChannel channel) => _alertsFailed.WithLabels(LabelValues.Channel(channel)).Inc();

    /// <summary>Sets how many notifications wait in the outbox.</summary>
    public void OutboxDepth(long depth) => _outboxDepth.Set(NonNegative(depth, nameof(depth)));

    /// <summary>Counts a retrain webhook call by its HTTP status class.</summary>
    /// <param name="model">The model.</param>
    /// <param name="httpStatus">The response status, or <see langword="null"/> when no response came (timeout, connection error).</param>
    public void RetrainRequest(string model, int? httpStatus) =>
        _retrain.WithLabels(Model(model), LabelValues.StatusClass(httpStatus)).Inc();

    /// <summary>Counts documents dropped because the Elasticsearch buffer was full.</summary>
    public void ElasticsearchDropped(long count = 1) => _esDropped.Inc(NonNegative(count, nameof(count)));

    /// <summary>Sets how many documents wait to be indexed.</summary>
    public void ElasticsearchBufferDepth(long depth) => _esBuffer.Set(NonNegative(depth, nameof(depth)));

    /// <summary>Writes the registry in the Prometheus text exposition format (what <c>/metrics</c> serves).</summary>
    public Task WriteAsync(Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return _registry.CollectAndExportAsTextAsync(destination, cancellationToken);
    }

    private void RefreshBaselineAge(string model, ModelState state, DateTimeOffset now)
    {
        if (state.BaselineCreatedAt is { } created)
        {
            _baselineAge.WithLabels(model).Set(Math.Max(0, (now - created).TotalSeconds));
        }
    }

    private void ApplyResults(string model, ModelState state) => Replace(model, _resultFamilies, ResultSeries(state.Main!, state.Features));

    private List<Series> ResultSeries(WindowReport r, HashSet<string>? features)
    {
        string version = Version(r);
        var list = new List<Series>();
        foreach (var f in r.Features)
        {
            if (f.Role == StreamRole.Feature && features is not null && !features.Contains(f.Feature))
            {
                continue;
            }

            foreach (var t in f.Tests)
            {
                string[] labels = [r.Model, version, f.Feature, t.Test];
                Add(list, _driftScore, labels, t.Statistic);
                if (t.PValue is { } p)
                {
                    Add(list, _driftPValue, labels, p);
                }

                Add(list, _drifted, labels, t.Drifted ? 1 : 0);
                Add(list, _driftSeverity, labels, LabelValues.SeverityValue(t.Severity));
                Add(list, _warningThreshold, labels, t.Warning);
                if (t.Critical is { } c)
                {
                    Add(list, _criticalThreshold, labels, c);
                }

                if (f.Role == StreamRole.Prediction)
                {
                    Add(list, _predictionDrift, [r.Model, version, t.Test], t.Statistic);
                }
            }

            foreach (var q in f.Quality)
            {
                Add(list, _dataQuality, [r.Model, version, f.Feature, q.Check], q.Value);
            }
        }

        if (r.Dataset is { } d)
        {
            Add(list, _datasetShare, [r.Model, version], d.Share);
            Add(list, _datasetDrifted, [r.Model, version], d.Drifted);
        }

        Add(list, _windowEvents, [r.Model, version], r.Events);
        Add(list, _windowEnd, [r.Model], UnixSeconds(r.Window.End));
        return list;
    }

    private List<Series> CoverageSeries(WindowReport r)
    {
        var list = new List<Series>();
        if (r.Performance is { } p)
        {
            Add(list, _labelCoverage, [r.Model, Version(r)], p.Coverage);
        }

        return list;
    }

    private List<Series> PerformanceSeries(WindowReport r)
    {
        var list = new List<Series>();
        string version = Version(r);
        foreach (var (metric, value) in r.Performance!.Metrics)
        {
            if (value is { } v)
            {
                Add(list, _performance, [r.Model, version, metric], v);
            }
        }

        return list;
    }

    private void Add(List<Series> list, Gauge family, string[] labels, double value)
    {
        if (!double.IsFinite(value))
        {
            Interlocked.Increment(ref _nonFinite);
            return;
        }

        list.Add(new Series(family, labels, value));
    }

    /// <summary>Sets the wanted series first, then removes the model's other series in these families, so a
    /// scrape never sees the model without results.</summary>
    private static void Replace(string model, Gauge[] families, List<Series> wanted)
    {
        var keep = new HashSet<(Gauge, string)>();
        foreach (var s in wanted)
        {
            s.Family.WithLabels(s.Labels).Set(s.Value);
            keep.Add((s.Family, Key(s.Labels)));
        }

        foreach (var family in families)
        {
            foreach (var labels in family.GetAllLabelValues().Where(l => string.Equals(l[0], model, StringComparison.Ordinal)).ToList())
            {
                if (!keep.Contains((family, Key(labels))))
                {
                    family.RemoveLabelled(labels);
                }
            }
        }
    }

    private static string Key(string[] labels) => string.Join('\u001f', labels);

    private static void RemoveWhereModel<TChild>(Collector<TChild> family, string model)
        where TChild : ChildBase
    {
        foreach (var labels in family.GetAllLabelValues().Where(l => string.Equals(l[0], model, StringComparison.Ordinal)).ToList())
        {
            family.RemoveLabelled(labels);
        }
    }

    private static void AddModels<TChild>(Collector<TChild> family, HashSet<string> models)
        where TChild : ChildBase
    {
        foreach (var labels in family.GetAllLabelValues())
        {
            models.Add(labels[0]);
        }
    }

    private IEnumerable<Gauge> ModelGauges() =>
        [.. _resultFamilies, .. _performanceFamilies, .. _coverageFamilies, _baselineAge, _alertsFiring, _lastEvent];

    private static string Version(WindowReport r) => string.IsNullOrEmpty(r.ModelVersion) ? LabelValues.AnyVersion : r.ModelVersion;

    private static double UnixSeconds(DateTimeOffset t) => t.ToUnixTimeMilliseconds() / 1000.0;

    private static string Model(string model)
    {
        ArgumentException.ThrowIfNullOrEmpty(model);
        return model;
    }

    private static string Topic(string topic)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        return topic;
    }

    private static double NonNegative(double value, string name)
    {
        Finite(value, name);
        return value >= 0 ? value : throw new ArgumentOutOfRangeException(name, value, "Must not be negative.");
    }

    private static double Finite(double value, string name) =>
        double.IsFinite(value) ? value : throw new ArgumentException("Must be a finite number.", name);

    private readonly record struct Series(Gauge Family, string[] Labels, double Value);

    private sealed class ModelState
    {
        public WindowReport? Main { get; set; }

        public WindowReport? Performance { get; set; }

        public HashSet<string>? Features { get; set; }

        public DateTimeOffset? BaselineCreatedAt { get; set; }
    }
}
