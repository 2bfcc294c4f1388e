using System.Buffers;
using Monitor.Core.Sketches;
using Xunit.Abstractions;

namespace Monitor.Core.Tests.Sketches;

public sealed class KllSketchMergeTests(ITestOutputHelper output)
{
    [Fact]
    public void Merge_PartsOfManyStreams_UnionWithinBoundInAtLeast99Percent()
    {
        const int trials = 1000;
        const int n = 20_000;
        double bound = KllSketch.SupRankErrorBound(KllSketch.DefaultK);
        var rng = new Random(4242);
        var data = new double[n];
        var errors = new double[trials];
        var distributions = Enum.GetValues<SketchTrials.Distribution>();
        for (int t = 0; t < trials; t++)
        {
            SketchTrials.Fill(data, distributions[t % distributions.Length], rng);

            // 2..8 parts of uneven sizes, each sketched with the default seed as panes of a window would be.
            int parts = rng.Next(2, 9);
            var cuts = new int[parts + 1];
            cuts[parts] = n;
            for (int p = 1; p < parts; p++)
            {
                cuts[p] = rng.Next(0, n + 1);
            }

            Array.Sort(cuts);
            var union = new KllSketch();
            for (int p = 0; p < parts; p++)
            {
                var part = new KllSketch();
                for (int i = cuts[p]; i < cuts[p + 1]; i++)
                {
                    part.Update(data[i]);
                }

                union.Merge(part);
            }

            Assert.Equal(n, union.Count);
            Array.Sort(data);
            Assert.Equal(data[0], union.Min);
            Assert.Equal(data[^1], union.Max);
            errors[t] = SketchTrials.SupError(data, union);
        }

        Array.Sort(errors);
        int over = errors.Count(e => e > bound);
        output.WriteLine($"merged 2-8 parts, k=200, n={n}, {trials} trials: {SketchTrials.Summary(errors, bound)}, over bound: {over}");
        Assert.True(over <= trials / 100, $"{over} of {trials} trials exceeded the bound {bound}");
    }

    [Fact]
    public void Merge_ManyCompactedSketchesInATree_UnionWithinBound()
    {
        // A day of 24 hourly panes merged pairwise: merges of merges, all parts compacted.
        const int trials = 50;
        const int panes = 24;
        const int perPane = 5_000;
        double bound = KllSketch.SupRankErrorBound(KllSketch.DefaultK);
        var rng = new Random(77);
        var data = new double[panes * perPane];
        var errors = new double[trials];
        for (int t = 0; t < trials; t++)
        {
            SketchTrials.Fill(data, SketchTrials.Distribution.Normal, rng);
            var level = new List<KllSketch>();
            for (int p = 0; p < panes; p++)
            {
                var pane = new KllSketch(seed: (ulong)p);
                for (int i = p * perPane; i < (p + 1) * perPane; i++)
                {
                    pane.Update(data[i]);
                }

                level.Add(pane);
            }

            while (level.Count > 1)
            {
                var next = new List<KllSketch>();
                for (int i = 0; i < level.Count; i += 2)
                {
                    if (i + 1 < level.Count)
                    {
                        level[i].Merge(level[i + 1]);
                    }

                    next.Add(level[i]);
                }

                level = next;
            }

            Array.Sort(data);
            errors[t] = SketchTrials.SupError(data, level[0]);
        }

        Array.Sort(errors);
        int over = errors.Count(e => e > bound);
        output.WriteLine($"tree of {panes} panes, k=200, n={data.Length}, {trials} trials: {SketchTrials.Summary(errors, bound)}, over bound: {over}");
        // With 50 trials, "at most 1%" means none.
        Assert.True(over == 0, $"{over} of {trials} trials exceeded the bound {bound}");
    }

    [Fact]
    public void Merge_SameSketchesSameOrder_IdenticalBytes()
    {
        byte[] first = Bytes(MergeOfParts());
        byte[] second = Bytes(MergeOfParts());

        Assert.Equal(first, second);
    }

    [Fact]
    public void Merge_DoesNotChangeOther()
    {
        var parts = Parts();
        byte[] before = Bytes(parts[1]);

        parts[0].Merge(parts[1]);

        Assert.Equal(before, Bytes(parts[1]));
    }

    [Fact]
    public void Merge_Itself_DoublesCountAndKeepsDistribution()
    {
        var sketch = Parts()[0];
        long count = sketch.Count;
        double median = sketch.Quantile(0.5);

        sketch.Merge(sketch);

        Assert.Equal(2 * count, sketch.Count);
        Assert.InRange(sketch.Rank(median), 0.5 - sketch.RankErrorBound, 0.5 + sketch.RankErrorBound);
    }

    [Fact]
    public void Merge_DifferentK_Throws()
    {
        var a = new KllSketch(100);
        var b = new KllSketch(200);
        b.Update(1);

        Assert.Throws<ArgumentException>(() => a.Merge(b));
    }

    [Fact]
    public void Merge_ExactSmallParts_StaysExact()
    {
        var a = new KllSketch();
        var b = new KllSketch();
        for (int i = 0; i < 50; i++)
        {
            a.Update(i);
            b.Update(100 + i);
        }

        a.Merge(b);

        Assert.True(a.IsExact);
        Assert.Equal(0, a.RankErrorBound);
        Assert.Equal(100, a.RetainedItems);
        Assert.Equal(0.5, a.Rank(49));
        Assert.Equal(0, a.ToSample().RankError);
    }

    [Fact]
    public void Merge_IntoEmpty_EqualsOtherDistribution()
    {
        var other = Parts()[2];
        var empty = new KllSketch();

        empty.Merge(other);

        Assert.Equal(other.Count, empty.Count);
        Assert.Equal(other.Min, empty.Min);
        Assert.Equal(other.Max, empty.Max);
        Assert.Equal(other.RankErrorBound, empty.RankErrorBound);
    }

    private static KllSketch[] Parts()
    {
        var rng = new Random(9);
        var parts = new KllSketch[3];
        for (int p = 0; p < parts.Length; p++)
        {
            parts[p] = new KllSketch(seed: (ulong)p);
            int n = 3_000 + (4_000 * p);
            for (int i = 0; i < n; i++)
            {
                parts[p].Update(rng.NextDouble() * (p + 1));
            }
        }

        return parts;
    }

    private static KllSketch MergeOfParts()
    {
        var parts = Parts();
        var union = new KllSketch(seed: 5);
        foreach (var part in parts)
        {
            union.Merge(part);
        }

        union.Update(0.25);
        return union;
    }

    internal static byte[] Bytes(KllSketch sketch)
    {
        var writer = new ArrayBufferWriter<byte>();
        sketch.WriteTo(writer);
        return writer.WrittenSpan.ToArray();
    }
}
