using System.Text;
using Monitor.Core.Drift;
using Monitor.Core.Ingest;
using Monitor.Core.Pipeline;
using Monitor.Core.Rules;
using Monitor.Exporters.Prometheus;
using Prometheus;

namespace Monitor.Exporters.Tests.Prometheus;

public sealed class MonitorMetricsOperationalTests
{
    private readonly MonitorMetrics _metrics = new(Metrics.NewCustomRegistry());

    [Fact]
    public async Task EventsConsumedAndDecoded_CountPerTopic()
    {
        _metrics.EventsConsumed("fraud.predictions");
        _metrics.EventsConsumed("fraud.predictions", 4);
        _metrics.EventsConsumed("fraud.labels");
        _metrics.EventsDecoded("fraud.predictions", 3);

        var x = await Exposition.Of(_metrics);
        Assert.Equal(5, x.Value("monitor_events_consumed_total", ("topic", "fraud.predictions")));
        Assert.Equal(1, x.Value("monitor_events_consumed_total", ("topic", "fraud.labels")));
        Assert.Equal(3, x.Value("monitor_events_decoded_total", ("topic", "fraud.predictions")));
    }

    [Theory]
    [InlineData(DecodeOutcome.InvalidJson, "invalid_json")]
    [InlineData(DecodeOutcome.NotAnObject, "not_an_object")]
    [InlineData(DecodeOutcome.TooDeep, "too_deep")]
    [InlineData(DecodeOutcome.TooLarge, "too_large")]
    [InlineData(DecodeOutcome.BadTimestamp, "bad_timestamp")]
    [InlineData(DecodeOutcome.MissingEventId, "missing_event_id")]
    [InlineData(DecodeOutcome.MissingModel, "missing_model")]
    [InlineData(DecodeOutcome.MissingLabel, "missing_label")]
    [InlineData(DecodeOutcome.OtherModel, "unknown_model")]
    public async Task DecodeErrorAndDeadLetter_ReasonIsSnakeCase(DecodeOutcome outcome, string reason)
    {
        _metrics.DecodeError("t", outcome);
        _metrics.DecodeError("t", outcome);
        _metrics.DeadLetter("t", outcome);

        var x = await Exposition.Of(_metrics);
        Assert.Equal(2, x.Value("monitor_decode_errors_total", ("topic", "t"), ("reason", reason)));
        Assert.Equal(1, x.Value("monitor_dead_letters_total", ("topic", "t"), ("reason", reason)));
    }

    [Fact]
    public void DecodeError_Ok_IsRejected()
    {
        Assert.Throws<ArgumentException>(() => _metrics.DecodeError("t", DecodeOutcome.Ok));
        Assert.Throws<ArgumentOutOfRangeException>(() => _metrics.DeadLetter("t", (DecodeOutcome)99));
    }

    [Fact]
    public void DecodeReasons_CoverEveryFailureOutcome()
    {
        var mapped = Enum.GetValues<DecodeOutcome>().Where(o => o != DecodeOutcome.Ok).Select(LabelValues.Reason).ToHashSet();
        Assert.Equal(LabelValues.DecodeReasons.ToHashSet(), mapped);
    }

    [Fact]
    public async Task ModelCounters_CountPerModel()
    {
        _metrics.LateEvents("fraud", 2);
        _metrics.LateEvents("fraud", 3);
        _metrics.LabelsJoined("fraud", 7);
        _metrics.LabelsExpired("churn", 1);

        var x = await Exposition.Of(_metrics);
        Assert.Equal(5, x.Value("monitor_late_events_total", ("model", "fraud")));
        Assert.Equal(7, x.Value("monitor_labels_joined_total", ("model", "fraud")));
        Assert.Equal(1, x.Value("monitor_labels_expired_total", ("model", "churn")));
    }

