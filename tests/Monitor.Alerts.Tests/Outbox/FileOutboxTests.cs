using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Monitor.Alerts.Channels;
using Monitor.Alerts.Outbox;
using Monitor.Core.Rules;

namespace Monitor.Alerts.Tests.Outbox;

public sealed class FileOutboxTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly string _dir = Directory.CreateTempSubdirectory("outbox-").FullName;
    private readonly FakeTimeProvider _time = new(Some.Start);
    private readonly FakeChannel _webhook = new(ChannelNames.Webhook);
    private readonly LogCapture _logs = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private OutboxOptions Options(int maxAttempts = 20) => new() { Directory = _dir, JitterSeed = 42, MaxAttempts = maxAttempts };

    private FileOutbox Open(OutboxOptions? options = null, params INotificationChannel[] channels) =>
        new(options ?? Options(), channels.Length == 0 ? [_webhook] : channels, _time, _logs.For<FileOutbox>());

    private static async Task DispatchAsync(FileOutbox outbox)
    {
        outbox.StartDue();
        await outbox.WhenIdleAsync();
    }

    private string[] ItemFiles() => Directory.GetFiles(Path.Combine(_dir, "items"), "*.json");

    private static JsonElement ReadItem(string path) => JsonDocument.Parse(File.ReadAllBytes(path)).RootElement;

    [Fact]
    public async Task Enqueue_NewAlert_WritesOnePendingFilePerTargetBeforeAnySend()
    {
        await using var outbox = Open();

        int added = outbox.Enqueue(Some.Alert(targets: ["http://a.example/hook", "http://b.example/hook"]));

        Assert.Equal(2, added);
        Assert.Empty(_webhook.Calls);
        var files = ItemFiles();
        Assert.Equal(2, files.Length);
        foreach (string f in files)
        {
            var item = ReadItem(f);
            Assert.Equal(1, item.GetProperty("format").GetInt32());
            Assert.Equal("pending", item.GetProperty("state").GetString());
            Assert.Equal("webhook", item.GetProperty("channel").GetString());
            Assert.Equal("fraud", item.GetProperty("alert").GetProperty("model").GetString());
        }

        Assert.Equal(2, outbox.Depth);
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir, "items"), "*.tmp"));
    }

    [Fact]
    public async Task Enqueue_SameKeyAndTargetTwice_IsNoOp()
    {
        await using var outbox = Open();
        var alert = Some.Alert(targets: ["http://a.example/hook"]);

        Assert.Equal(1, outbox.Enqueue(alert));
        Assert.Equal(0, outbox.Enqueue(alert));
        Assert.Equal(1, outbox.Enqueue(alert with { Targets = ["http://a.example/hook", "http://c.example/hook"] }));

        await DispatchAsync(outbox);
        Assert.Equal(0, outbox.Enqueue(alert));
        await DispatchAsync(outbox);
        Assert.Equal(1, _webhook.CallsTo("http://a.example/hook"));
        Assert.Equal(1, _webhook.CallsTo("http://c.example/hook"));
    }

    [Fact]
    public async Task Dispatch_TransientFailures_RetriesAfterFullJitterBackoffOnTheInjectedClock()
    {
        const string target = "http://a.example/hook";
        _webhook.Answer(target, DeliveryResult.Fail(true, "HTTP 503", 503), DeliveryResult.Fail(true, "HTTP 503", 503));
        var options = Options();
        await using var outbox = Open(options);
        outbox.Enqueue(Some.Alert(targets: [target]));
        string id = Path.GetFileNameWithoutExtension(ItemFiles().Single());

        await DispatchAsync(outbox);
        var expected1 = Backoff.Delay(1, Backoff.Jitter(42, id, 1), options.BaseDelay, options.MaxDelay);
        Assert.Equal(Some.Start + expected1, outbox.NextAttemptAt);
        Assert.True(expected1 < options.BaseDelay);
        Assert.Single(_webhook.Calls);

        // Not due yet: nothing starts.
        _time.Advance(expected1 - TimeSpan.FromTicks(1));
        Assert.Equal(0, outbox.StartDue());
        _time.Advance(TimeSpan.FromTicks(1));
        await DispatchAsync(outbox);
        Assert.Equal(2, _webhook.Calls.Count);
        var expected2 = Backoff.Delay(2, Backoff.Jitter(42, id, 2), options.BaseDelay, options.MaxDelay);
        Assert.Equal(_time.GetUtcNow() + expected2, outbox.NextAttemptAt);

        _time.Advance(expected2);
        await DispatchAsync(outbox);
        Assert.Equal(3, _webhook.Calls.Count);
        Assert.Equal(OutboxItemState.Delivered, outbox.GetState(ChannelNames.Webhook, Some.Alert().IdempotencyKey, target));
        var stats = outbox.GetStats(ChannelNames.Webhook);
        Assert.Equal(new OutboxChannelStats(ChannelNames.Webhook, 0, 1, 0, 1, 2), stats);
        var item = ReadItem(ItemFiles().Single());
        Assert.Equal("delivered", item.GetProperty("state").GetString());
        Assert.Equal(3, item.GetProperty("attempts").GetInt32());
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(2, 4)]
    [InlineData(5, 32)]
    [InlineData(9, 512)]
    [InlineData(10, 900)]
    [InlineData(60, 900)]
    public void Backoff_Ceiling_DoublesFromBaseAndCapsAtMax(int failures, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Backoff.Ceiling(failures, TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(15)));

    [Fact]
    public void Backoff_Jitter_IsUniformInUnitIntervalAndDeterministicPerSeed()
    {
        var draws = Enumerable.Range(1, 4000).Select(a => Backoff.Jitter(7, "item", a)).ToArray();
        Assert.All(draws, u => Assert.InRange(u, 0.0, 0.9999999999));
        Assert.InRange(draws.Average(), 0.47, 0.53);
        Assert.Equal(draws, Enumerable.Range(1, 4000).Select(a => Backoff.Jitter(7, "item", a)));
        Assert.NotEqual(draws[0], Backoff.Jitter(8, "item", 1));
        Assert.Equal(TimeSpan.FromSeconds(450), Backoff.Delay(12, 0.5, TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(15)));
    }

    [Fact]
    public async Task Dispatch_MaxAttemptsReached_MarksDeadKeepsItAndNeverRetries()
    {
        const string target = "http://a.example/hook";
        _webhook.Answer(target, [.. Enumerable.Repeat(DeliveryResult.Fail(true, "HTTP 503", 503), 10)]);
        await using (var outbox = Open(Options(maxAttempts: 3)))
        {
            outbox.Enqueue(Some.Alert(targets: [target]));
            for (int i = 0; i < 3; i++)
            {
                _time.Advance(TimeSpan.FromMinutes(15));
                await DispatchAsync(outbox);
            }

            Assert.Equal(3, _webhook.Calls.Count);
            Assert.Equal(new OutboxChannelStats(ChannelNames.Webhook, 0, 0, 1, 0, 3), outbox.GetStats(ChannelNames.Webhook));
            Assert.Null(outbox.NextAttemptAt);
        }

        await using var reopened = Open(Options(maxAttempts: 3));
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, reopened.StartDue());
        Assert.Equal(0, reopened.Enqueue(Some.Alert(targets: [target])));
        Assert.Equal(1, reopened.GetStats(ChannelNames.Webhook).Dead);
        var item = ReadItem(ItemFiles().Single());
        Assert.Equal("dead", item.GetProperty("state").GetString());
        Assert.Equal("HTTP 503", item.GetProperty("last_error").GetString());
    }

    [Fact]
    public async Task Dispatch_PermanentRefusal_DeadAtOnceAndTheTargetsNextItemStillGoes()
    {
        const string target = "http://a.example/hook";
        _webhook.Answer(target, DeliveryResult.Fail(false, "HTTP 400", 400));
        await using var outbox = Open();
        outbox.Enqueue(Some.Alert(key: "k1", targets: [target]));
        _time.Advance(TimeSpan.FromSeconds(1));
        outbox.Enqueue(Some.Alert(key: "k2", targets: [target]));

        await DispatchAsync(outbox);

        Assert.Equal(["k1", "k2"], _webhook.Calls.Select(c => c.IdempotencyKey));
        Assert.Equal(OutboxItemState.Dead, outbox.GetState(ChannelNames.Webhook, "k1", target));
        Assert.Equal(OutboxItemState.Delivered, outbox.GetState(ChannelNames.Webhook, "k2", target));
    }

    [Fact]
    public async Task Restart_PendingItems_ResumeAndDeliveredOnesAreNeverResent()
    {
        await using (var first = Open())
        {
            first.Enqueue(Some.Alert(key: "sent", targets: ["http://a.example/hook"]));
            await DispatchAsync(first);
            _webhook.Answer("http://b.example/hook", DeliveryResult.Fail(true, "HTTP 502", 502));
            first.Enqueue(Some.Alert(key: "later", targets: ["http://b.example/hook"]));
            await DispatchAsync(first);
        }

        Assert.Equal(2, _webhook.Calls.Count);
        await using var second = Open();
        Assert.Equal(1, second.Depth);
        Assert.Equal(0, second.Enqueue(Some.Alert(key: "sent", targets: ["http://a.example/hook"])));
        _time.Advance(TimeSpan.FromMinutes(15));
        await DispatchAsync(second);

        Assert.Equal(1, _webhook.Calls.Count(c => c.IdempotencyKey == "sent"));
        Assert.Equal(2, _webhook.Calls.Count(c => c.IdempotencyKey == "later"));
        Assert.Equal(0, second.Depth);
    }

    [Fact]
    public async Task Dispatch_OneTargetHangs_OtherTargetsAreDeliveredMeanwhile()
    {
        var gate = new TaskCompletionSource();
        _webhook.Gates["http://slow.example/hook"] = gate;
        var slack = new FakeChannel(ChannelNames.Slack);
        await using var outbox = Open(null, _webhook, slack);
        outbox.Enqueue(Some.Alert(key: "a", targets: ["http://slow.example/hook", "http://fast.example/hook"]));
        outbox.Enqueue(Some.Alert(key: "b", channel: AlertChannel.Slack, targets: ["http://slack.example/x"]));

        Assert.Equal(3, outbox.StartDue());
        await Poll.UntilAsync(() => outbox.GetStats(ChannelNames.Webhook).Delivered == 1 && outbox.GetStats(ChannelNames.Slack).Delivered == 1, Deadline, "the healthy targets");

        Assert.Equal(OutboxItemState.Pending, outbox.GetState(ChannelNames.Webhook, "a", "http://slow.example/hook"));
        Assert.Equal(0, outbox.StartDue());
        gate.SetResult();
        await outbox.WhenIdleAsync();
        Assert.Equal(OutboxItemState.Delivered, outbox.GetState(ChannelNames.Webhook, "a", "http://slow.example/hook"));
    }

    [Fact]
    public async Task Dispatch_AttemptTimesOut_CountsAsRetryableFailure()
    {
        _webhook.Gates["http://slow.example/hook"] = new TaskCompletionSource();
        await using var outbox = Open(Options() with { AttemptTimeout = TimeSpan.FromMilliseconds(200) });
        outbox.Enqueue(Some.Alert(targets: ["http://slow.example/hook"]));

        await DispatchAsync(outbox);

        var item = ReadItem(ItemFiles().Single());
        Assert.Equal("pending", item.GetProperty("state").GetString());
        Assert.Contains("timed out", item.GetProperty("last_error").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, outbox.GetStats(ChannelNames.Webhook).Failed);
    }

    [Fact]
    public async Task RunAsync_EnqueueWakesTheLoop_DeliversWithoutAdvancingTheClock()
    {
        await using var outbox = Open();
        using var cts = new CancellationTokenSource();
        var run = outbox.RunAsync(cts.Token);

        outbox.Enqueue(Some.Alert(targets: ["http://a.example/hook"]));
        await Poll.UntilAsync(() => outbox.GetStats(ChannelNames.Webhook).Delivered == 1, Deadline, "the run loop to deliver");

        await cts.CancelAsync();
        await run;
        Assert.Single(_webhook.Calls);
    }

    [Fact]
    public async Task RunAsync_OutboxDisposedWhileRunning_LoopEndsQuietlyAndItemStaysPending()
    {
        _webhook.Gates["http://slow.example/hook"] = new TaskCompletionSource();
        var outbox = Open();
        var run = outbox.RunAsync(CancellationToken.None);
        outbox.Enqueue(Some.Alert(targets: ["http://slow.example/hook"]));
        await Poll.UntilAsync(() => !_webhook.Calls.IsEmpty, Deadline, "the send to start");

        await outbox.DisposeAsync();
        await run.WaitAsync(Deadline);

        await using var reopened = Open();
        Assert.Equal(1, reopened.Depth);
        Assert.Equal(0, reopened.GetStats(ChannelNames.Webhook).Failed);
    }

    [Fact]
    public async Task Open_TornTempFileAndCorruptItem_TempDeletedCorruptSetAsideOthersLoaded()
    {
        await using (var first = Open())
        {
            first.Enqueue(Some.Alert(targets: ["http://a.example/hook"]));
        }

        string items = Path.Combine(_dir, "items");
        await File.WriteAllTextAsync(Path.Combine(items, "0123.json.abc.tmp"), "{\"format\":1,");
        await File.WriteAllTextAsync(Path.Combine(items, "bad.json"), "not json");

        await using var second = Open();

        Assert.Equal(1, second.Depth);
        Assert.Empty(Directory.GetFiles(items, "*.tmp"));
        Assert.True(File.Exists(Path.Combine(items, "bad.json.corrupt")));
        Assert.Contains(_logs.Lines, l => l.Contains("bad.json", StringComparison.Ordinal) && l.StartsWith("Error", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Enqueue_RetrainRequest_RoundTripsThroughDiskToTheChannel()
    {
        var retrain = new FakeChannel(ChannelNames.Retrain);
        await using (var first = Open(null, retrain))
        {
            Assert.True(first.Enqueue(Some.Retrain("http://train.example/hook")));
            Assert.False(first.Enqueue(Some.Retrain("http://train.example/hook")));
        }

        await using var second = Open(null, retrain);
        await DispatchAsync(second);

        var sent = Assert.Single(retrain.Calls);
        Assert.Equal(Some.Retrain("http://train.example/hook").Windows, sent.Retrain!.Windows);
        Assert.Equal(Some.Evidence, sent.Retrain.Evidence);
        Assert.Equal("http://train.example/hook", sent.Target);
    }

    [Fact]
    public async Task Enqueue_AlertSurvivesRestart_AllFieldsIntact()
    {
        var original = Some.Alert(targets: ["http://a.example/hook"]);
        await using (var first = Open())
        {
            first.Enqueue(original);
        }

        await using var second = Open();
        await DispatchAsync(second);

        var sent = Assert.Single(_webhook.Calls).Alert!;
        Assert.Equal(original.Evidence, sent.Evidence);
        Assert.Equal(original.Chart!.Labels, sent.Chart!.Labels);
        Assert.Equal(original.Chart.Current, sent.Chart.Current);
        Assert.Equal(original with { Evidence = sent.Evidence, Chart = sent.Chart, Targets = sent.Targets }, sent);
        Assert.Equal(original.Targets, sent.Targets);
    }

    [Fact]
    public void Constructor_InvalidOptions_ListsEveryProblem()
    {
        var ex = Assert.Throws<ArgumentException>(() => new FileOutbox(
            new OutboxOptions { Directory = "", MaxAttempts = 0, BaseDelay = TimeSpan.Zero }, [], _time, _logs.For<FileOutbox>()));
        Assert.Contains("Outbox:Directory", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Outbox:MaxAttempts", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Outbox:BaseDelay", ex.Message, StringComparison.Ordinal);
    }
}
