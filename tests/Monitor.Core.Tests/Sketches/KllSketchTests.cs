using Monitor.Core.Drift;
using Monitor.Core.Sketches;

namespace Monitor.Core.Tests.Sketches;

public sealed class KllSketchTests
{
    [Fact]
    public void NewSketch_Empty_HasNoDataAndNaNExtremes()
    {
        var sketch = new KllSketch();

        Assert.True(sketch.IsEmpty);
        Assert.Equal(0, sketch.Count);
        Assert.Equal(0, sketch.RetainedItems);
        Assert.True(double.IsNaN(sketch.Min));
        Assert.True(double.IsNaN(sketch.Max));
        Assert.Equal(0, sketch.RankErrorBound);
        Assert.Throws<InvalidOperationException>(() => sketch.Rank(0));
        Assert.Throws<InvalidOperationException>(() => sketch.Quantile(0.5));
        var sample = sketch.ToSample();
        Assert.Equal(0, sample.Count);
        Assert.Equal(EstimateMode.Exact, sample.Mode);
    }

    [Fact]
    public void Update_OneValue_EveryQuantileIsThatValue()
    {
        var sketch = new KllSketch();

        sketch.Update(-3.5);

        Assert.Equal(1, sketch.Count);
        Assert.Equal(-3.5, sketch.Min);
        Assert.Equal(-3.5, sketch.Max);
        Assert.Equal(-3.5, sketch.Quantile(0));
        Assert.Equal(-3.5, sketch.Quantile(0.5));
        Assert.Equal(-3.5, sketch.Quantile(1));
        Assert.Equal(0, sketch.Rank(-3.6));
        Assert.Equal(1, sketch.Rank(-3.5));
    }

    [Fact]
    public void Update_AllEqualValues_RanksAndQuantilesExactAfterCompaction()
    {
        var sketch = new KllSketch();
        for (int i = 0; i < 100_000; i++)
        {
            sketch.Update(7);
        }

        Assert.False(sketch.IsExact);
        Assert.Equal(100_000, sketch.Count);
        Assert.Equal(1, sketch.Rank(7));
        Assert.Equal(0, sketch.Rank(6.999));
        Assert.Equal(7, sketch.Quantile(0.3));
        var sample = sketch.ToSample();
        Assert.Equal(100_000, sample.Count);
        Assert.Equal(7, sample.Mean);
        Assert.Equal(0, sample.Variance);
    }

    [Fact]
    public void Update_FewerValuesThanK_SketchIsExact()
    {
        var sketch = new KllSketch();
        for (int i = 200; i >= 1; i--)
        {
            sketch.Update(i);
        }

        Assert.True(sketch.IsExact);
        Assert.Equal(0, sketch.RankErrorBound);
        Assert.Equal(200, sketch.RetainedItems);
        Assert.Equal(0.25, sketch.Rank(50));
        Assert.Equal(50, sketch.Quantile(0.25));
        Assert.Equal(51, sketch.Quantile(0.2501));
        var sample = sketch.ToSample();
        Assert.Equal(EstimateMode.Exact, sample.Mode);
        Assert.Equal(200, sample.Count);
        Assert.Equal(100.5, sample.Mean, 12);
    }

    [Fact]
    public void Update_BeyondFirstCapacity_CompactsAndReportsBound()
    {
        var sketch = new KllSketch();
        for (int i = 0; i < 201; i++)
        {
            sketch.Update(i);
        }

        Assert.False(sketch.IsExact);
        Assert.Equal(KllSketch.SupRankErrorBound(200), sketch.RankErrorBound);
        Assert.True(sketch.RetainedItems < 201);
        var sample = sketch.ToSample();
        Assert.Equal(201, sample.Count);
        Assert.Equal(EstimateMode.Sketch, sample.Mode);
        Assert.Equal(sketch.RankErrorBound, sample.RankError);
        Assert.Equal(0, sketch.Min);
        Assert.Equal(200, sketch.Max);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Update_NonFinite_ThrowsAndLeavesSketchUnchanged(double value)
    {
        var sketch = new KllSketch();
        sketch.Update(1);

        Assert.Throws<ArgumentOutOfRangeException>(() => sketch.Update(value));

        Assert.Equal(1, sketch.Count);
        Assert.Equal(1, sketch.Max);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    [InlineData(65536)]
    [InlineData(-1)]
    public void Constructor_KOutOfRange_Throws(int k)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new KllSketch(k));
        Assert.Throws<ArgumentOutOfRangeException>(() => KllSketch.SupRankErrorBound(k));
    }

    [Theory]
    [InlineData(KllSketch.MinK)]
    [InlineData(KllSketch.MaxK)]
    public void Constructor_KAtLimits_Works(int k)
    {
        var sketch = new KllSketch(k);
        for (int i = 0; i < 1000; i++)
        {
            sketch.Update(i % 37);
        }

        Assert.Equal(k, sketch.K);
        Assert.Equal(1000, sketch.Count);
        Assert.InRange(sketch.Rank(18), 0.5 - sketch.RankErrorBound, 0.5 + sketch.RankErrorBound + (1.0 / 37));
    }

    [Fact]
    public void SupRankErrorBound_DecreasesWithK()
    {
        Assert.True(KllSketch.SupRankErrorBound(100) > KllSketch.SupRankErrorBound(200));
        Assert.True(KllSketch.SupRankErrorBound(200) > KllSketch.SupRankErrorBound(400));
        Assert.InRange(KllSketch.SupRankErrorBound(200), 0.01, 0.03);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.1)]
    [InlineData(double.NaN)]
    public void Quantile_LevelOutsideUnitInterval_Throws(double q)
    {
        var sketch = new KllSketch();
        sketch.Update(1);

        Assert.Throws<ArgumentOutOfRangeException>(() => sketch.Quantile(q));
    }

    [Fact]
    public void Quantile_LargeStream_WithinBoundOfTrueQuantile()
    {
        var sketch = new KllSketch(seed: 3);
        const int n = 100_000;
        for (int i = 0; i < n; i++)
        {
            sketch.Update((i * 7919L) % n);
        }

        double eps = sketch.RankErrorBound;
        foreach (double q in new[] { 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99 })
        {
            double value = sketch.Quantile(q);
            double trueRank = (value + 1) / n;
            // The value just below the quantile is within eps too, hence the 1/n of one step.
            Assert.InRange(trueRank, q - eps, q + eps + (1.0 / n));
        }

        Assert.Equal(0, sketch.Quantile(0));
        Assert.Equal(n - 1, sketch.Quantile(1));
    }

    [Fact]
    public void Update_SameSeedSameInput_SameSketch()
    {
        var a = new KllSketch(seed: 11);
        var b = new KllSketch(seed: 11);
        var c = new KllSketch(seed: 12);
        for (int i = 0; i < 10_000; i++)
        {
            double x = Math.Sin(i);
            a.Update(x);
            b.Update(x);
            c.Update(x);
        }

        Assert.Equal(KllSketchMergeTests.Bytes(a), KllSketchMergeTests.Bytes(b));
        Assert.NotEqual(KllSketchMergeTests.Bytes(a), KllSketchMergeTests.Bytes(c));
    }

    [Fact]
    public void Update_SteadyState_DoesNotAllocate()
    {
        var sketch = new KllSketch();
        for (int i = 0; i < 1_000_000; i++)
        {
            sketch.Update(i);
        }

        // 1M more values add one level at most (log2 growth); each new level allocates the item buffer once.
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1_000_000; i++)
        {
            sketch.Update(-i);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated <= 2 * 8 * 1024, $"{allocated} bytes allocated for 1M updates");
    }
}
