using System.Buffers;
using Monitor.Core.Accumulators;
using Xunit.Abstractions;

namespace Monitor.Core.Tests.Accumulators;

public sealed class PerformanceAccumulatorTests(ITestOutputHelper output)
{
    [Fact]
    public void Add_BelowLimit_HoldsEveryPairInOrder()
    {
        var acc = new PerformanceAccumulator(PerformanceKind.Regression, exactLimit: 100);
        for (int i = 0; i < 100; i++)
        {
            acc.Add(i, i * 2.0);
        }

        Assert.True(acc.IsExact);
        Assert.Equal(100, acc.Count);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (double)i), acc.Truth.ToArray());
        Assert.Equal(Enumerable.Range(0, 100).Select(i => i * 2.0), acc.Predicted.ToArray());
    }

    [Fact]
    public void Add_BeyondLimit_ReservoirOfLimitSizeWithExactCountAndSameSeedSameSample()
    {
        var a = new PerformanceAccumulator(PerformanceKind.Regression, exactLimit: 50, seed: 7);
        var b = new PerformanceAccumulator(PerformanceKind.Regression, exactLimit: 50, seed: 7);
        var c = new PerformanceAccumulator(PerformanceKind.Regression, exactLimit: 50, seed: 8);
        for (int i = 0; i < 1000; i++)
        {
            a.Add(i, -i);
            b.Add(i, -i);
            c.Add(i, -i);
        }

        Assert.False(a.IsExact);
        Assert.Equal(1000, a.Count);
        Assert.Equal(50, a.Truth.Length);
        Assert.Equal(a.Truth.ToArray(), b.Truth.ToArray());
        Assert.Equal(a.Predicted.ToArray(), b.Predicted.ToArray());
        Assert.NotEqual(a.Truth.ToArray(), c.Truth.ToArray());
        for (int i = 0; i < a.Truth.Length; i++)
        {
            Assert.Equal(-a.Truth[i], a.Predicted[i]);
        }

        Assert.Equal(50, a.Truth.ToArray().Distinct().Count());
    }

    [Fact]
    public void Add_BeyondLimit_EveryPairEquallyLikelyToBeKept()
    {
        const int runs = 2000;
        const int n = 400;
        const int limit = 40;
        var kept = new int[n];
        for (int run = 0; run < runs; run++)
        {
            var acc = new PerformanceAccumulator(PerformanceKind.Regression, limit, seed: (ulong)run + 1);
            for (int i = 0; i < n; i++)
            {
                acc.Add(i, 0);
            }

            foreach (double t in acc.Truth)
            {
                kept[(int)t]++;
            }
        }

        // Expected share limit/n = 0.1 for every position; compare the first, middle and last tenth.
        double first = kept[..40].Average() / runs;
        double middle = kept[180..220].Average() / runs;
        double last = kept[^40..].Average() / runs;
        output.WriteLine($"kept share: first {first:F4} middle {middle:F4} last {last:F4} (expected 0.1)");
        Assert.InRange(first, 0.09, 0.11);
        Assert.InRange(middle, 0.09, 0.11);
        Assert.InRange(last, 0.09, 0.11);
    }

    [Fact]
    public void Merge_TwoSampledAccumulators_UnionSampleWeightedByCounts()
    {
        // Two panes of equal size, each sampled: a uniform sample of the union holds about half of each.
        const int limit = 1000;
        double share = 0;
        const int runs = 20;
        for (int run = 0; run < runs; run++)
        {
            var a = new PerformanceAccumulator(PerformanceKind.Regression, limit, seed: (ulong)(3 * run) + 1);
            var b = new PerformanceAccumulator(PerformanceKind.Regression, limit, seed: (ulong)(3 * run) + 2);
            for (int i = 0; i < 10_000; i++)
            {
                a.Add(0, 0);
                b.Add(1, 1);
            }

            a.Merge(b);

            Assert.Equal(20_000, a.Count);
            Assert.False(a.IsExact);
            Assert.Equal(limit, a.Truth.Length);
            share += a.Truth.ToArray().Average() / runs;
        }

        output.WriteLine($"share of the second pane in the merged sample: {share:F4} (expected 0.5)");
        Assert.InRange(share, 0.47, 0.53);
    }

    [Fact]
    public void Merge_SampledIntoExact_UnionSampleWeightedByCounts()
    {
        const int limit = 500;
        double share = 0;
        const int runs = 20;
        for (int run = 0; run < runs; run++)
        {
            var a = new PerformanceAccumulator(PerformanceKind.Regression, limit, seed: (ulong)(5 * run) + 1);
            var b = new PerformanceAccumulator(PerformanceKind.Regression, limit, seed: (ulong)(5 * run) + 2);
            for (int i = 0; i < 100; i++)
            {
                a.Add(0, 0);
            }

            for (int i = 0; i < 9_900; i++)
            {
                b.Add(1, 1);
            }

            a.Merge(b);

            Assert.Equal(10_000, a.Count);
            Assert.Equal(limit, a.Truth.Length);
            share += a.Truth.ToArray().Average() / runs;
        }

        output.WriteLine($"share of the large pane in the merged sample: {share:F4} (expected 0.99)");
        Assert.InRange(share, 0.98, 1.0);
    }

    [Fact]
    public void Merge_ExactPanes_EqualsAddingInOrder()
    {
        var a = new PerformanceAccumulator(PerformanceKind.Binary, 100);
        var b = new PerformanceAccumulator(PerformanceKind.Binary, 100);
        a.Add(1, 0.9);
        a.Add(0, 0.3);
        b.Add(1, 0.6);

        a.Merge(b);

        Assert.True(a.IsExact);
        Assert.Equal([1.0, 0.0, 1.0], a.Truth.ToArray());
        Assert.Equal([0.9, 0.3, 0.6], a.Predicted.ToArray());
    }

    [Fact]
    public void Merge_Multiclass_RemapsClassIndicesByName()
    {
        var a = new PerformanceAccumulator(PerformanceKind.Multiclass, 100);
        var b = new PerformanceAccumulator(PerformanceKind.Multiclass, 100);
        a.AddClasses("cat", "dog");
        b.AddClasses("bird", "bird");
        b.AddClasses("dog", "cat");

        a.Merge(b);

        Assert.Equal(["cat", "dog", "bird"], a.Classes);
        var names = a.Classes;
        string[] truth = [.. a.Truth.ToArray().Select(t => names[(int)t])];
        string[] predicted = [.. a.Predicted.ToArray().Select(p => names[(int)p])];
        Assert.Equal(["cat", "bird", "dog"], truth);
        Assert.Equal(["dog", "bird", "cat"], predicted);
    }

    [Fact]
    public void Merge_DifferentKinds_Throws()
    {
        var a = new PerformanceAccumulator(PerformanceKind.Binary, 100);
        var b = new PerformanceAccumulator(PerformanceKind.Regression, 100);

        Assert.Throws<InvalidOperationException>(() => a.Merge(b));
    }

    [Fact]
    public void Add_NonFinite_Throws()
    {
        var a = new PerformanceAccumulator(PerformanceKind.Regression, 100);

        Assert.Throws<ArgumentException>(() => a.Add(double.NaN, 1));
        Assert.Throws<ArgumentException>(() => a.Add(1, double.PositiveInfinity));
        Assert.Equal(0, a.Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(500)]
    public void WriteRead_AnyState_BitForBitAndContinuesIdentically(int pairs)
    {
        var original = new PerformanceAccumulator(PerformanceKind.Multiclass, 64, seed: 99);
        var rng = new Random(pairs);
        string[] classes = ["a", "b", "c", "d"];
        for (int i = 0; i < pairs; i++)
        {
            original.AddClasses(classes[rng.Next(4)], classes[rng.Next(4)]);
        }

        byte[] first = Bytes(original);
        var reader = new StateReader(first);
        var restored = PerformanceAccumulator.Read(ref reader);

        Assert.Equal(0, reader.Remaining);
        Assert.Equal(first, Bytes(restored));
        Assert.Equal(original.Classes, restored.Classes);
        for (int i = 0; i < 300; i++)
        {
            string t = classes[rng.Next(4)];
            string p = classes[rng.Next(4)];
            original.AddClasses(t, p);
            restored.AddClasses(t, p);
        }

        Assert.Equal(Bytes(original), Bytes(restored));
    }

    [Fact]
    public void Clone_SampledState_SerialisesIdentically()
    {
        var acc = new PerformanceAccumulator(PerformanceKind.Regression, 32, seed: 3);
        for (int i = 0; i < 500; i++)
        {
            acc.Add(i, i + 0.5);
        }

        Assert.Equal(Bytes(acc), Bytes(acc.Clone()));
    }

    private static byte[] Bytes(PerformanceAccumulator acc)
    {
        var buffer = new ArrayBufferWriter<byte>();
        acc.Write(new StateWriter(buffer));
        return buffer.WrittenSpan.ToArray();
    }
}