    [Fact]
    public async Task SyncCounters_RaisesCountersToThePipelinesTotals()
    {
        var rules = new ModelRules
        {
            Name = "fraud",
            Task = ModelTask.BinaryClassification,
            Topics = new TopicRules { Predictions = "fraud.predictions", Labels = "fraud.labels" },
            Features = [new FeatureRule { Name = "amount", Kind = FeatureKind.Numeric, Tests = [new DriftTestRule { Name = "psi", Warning = 0.1, Critical = 0.25 }] }],
            Window = new WindowRule { Size = TimeSpan.FromHours(1) },
            Performance = new PerformanceRule { Floors = [new MetricFloor { Metric = "roc_auc", Warning = 0.85, Critical = 0.8 }] },
        };
        var pipeline = new ModelPipeline(CompiledModel.Compile(rules, null, DriftTestRegistry.Default));
        Assert.Equal(DecodeOutcome.Ok, pipeline.OnPrediction(Prediction("a1", "2026-11-28T06:10:00Z")));
        Assert.Equal(DecodeOutcome.Ok, pipeline.OnLabel(Encoding.UTF8.GetBytes("""{"event_id":"a1","timestamp":"2026-11-28T06:11:00Z","label":1}""")));
        pipeline.OnPrediction(Prediction("a2", "2026-11-28T09:30:00Z"));
        pipeline.OnPrediction(Prediction("a3", "2026-11-28T06:20:00Z"));
        Assert.Equal(1, pipeline.Engine.LateEvents);
        Assert.Equal(1, pipeline.Engine.LabelsJoined);

        _metrics.SyncCounters(pipeline);
        _metrics.SyncCounters(pipeline);

        var x = await Exposition.Of(_metrics);
        Assert.Equal(1, x.Value("monitor_late_events_total", ("model", "fraud")));
        Assert.Equal(1, x.Value("monitor_labels_joined_total", ("model", "fraud")));
        Assert.Equal(pipeline.Engine.PredictionsExpired, x.Value("monitor_labels_expired_total", ("model", "fraud")));
    }

    [Fact]
    public async Task ExactMemory_SetsHeldAndBudgetAndRaisesSwitches_WithoutABudgetNoBudgetSeries()
    {
        _metrics.ExactMemory("fraud", 3_000_000, 64L << 20, 4);
        _metrics.ExactMemory("fraud", 2_000_000, 64L << 20, 3); // switches never go down (a restart counts from 0)
        _metrics.ExactMemory("churn", 100, long.MaxValue, 0);

        var x = await Exposition.Of(_metrics);
        Assert.Equal(2_000_000, x.Value("monitor_exact_values_bytes", ("model", "fraud")));
        Assert.Equal(64L << 20, x.Value("monitor_exact_values_budget_bytes", ("model", "fraud")));
        Assert.Equal(4, x.Value("monitor_exact_budget_switches_total", ("model", "fraud")));
        Assert.Equal(100, x.Value("monitor_exact_values_bytes", ("model", "churn")));
        Assert.False(x.Contains("monitor_exact_values_budget_bytes", ("model", "churn")));
    }

    [Fact]
    public async Task Scrape_ReportsTheProcesssOwnMemoryAndCpu()
    {
        var x = await Exposition.Of(_metrics);

        Assert.InRange(x.Value("process_resident_memory_bytes"), 10e6, 64e9);
        Assert.True(x.Value("process_cpu_seconds_total") > 0);
        Assert.InRange(x.Value("monitor_gc_heap_bytes"), 1, x.Value("monitor_gc_committed_bytes"));
    }

    [Fact]
    public async Task ConsumerLag_IsPerTopicAndPartition()
    {
        _metrics.ConsumerLag("fraud.predictions", 0, 12);
        _metrics.ConsumerLag("fraud.predictions", 1, 3);
        _metrics.ConsumerLag("fraud.predictions", 0, 4);

        var x = await Exposition.Of(_metrics);
        Assert.Equal(4, x.Value("monitor_consumer_lag", ("topic", "fraud.predictions"), ("partition", "0")));
        Assert.Equal(3, x.Value("monitor_consumer_lag", ("topic", "fraud.predictions"), ("partition", "1")));
        Assert.Throws<ArgumentOutOfRangeException>(() => _metrics.ConsumerLag("t", -1, 0));
    }

    [Fact]
    public async Task LastEventTimestamp_IsUnixSeconds()
    {
        _metrics.LastEventTimestamp("fraud", new DateTimeOffset(2026, 11, 28, 6, 0, 0, 500, TimeSpan.Zero));

        var x = await Exposition.Of(_metrics);
        Assert.Equal(1795845600.5, x.Value("monitor_last_event_timestamp_seconds", ("model", "fraud")));
    }

