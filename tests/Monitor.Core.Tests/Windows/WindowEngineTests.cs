using System.Buffers;
using Monitor.Core.Accumulators;
using Monitor.Core.Ingest;
using Monitor.Core.Tests.Support;
using Monitor.Core.Windows;

namespace Monitor.Core.Tests.Windows;

public sealed class WindowEngineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 6, 0, 0, TimeSpan.Zero);

    private readonly EventDecoder _decoder;
    private readonly DecodedEvent _buffer;

    public WindowEngineTests()
    {
        var schema = new EventSchema("fraud", FieldPath.Parse("timestamp"), FieldPath.Parse("event_id"), FieldPath.Parse("model"), null, requireEventId: true);
        schema.AddNumeric(FieldPath.Parse("features.amount"));
        schema.AddNumeric(FieldPath.Parse("prediction.score"));
        schema.AddCategorical(FieldPath.Parse("features.country"));
        _decoder = new EventDecoder(schema);
        _buffer = _decoder.CreateBuffer();
    }

    private static ModelLayout Layout(TimeSpan? lateness = null, TimeSpan? slide = null) => new(
        "fraud",
        new WindowSpec(TimeSpan.FromHours(1), slide: slide, allowedLateness: lateness ?? TimeSpan.FromMinutes(5)),
        [
            new NumericChannel("amount", StreamRole.Feature, 0, new NumericAccumulatorOptions(), null),
            new NumericChannel("prediction", StreamRole.Prediction, 1, new NumericAccumulatorOptions(), null),
        ],
        [new CategoricalChannel("country", StreamRole.Feature, 0, new HashSet<string>(StringComparer.Ordinal) { "DE", "FR" }, 10)],
        PerformanceKind.Binary,
        PredictionSlot: 1,
        PerformanceExactLimit: 1000,
        LabelTimeToLive: TimeSpan.FromHours(6));

    private bool Add(WindowEngine engine, string id, DateTimeOffset at, double amount, string country = "DE", double score = 0.5)
    {
        var json = new PredictionEventBuilder().WithId(id).At(at).With("amount", amount).With("country", country).Scored(score).Build();
        Assert.Equal(DecodeOutcome.Ok, _decoder.Decode(json, _buffer));
        return engine.AddPrediction(_buffer);
    }

    [Fact]
    public void AdvanceWatermark_PastEndPlusLateness_ClosesWindowWithItsEventsOnly()
    {
        var engine = new WindowEngine(Layout());
        Add(engine, "a", T0.AddMinutes(1), 1);
        Add(engine, "b", T0.AddMinutes(59), 2);
        Add(engine, "c", T0.AddMinutes(61), 3);

        engine.AdvanceWatermark(T0.AddMinutes(64));
        Assert.Empty(engine.TakeReady());

        engine.AdvanceWatermark(T0.AddMinutes(65));
        var ready = engine.TakeReady();

        var window = Assert.Single(ready);
        Assert.Equal(new TimeRange(T0, T0.AddHours(1)), window.Range);
        Assert.True(window.Final);
        Assert.Equal(2, window.Events);
        Assert.Equal(2, window.Numeric![0].Count);
        Assert.Equal(1.5, window.Numeric[0].Mean, 12);
        Assert.Equal(2, window.Categorical![0].Count);
    }

    [Theory]
    [InlineData(64 * 1024)]
    [InlineData(long.MaxValue)]
    public void AddPrediction_ExactValuesBeyondTheMemoryBudget_LargestSwitchToSketchesAndCountsStayExact(long budget)
    {
        var engine = new WindowEngine(Layout() with { ExactMemoryBudget = budget });
        var sums = new double[3];
        var counts = new int[3];
        var random = new Random(5);
        for (int i = 0; i < 18_000; i++)
        {
            int window = i % 3; // three open windows, filled in turn
            double amount = Math.Round(random.NextDouble() * 100, 3);
            Add(engine, $"e{i}", T0.AddHours(window).AddSeconds(i % 3600), amount);
            sums[window] += amount;
            counts[window]++;
        }

        var open = engine.SnapshotOpen();
        Assert.Equal(3, open.Count);
        long exactBytes = open.Sum(w => w.Numeric!.Where(a => a.IsExact).Sum(a => a.StoreBytes));
        for (int w = 0; w < 3; w++)
        {
            var amount = open[w].Numeric![0];
            Assert.Equal(counts[w], amount.Count);
            Assert.Equal(sums[w] / counts[w], amount.Mean, 9);
        }

        if (budget == long.MaxValue)
        {
            Assert.Equal(0, engine.ExactBudgetSwitches);
            Assert.Equal(0, engine.ExactBytesHeld); // no budget, no checks
            Assert.All(open.SelectMany(w => w.Numeric!), a => Assert.True(a.IsExact));
        }
        else
        {
            // 2 features × 3 windows × 6,000 values × 8 B = 288 KB would be held exactly without the budget.
            Assert.InRange(engine.ExactBudgetSwitches, 1, 6);
            Assert.InRange(exactBytes, 0, budget);
            Assert.InRange(engine.ExactBytesHeld, 1, budget); // sampled at the last check, after its switches
            Assert.Contains(open.SelectMany(w => w.Numeric!), a => !a.IsExact);
        }
    }

    [Fact]
    public void AdvanceWatermark_ReleasedPaneChunksReusedByTheNextWindow_ClosedSnapshotKeepsItsValues()
    {
        // 20,000 values fill full chunks; closing the window returns the pane's chunks to the pool and the next
        // window's values land in them. The closed window's snapshot merged a copy: its values must not change.
        var engine = new WindowEngine(Layout(lateness: TimeSpan.Zero));
        var first = new double[20_000];
        for (int i = 0; i < first.Length; i++)
        {
            first[i] = i + 0.25;
            Add(engine, $"a{i}", T0.AddSeconds(i % 3600), first[i]);
        }

        engine.AdvanceWatermark(T0.AddHours(1));
        var closed = Assert.Single(engine.TakeReady());
        for (int i = 0; i < 20_000; i++)
        {
            Add(engine, $"b{i}", T0.AddHours(1).AddSeconds(i % 3600), -1 - i);
        }

        var sample = closed.Numeric![0].ToSample();
        Assert.True(closed.Numeric[0].IsExact);
        Assert.Equal(first, sample.Expand().Order());
        var open = Assert.Single(engine.SnapshotOpen());
        Assert.Equal(-1.0, open.Numeric![0].Max);
        Assert.Equal(20_000, open.Numeric[0].ToSample().Expand().Count(v => v < 0));
    }

    [Fact]
    public void AddPrediction_ForClosedWindow_IsCountedAsLateAndNotAdded()
    {
        var engine = new WindowEngine(Layout());
        Add(engine, "a", T0.AddMinutes(1), 1);
        engine.AdvanceWatermark(T0.AddMinutes(65));
        engine.TakeReady();

        bool accepted = Add(engine, "late", T0.AddMinutes(30), 100);

        Assert.False(accepted);
        Assert.Equal(1, engine.LateEvents);
        Assert.Equal(1, engine.Events);
        engine.AdvanceWatermark(T0.AddHours(3));
        Assert.Empty(engine.TakeReady());
    }

    [Fact]
    public void AddPrediction_WithinLateness_IsStillAdded()
    {
        var engine = new WindowEngine(Layout());
        Add(engine, "a", T0.AddMinutes(1), 1);
        engine.AdvanceWatermark(T0.AddMinutes(64));

        Assert.True(Add(engine, "late-but-allowed", T0.AddMinutes(30), 5));

        engine.AdvanceWatermark(T0.AddMinutes(65));
        Assert.Equal(2, Assert.Single(engine.TakeReady()).Events);
        Assert.Equal(0, engine.LateEvents);
    }

    [Fact]
    public void AddLabel_BeforeWindowCloses_JoinsIntoTheWindowsPerformance()
    {
        var engine = new WindowEngine(Layout());
        Add(engine, "a", T0.AddMinutes(1), 1, score: 0.9);
        Add(engine, "b", T0.AddMinutes(2), 1, score: 0.2);

        engine.AddLabel("a", T0.AddMinutes(10), 1);
        engine.AddLabel("b", T0.AddMinutes(10), 0);
        engine.AdvanceWatermark(T0.AddMinutes(65));

        var window = Assert.Single(engine.TakeReady());
        Assert.Equal(2, window.Performance!.Count);
        Assert.Equal([1.0, 0.0], window.Performance.Truth.ToArray());
        Assert.Equal([0.9, 0.2], window.Performance.Predicted.ToArray());
        Assert.Equal(2, engine.LabelsJoined);
    }

    [Fact]
    public void AddLabel_AfterWindowClosed_BackfillsANewRevision()
    {
        var engine = new WindowEngine(Layout());
        Add(engine, "a", T0.AddMinutes(1), 1, score: 0.9);
        engine.AdvanceWatermark(T0.AddMinutes(65));
        var first = Assert.Single(engine.TakeReady());
        Assert.Equal(0, first.Performance!.Count);

        engine.AddLabel("a", T0.AddHours(2), 1);
        var backfill = Assert.Single(engine.TakeReady());

        Assert.Equal(first.Range, backfill.Range);
        Assert.Equal(1, backfill.Revision);
        Assert.Null(backfill.Numeric);
        Assert.Equal(1, backfill.Performance!.Count);
        Assert.Equal(1, engine.LabelsBackfilled);
    }

    [Fact]
    public void AddLabel_BeforeItsPrediction_JoinsWhenThePredictionArrives()
    {
        var engine = new WindowEngine(Layout());
        engine.AddLabel("a", T0, 1);
        Assert.Equal(1, engine.PendingLabels);

        Add(engine, "a", T0.AddMinutes(1), 1, score: 0.7);
        engine.AddLabel("a", T0.AddMinutes(3), 1);
        engine.AdvanceWatermark(T0.AddMinutes(65));

        var window = Assert.Single(engine.TakeReady());
        Assert.Equal(1, window.Performance!.Count);
        Assert.Equal(1, engine.LabelsDuplicate);
        Assert.Equal(0, engine.PendingLabels);
    }

    [Fact]
    public void AdvanceWatermark_PastLabelTtl_ExpiresUnlabelledPredictionsAndOrphanLabels()
    {
        var engine = new WindowEngine(Layout());
        Add(engine, "never-labelled", T0.AddMinutes(1), 1);
        engine.AddLabel("no-prediction", T0.AddMinutes(2), 1);

        engine.AdvanceWatermark(T0.AddHours(7));

        Assert.Equal(1, engine.PredictionsExpired);
        Assert.Equal(1, engine.LabelsUnmatched);
        Assert.Equal(0, engine.PendingPredictions);
        Assert.Equal(0, engine.PendingLabels);
    }

    [Fact]
    public void AdvanceWatermark_LongAfterLabelTtl_DropsPanes()
    {
        var engine = new WindowEngine(Layout());
        Add(engine, "a", T0.AddMinutes(1), 1);
        engine.AdvanceWatermark(T0.AddMinutes(65));
        Assert.Equal(1, engine.PaneCount);

        engine.AdvanceWatermark(T0.AddHours(8));

        Assert.Equal(0, engine.PaneCount);
        engine.AddLabel("a", T0.AddHours(8), 1);
        Assert.Equal(0, engine.LabelsJoined);
    }

    [Fact]
    public void SlidingWindows_EachEventCountsInEveryWindowThatCoversIt()
    {
        var engine = new WindowEngine(Layout(lateness: TimeSpan.Zero, slide: TimeSpan.FromMinutes(30)));
        Add(engine, "a", T0.AddMinutes(10), 1);  // windows [05:30,06:30) and [06:00,07:00)
        Add(engine, "b", T0.AddMinutes(40), 2);  // windows [06:00,07:00) and [06:30,07:30)

        engine.AdvanceWatermark(T0.AddHours(2));
        var windows = engine.TakeReady();

        Assert.Equal([1L, 2L, 1L], windows.Select(w => w.Events).ToArray());
        Assert.Equal(T0.AddMinutes(-30), windows[0].Range.Start);
        Assert.Equal(T0.AddMinutes(90), windows[^1].Range.End);
    }

    [Fact]
    public void SnapshotOpen_ReturnsProvisionalWindowWithoutClosingIt()
    {
        var engine = new WindowEngine(Layout());
        Add(engine, "a", T0.AddMinutes(1), 1);

        var open = Assert.Single(engine.SnapshotOpen());

        Assert.False(open.Final);
        Assert.Equal(1, open.Events);
        engine.AdvanceWatermark(T0.AddMinutes(65));
        Assert.Single(engine.TakeReady());
    }

    [Fact]
    public void Checkpoint_RestoredEngine_ContinuesExactlyLikeTheOriginal()
    {
        var original = new WindowEngine(Layout());
        var rng = new Random(7);
        for (int i = 0; i < 300; i++)
        {
            Add(original, $"e{i}", T0.AddSeconds(i * 17), rng.NextDouble() * 100, i % 3 == 0 ? "FR" : "XX" + (i % 13), rng.NextDouble());
            if (i % 4 == 0)
            {
                original.AddLabel($"e{i}", T0.AddSeconds(i * 17 + 5), i % 2);
            }
        }

        original.AdvanceWatermark(T0.AddMinutes(66));
        original.TakeReady();
        byte[] saved = Save(original);
        var reader = new StateReader(saved);
        var restored = WindowEngine.Read(ref reader, Layout());

        Assert.Equal(saved, Save(restored));
        foreach (var engine in new[] { original, restored })
        {
            Add(engine, "x1", T0.AddMinutes(80), 42, "DE", 0.3);
            engine.AddLabel("e8", T0.AddMinutes(81), 1);
            engine.AdvanceWatermark(T0.AddHours(3));
        }

        Assert.Equal(Save(original), Save(restored));
        Assert.Equal(Describe(original.TakeReady()), Describe(restored.TakeReady()));
    }

    private static byte[] Save(WindowEngine engine)
    {
        var buffer = new ArrayBufferWriter<byte>();
        engine.Write(new StateWriter(buffer));
        return buffer.WrittenSpan.ToArray();
    }

    private static string Describe(IReadOnlyList<WindowSnapshot> windows) => string.Join(
        "|",
        windows.Select(w => $"{w.Range}:{w.Revision}:{w.Events}:{w.Numeric?[0].Count}:{w.Numeric?[0].Mean:R}:{w.Performance?.Count}"));
}
