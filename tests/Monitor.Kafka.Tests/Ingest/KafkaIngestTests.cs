using System.Text;
using Confluent.Kafka;
using Monitor.Kafka.Checkpoints;
using Monitor.Kafka.Ingest;
using Monitor.Kafka.Tests.Embedded;
using Xunit.Abstractions;

namespace Monitor.Kafka.Tests.Ingest;

public sealed class KafkaIngestTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Ingest_PredictionsAndLabels_CountsEveryEventOnceAndCommitsTheCheckpointOffsets()
    {
        using var harness = new IngestHarness();
        harness.ProduceEvents(0, 500);
        var ingest = harness.Ingest();
        await using (ingest)
        {
            ingest.Start();
            Assert.False(ingest.CheckpointRestored);
            harness.WaitUntilCaughtUp(ingest);
            Assert.True(ingest.IsConnected);
            await ingest.StopAsync();
        }

        var engine = Assert.Single(ingest.Pipelines).Engine;
        Assert.Equal(500, engine.Events);
        Assert.Equal(500, engine.LabelsJoined);
        Assert.Equal(0, engine.LabelsDuplicate);
        Assert.Equal(0, engine.LateEvents);
        Assert.Equal(0, engine.PendingLabels);
        Assert.Empty(ingest.DeadLetters);
        Assert.True(ingest.Checkpoints >= 1);

        // Kafka's committed offsets are exactly the final checkpoint's.
        using var probe = KafkaClients.Consumer(harness.Cluster.BootstrapServers, harness.GroupId);
        var positions = ingest.Positions;
        var committed = probe.Committed(positions.Keys, IngestHarness.Patience);
        foreach (var c in committed)
        {
            Assert.Equal(positions[c.TopicPartition], c.Offset.Value);
        }
    }

    [Theory]
    [InlineData("classic")]
    [InlineData("consumer")]
    public async Task Restart_StoppedMidStream_WindowCountsAreExact(string groupProtocol)
    {
        using var harness = new IngestHarness();
        const int total = 1500;
        harness.ProduceEvents(0, 300);
        harness.Send(harness.Predictions, "not json", KafkaClients.Key(-1));
        harness.ProduceEvents(300, total);

        // The dead letter's handler holds the processing task, the small channel fills and the consume thread
        // stops polling: the stop comes while most records are still unread in Kafka.
        using var gate = new ManualResetEventSlim();
        using var held = new ManualResetEventSlim();
        var options = harness.Options(checkpointEvery: 50, channelCapacity: 16, consumer: c => SetProtocol(c, groupProtocol));
        var first = harness.Ingest(options);
        first.DeadLettered += _ =>
        {
            held.Set();
            gate.Wait(IngestHarness.Patience);
        };
        first.Start();
        Assert.True(held.Wait(IngestHarness.Patience));
        var stopping = first.DisposeAsync().AsTask();
        gate.Set();
        await stopping;
        output.WriteLine($"{groupProtocol}: first ingest applied {first.Applied} of {harness.Produced} records in {first.Checkpoints} checkpoints");
        Assert.True(first.Applied < harness.Produced, $"the first ingest applied {first.Applied}: not stopped mid-stream");

        await using var second = harness.Ingest(options);
        second.Start();
        Assert.True(second.CheckpointRestored);
        harness.WaitUntilCaughtUp(second);
        await second.StopAsync();

        output.WriteLine($"second ingest applied {second.Applied}, skipped {second.Redelivered} redelivered");
        var engine = Assert.Single(second.Pipelines).Engine;
        Assert.Equal(harness.Produced, first.Applied + second.Applied);
        Assert.Equal(total, engine.Events);
        Assert.Equal(total, engine.LabelsJoined);
        Assert.Equal(0, engine.LabelsDuplicate);
        Assert.Equal(0, engine.PendingLabels);
    }

    [Fact]
    public async Task Restart_AfterCrashWithoutFinalCheckpoint_ReplaysIntoRestoredStateExactly()
    {
        using var harness = new IngestHarness();
        const int total = 1000;
        harness.ProduceEvents(0, total);
        // Checkpoints after 700 and 1400 records only (the interval is out of reach): 600 applied records are
        // not in any checkpoint when the process dies.
        var options = harness.Options(checkpointEvery: 700, interval: TimeSpan.FromHours(1));
        var crashed = harness.Ingest(options);
        crashed.Start();
        harness.WaitUntilCaughtUp(crashed);
        await crashed.AbandonAsync();
        long checkpointed = new CheckpointStore(harness.StateDirectory).LoadLatest()!.Checkpoint.Offsets.Values.Sum();
        output.WriteLine($"crashed after applying {crashed.Applied}; the last checkpoint holds {checkpointed}");
        Assert.Equal(2 * total, crashed.Applied);
        Assert.Equal(1400, checkpointed);

        await using var restarted = harness.Ingest(options);
        restarted.Start();
        Assert.True(restarted.CheckpointRestored);
        harness.WaitUntilCaughtUp(restarted);
        await restarted.StopAsync();

        var engine = Assert.Single(restarted.Pipelines).Engine;
        Assert.Equal(2 * total - checkpointed, restarted.Applied);
        Assert.Equal(total, engine.Events);
        Assert.Equal(total, engine.LabelsJoined);
        Assert.Equal(0, engine.LabelsDuplicate);
    }

    [Fact]
    public async Task DeadLetters_MalformedInput_EachLandsWithItsReasonAndValidEventsAreUnaffected()
    {
        using var harness = new IngestHarness(partitions: 1);
        harness.ProduceEvents(0, 10);
        string tooDeep = string.Concat(Enumerable.Repeat("{\"a\":", 40)) + "1" + new string('}', 40);
        var bad = new (string Topic, string Value, string Reason)[]
        {
            (harness.Predictions, "{\"event_id\":", "invalid_json"),
            (harness.Predictions, "[1,2,3]", "not_an_object"),
            (harness.Predictions, tooDeep, "too_deep"),
            (harness.Predictions, IngestHarness.PredictionJson(9001).Replace("\"DE\"", "\"" + new string('x', 5000) + "\"", StringComparison.Ordinal)
                .Replace("\"FR\"", "\"" + new string('x', 5000) + "\"", StringComparison.Ordinal), "too_large"),
            (harness.Predictions, IngestHarness.PredictionJson(9002, model: "other"), "unknown_model"),
            (harness.Predictions, "{\"event_id\":\"x\",\"model\":\"fraud\",\"timestamp\":\"2026-11-28T06:00:00Z\",\"features\":{\"amount\":NaN}}", "invalid_json"),
            (harness.Predictions, "{\"event_id\":\"y\",\"model\":\"fraud\",\"features\":{\"amount\":1}}", "bad_timestamp"),
            (harness.Labels, "{\"event_id\":\"e3\",\"timestamp\":\"2026-11-28T07:00:00Z\"}", "missing_label"),
        };
        for (int i = 0; i < bad.Length; i++)
        {
            var headers = new Headers { { "trace", Encoding.UTF8.GetBytes($"t{i}") } };
            harness.Send(bad[i].Topic, bad[i].Value, KafkaClients.Key(100_000 + i), headers);
        }

        harness.ProduceEvents(10, 20);
        var seen = new List<DeadLetter>();
        await using var ingest = harness.Ingest();
        ingest.DeadLettered += seen.Add;
        ingest.Start();
        harness.WaitUntilCaughtUp(ingest);
        await ingest.StopAsync();

        var engine = Assert.Single(ingest.Pipelines).Engine;
        Assert.Equal(20, engine.Events);
        Assert.Equal(20, engine.LabelsJoined);
        Assert.Equal(bad.Length, seen.Count);
        var counters = ingest.DeadLetters;
        foreach (var group in bad.GroupBy(b => b.Reason))
        {
            Assert.Equal(group.Count(), counters.GetValueOrDefault(group.Key));
        }

        var modelLetters = harness.ReadAll(harness.DeadLetters, bad.Length - 1);
        var globalLetters = harness.ReadAll(harness.GlobalDeadLetters, 1);
        Assert.Equal(bad.Length - 1, modelLetters.Count);
        var unknown = Assert.Single(globalLetters);
        Assert.Equal("unknown_model", Header(unknown, DeadLetterHeaders.Reason));
        foreach (var letter in modelLetters.Append(unknown))
        {
            int i = KafkaClients.ReadKey(letter.Message.Key) - 100_000;
            Assert.Equal(bad[i].Reason, Header(letter, DeadLetterHeaders.Reason));
            Assert.Equal(bad[i].Value, Encoding.UTF8.GetString(letter.Message.Value));
            Assert.Equal($"t{i}", Header(letter, "trace"));
            Assert.Equal(bad[i].Topic, Header(letter, DeadLetterHeaders.SourceTopic));
            Assert.Equal("0", Header(letter, DeadLetterHeaders.SourcePartition));
            var source = seen.Single(d => d.SourceTopic == bad[i].Topic && d.Reason == bad[i].Reason && d.SourceOffset.ToString(System.Globalization.CultureInfo.InvariantCulture) == Header(letter, DeadLetterHeaders.SourceOffset));
            Assert.False(string.IsNullOrWhiteSpace(Header(letter, DeadLetterHeaders.Error)));
            Assert.Equal(source.Error, Header(letter, DeadLetterHeaders.Error));
            if (bad[i].Reason != "unknown_model")
            {
                Assert.Equal("fraud", Header(letter, DeadLetterHeaders.Model));
            }
        }
    }

    [Fact]
    public async Task Ingest_TwoModelsShareTheTopics_EachCountsOnlyItsOwnEvents()
    {
        using var harness = new IngestHarness(partitions: 1);
        for (int i = 0; i < 60; i++)
        {
            harness.Send(harness.Predictions, IngestHarness.PredictionJson(i, model: i % 3 == 0 ? "churn" : "fraud"), KafkaClients.Key(i));
        }

        harness.Send(harness.Predictions, IngestHarness.PredictionJson(1000, model: "nobody"), KafkaClients.Key(1000));
        harness.Flush();
        var letters = new List<DeadLetter>();
        await using var ingest = new KafkaIngest([harness.Model, harness.CompileModel("churn")], harness.Options());
        ingest.DeadLettered += letters.Add;
        ingest.Start();
        harness.WaitUntilCaughtUp(ingest);
        await ingest.StopAsync();

        Assert.Equal(40, ingest.Pipelines[0].Engine.Events);
        Assert.Equal(20, ingest.Pipelines[1].Engine.Events);
        var letter = Assert.Single(letters);
        Assert.Equal(DeadLetterReasons.UnknownModel, letter.Reason);
        Assert.Equal(harness.GlobalDeadLetters, letter.DeadLetterTopic);
        Assert.Null(letter.Model);
    }

    [Fact]
    public async Task BrokerOutage_AllBrokersDownThenUp_IsConnectedFollowsAndNothingIsLost()
    {
        using var harness = new IngestHarness(brokerCount: 2);
        harness.ProduceEvents(0, 200);
        await using var ingest = harness.Ingest();
        ingest.Start();
        harness.WaitUntilCaughtUp(ingest);
        Assert.True(ingest.IsConnected);

        harness.Cluster.SetBrokerDown(1);
        harness.Cluster.SetBrokerDown(2);
        IngestHarness.WaitFor(() => !ingest.IsConnected, () => "IsConnected stayed true with every broker down");
        harness.Cluster.SetBrokerUp(1);
        harness.Cluster.SetBrokerUp(2);
        IngestHarness.WaitFor(() => ingest.IsConnected, () => "IsConnected stayed false after the brokers came back");

        harness.ProduceEvents(200, 400);
        harness.WaitUntilCaughtUp(ingest);
        await ingest.StopAsync();
        var engine = Assert.Single(ingest.Pipelines).Engine;
        Assert.Equal(400, engine.Events);
        Assert.Equal(400, engine.LabelsJoined);
        Assert.Equal(0, engine.LabelsDuplicate);
    }

    [Fact]
    public async Task Restore_NewestCheckpointTruncated_FallsBackToThePreviousAndStaysExact()
    {
        using var harness = new IngestHarness();
        harness.ProduceEvents(0, 300);
        await using (var first = harness.Ingest(harness.Options(checkpointEvery: 50)))
        {
            first.Start();
            harness.WaitUntilCaughtUp(first);
            await first.StopAsync();
        }

        var files = Directory.GetFiles(harness.StateDirectory, "checkpoint-*.ckpt").Order(StringComparer.Ordinal).ToArray();
        Assert.True(files.Length >= 2, $"expected several checkpoints, found {files.Length}");
        var newest = files[^1];
        var bytes = File.ReadAllBytes(newest);
        File.WriteAllBytes(newest, bytes[..(bytes.Length / 2)]);
        harness.ProduceEvents(300, 400);

        await using var second = harness.Ingest(harness.Options(checkpointEvery: 50));
        second.Start();
        Assert.Equal(files[^2], second.RestoredFrom);
        harness.WaitUntilCaughtUp(second);
        await second.StopAsync();
        var engine = Assert.Single(second.Pipelines).Engine;
        Assert.Equal(400, engine.Events);
        Assert.Equal(400, engine.LabelsJoined);
        Assert.Equal(0, engine.LabelsDuplicate);
    }

    [Fact]
    public void Start_OnlyCheckpointDamaged_ThrowsNamingTheFile()
    {
        using var harness = new IngestHarness();
        Directory.CreateDirectory(harness.StateDirectory);
        string path = Path.Combine(harness.StateDirectory, CheckpointStore.FileName(7));
        File.WriteAllBytes(path, [1, 2, 3]);
        using var ingest = harness.Ingest();
        var ex = Assert.Throws<InvalidDataException>(ingest.Start);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    private static void SetProtocol(Dictionary<string, string> consumer, string groupProtocol)
    {
        consumer["group.protocol"] = groupProtocol;
        if (groupProtocol == "consumer")
        {
            consumer.Remove("session.timeout.ms"); // broker-side under KIP-848; the client rejects it
        }
    }

    private static string? Header(ConsumeResult<byte[], byte[]> record, string key) =>
        record.Message.Headers.TryGetLastBytes(key, out var value) ? Encoding.UTF8.GetString(value) : null;
}
