using Monitor.Core.Sketches;
using Xunit.Abstractions;

namespace Monitor.Core.Tests.Sketches;

public sealed class KllSketchAccuracyTests(ITestOutputHelper output)
{
    private const int Trials = 1000;
    private const int N = 20_000;

    [Theory]
    [InlineData(SketchTrials.Distribution.Normal)]
    [InlineData(SketchTrials.Distribution.Cauchy)]
    [InlineData(SketchTrials.Distribution.IntegersWithTies)]
    public void SupNormError_ManyRandomStreams_WithinBoundInAtLeast99Percent(SketchTrials.Distribution distribution)
    {
        double bound = KllSketch.SupRankErrorBound(KllSketch.DefaultK);
        var rng = new Random(20261128 + (int)distribution);
        var data = new double[N];
        var errors = new double[Trials];
        int compactedLevels = int.MaxValue;
        for (int t = 0; t < Trials; t++)
        {
            SketchTrials.Fill(data, distribution, rng);
            var sketch = new KllSketch(seed: (ulong)t + 1);
            foreach (double x in data)
            {
                sketch.Update(x);
            }

            compactedLevels = Math.Min(compactedLevels, sketch.NumLevels);
            Array.Sort(data);
            errors[t] = SketchTrials.SupError(data, sketch);
            Assert.Equal(bound, sketch.RankErrorBound);
        }

        Array.Sort(errors);
        int over = errors.Count(e => e > bound);
        output.WriteLine($"{distribution}, k=200, n={N}, {Trials} trials: {SketchTrials.Summary(errors, bound)}, over bound: {over}");

        // Every trial compacted several levels deep, so the bound is exercised, not an exact sketch.
        Assert.True(compactedLevels >= 6, $"only {compactedLevels} levels");
        Assert.True(over <= Trials / 100, $"{over} of {Trials} trials exceeded the bound {bound}");
    }

    [Fact]
    public void SupNormError_SortedAndReversedStreams_WithinBound()
    {
        // Monitor's windows often see trending values; KLL's guarantee must not depend on arrival order.
        const int trials = 200;
        double bound = KllSketch.SupRankErrorBound(KllSketch.DefaultK);
        var data = new double[N];
        for (int i = 0; i < N; i++)
        {
            data[i] = i;
        }

        var errors = new double[2 * trials];
        for (int t = 0; t < trials; t++)
        {
            var ascending = new KllSketch(seed: (ulong)t + 1);
            var descending = new KllSketch(seed: (ulong)t + 1);
            for (int i = 0; i < N; i++)
            {
                ascending.Update(data[i]);
                descending.Update(data[N - 1 - i]);
            }

            errors[2 * t] = SketchTrials.SupError(data, ascending);
            errors[(2 * t) + 1] = SketchTrials.SupError(data, descending);
        }

        Array.Sort(errors);
        int over = errors.Count(e => e > bound);
        output.WriteLine($"sorted/reversed, k=200, n={N}, {2 * trials} streams: {SketchTrials.Summary(errors, bound)}, over bound: {over}");
        Assert.True(over <= errors.Length / 100, $"{over} of {errors.Length} streams exceeded the bound {bound}");
    }

    [Theory]
    [InlineData(50)]
    [InlineData(400)]
    public void SupNormError_OtherK_WithinItsBound(int k)
    {
        const int trials = 200;
        double bound = KllSketch.SupRankErrorBound(k);
        var rng = new Random(k);
        var data = new double[N];
        var errors = new double[trials];
        for (int t = 0; t < trials; t++)
        {
            SketchTrials.Fill(data, SketchTrials.Distribution.Normal, rng);
            var sketch = new KllSketch(k, (ulong)t + 1);
            foreach (double x in data)
            {
                sketch.Update(x);
            }

            Array.Sort(data);
            errors[t] = SketchTrials.SupError(data, sketch);
        }

        Array.Sort(errors);
        int over = errors.Count(e => e > bound);
        output.WriteLine($"Normal, k={k}, n={N}, {trials} trials: {SketchTrials.Summary(errors, bound)}, over bound: {over}");
        Assert.True(over <= trials / 100, $"{over} of {trials} trials exceeded the bound {bound}");
    }
}