    [Fact]
    public async Task Durations_AreHistogramsInSeconds()
    {
        _metrics.ObserveEvaluation("fraud", 0.2);
        _metrics.ObserveEvaluation("fraud", 1.5);
        _metrics.ObserveCheckpoint(0.004);

        var x = await Exposition.Of(_metrics);
        Assert.Equal("histogram", x.Types["monitor_window_evaluation_duration_seconds"]);
        Assert.Equal(2, x.Value("monitor_window_evaluation_duration_seconds_count", ("model", "fraud")));
        Assert.Equal(1.7, x.Value("monitor_window_evaluation_duration_seconds_sum", ("model", "fraud")), 12);
        Assert.Equal(1, x.Value("monitor_window_evaluation_duration_seconds_bucket", ("model", "fraud"), ("le", "0.32")));
        Assert.Equal(1, x.Value("monitor_checkpoint_duration_seconds_bucket", ("le", "0.005")));
        Assert.Equal(1, x.Value("monitor_checkpoint_duration_seconds_count"));
    }

    [Theory]
    [InlineData(AlertChannel.Email, "email")]
    [InlineData(AlertChannel.Webhook, "webhook")]
    [InlineData(AlertChannel.Slack, "slack")]
    [InlineData(AlertChannel.Alertmanager, "alertmanager")]
    public async Task AlertSentAndFailed_CountPerChannel(AlertChannel channel, string label)
    {
        _metrics.AlertSent(channel);
        _metrics.AlertFailed(channel);
        _metrics.AlertFailed(channel);

        var x = await Exposition.Of(_metrics);
        Assert.Equal(1, x.Value("monitor_alerts_sent_total", ("channel", label)));
        Assert.Equal(2, x.Value("monitor_alerts_failed_total", ("channel", label)));
    }

    [Fact]
    public async Task OutboxAndElasticsearch_GaugesAndCounter()
    {
        _metrics.OutboxDepth(5);
        _metrics.ElasticsearchBufferDepth(120);
        _metrics.ElasticsearchDropped();
        _metrics.ElasticsearchDropped(9);

        var x = await Exposition.Of(_metrics);
        Assert.Equal(5, x.Value("monitor_outbox_depth"));
        Assert.Equal(120, x.Value("monitor_elasticsearch_buffer_depth"));
        Assert.Equal(10, x.Value("monitor_elasticsearch_dropped_total"));
    }

    [Theory]
    [InlineData(200, "2xx")]
    [InlineData(204, "2xx")]
    [InlineData(404, "4xx")]
    [InlineData(503, "5xx")]
    [InlineData(302, "error")]
    [InlineData(null, "error")]
    public async Task RetrainRequest_CountsByStatusClass(int? status, string statusClass)
    {
        _metrics.RetrainRequest("fraud", status);

        var x = await Exposition.Of(_metrics);
        Assert.Equal(1, x.Value("monitor_retrain_requests_total", ("model", "fraud"), ("status", statusClass)));
        Assert.Single(x.Named("monitor_retrain_requests_total"));
    }

    [Fact]
    public async Task AlertsFiring_IsPerModelAndSeverity()
    {
        _metrics.AlertsFiring("fraud", AlertSeverity.Warning, 2);
        _metrics.AlertsFiring("fraud", AlertSeverity.Critical, 1);
        _metrics.AlertsFiring("fraud", AlertSeverity.Warning, 0);

        var x = await Exposition.Of(_metrics);
        Assert.Equal(0, x.Value("monitor_alerts_firing", ("model", "fraud"), ("severity", "warning")));
        Assert.Equal(1, x.Value("monitor_alerts_firing", ("model", "fraud"), ("severity", "critical")));
    }

    [Fact]
    public async Task BaselineAge_SetsSeconds()
    {
        _metrics.BaselineAge("fraud", 86400);

        var x = await Exposition.Of(_metrics);
        Assert.Equal(86400, x.Value("monitor_baseline_age_seconds", ("model", "fraud")));
    }

    [Fact]
    public void InvalidValues_AreRejected()
    {
        Assert.Throws<ArgumentException>(() => _metrics.ObserveCheckpoint(double.NaN));
        Assert.Throws<ArgumentException>(() => _metrics.BaselineAge("fraud", double.PositiveInfinity));
        Assert.Throws<ArgumentOutOfRangeException>(() => _metrics.ObserveEvaluation("fraud", -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => _metrics.LateEvents("fraud", -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => _metrics.OutboxDepth(-1));
        Assert.Throws<ArgumentException>(() => _metrics.EventsConsumed(""));
        Assert.Throws<ArgumentException>(() => _metrics.LateEvents("", 1));
    }

    private static byte[] Prediction(string id, string time) =>
        Encoding.UTF8.GetBytes($$$"""{"event_id":"{{{id}}}","model":"fraud","timestamp":"{{{time}}}","features":{"amount":12.5},"prediction":{"score":0.8,"label":1}}""");
}
