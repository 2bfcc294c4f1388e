using Monitor.Core.Sketches;
using Xunit.Abstractions;

namespace Monitor.Core.Tests.Sketches;

public sealed class KllSketchMemoryTests(ITestOutputHelper output)
{
    [Fact]
    public void SizeInBytes_TenMillionUpdatesAtDefaultK_AtMost16KiB()
    {
        var sketch = new KllSketch();
        long peak = 0;
        for (int i = 0; i < 10_000_000; i++)
        {
            // A slow trend plus noise, as a drifting feature would arrive.
            sketch.Update((i * 1e-6) + ((i * 2654435761L) % 1000 * 1e-3));
            if ((i & 0xFFFF) == 0)
            {
                peak = Math.Max(peak, sketch.SizeInBytes);
            }
        }

        peak = Math.Max(peak, sketch.SizeInBytes);
        output.WriteLine($"k=200, n=10M: {sketch.RetainedItems} items retained, {sketch.NumLevels} levels, SizeInBytes {sketch.SizeInBytes}, serialized {sketch.SerializedSize} bytes");

        Assert.Equal(10_000_000, sketch.Count);
        Assert.True(peak <= 16 * 1024, $"peak SizeInBytes {peak}");
        Assert.True(sketch.SerializedSize <= 16 * 1024, $"serialized size {sketch.SerializedSize}");
        Assert.True(sketch.RetainedItems <= KllSketch.TotalCapacity(200, sketch.NumLevels));
    }

    [Fact]
    public void TotalCapacity_DefaultK_FollowsTwoThirdsSchedule()
    {
        // Top level k, then ×2/3 per level down, floored at 8.
        Assert.Equal(200, KllSketch.LevelCapacity(200, 1, 0));
        Assert.Equal(133, KllSketch.LevelCapacity(200, 2, 0));
        Assert.Equal(89, KllSketch.LevelCapacity(200, 3, 0));
        Assert.Equal(8, KllSketch.LevelCapacity(200, 20, 0));
        Assert.Equal(8, KllSketch.LevelCapacity(200, 61, 0));
        Assert.Equal(200 + 133 + 89, KllSketch.TotalCapacity(200, 3));
    }

    [Theory]
    [InlineData(KllSketch.MinK)]
    [InlineData(17)]
    [InlineData(KllSketch.DefaultK)]
    [InlineData(1000)]
    [InlineData(KllSketch.MaxK)]
    public void CapacitiesByDepth_AnyK_MatchesLevelCapacityAtEveryLevel(int k)
    {
        int[] byDepth = KllSketch.CapacitiesByDepth(k);
        for (int numLevels = 1; numLevels <= 61; numLevels++)
        {
            for (int level = 0; level < numLevels; level++)
            {
                int depth = numLevels - level - 1;
                int cached = depth < byDepth.Length ? byDepth[depth] : 8;
                Assert.Equal(KllSketch.LevelCapacity(k, numLevels, level), cached);
            }
        }
    }
}
