using System.Buffers;
using FsCheck.Xunit;
using Monitor.Core.Accumulators;
using Monitor.Core.Drift;
using Monitor.Core.Drift.Numeric;

namespace Monitor.Core.Tests.Accumulators;

/// <summary>
/// Merge, serialisation and counting properties of <see cref="NumericAccumulator"/>. FsCheck supplies a seed per
/// run (replayed from a fixed start, so the suite is deterministic); each seed builds two panes of data.
/// </summary>
public sealed class NumericAccumulatorTests
{
    private const string Replay = "20261128,731";

    private static readonly QuantileBins Bins = QuantileBins.FromEdges([95, 98, 99.5, 100, 100.5, 102, 105]);

    private static NumericAccumulatorOptions Options(int exactLimit, int k = 200) => new()
    {
        ExactLimit = exactLimit,
        SketchK = k,
        RangeMin = 97,
        RangeMax = 103,
    };

    [Property(Replay = Replay, MaxTest = 150)]
    public void Merge_ExactMode_EqualsAccumulatingTheUnion(int seed)
    {
        var rng = new Random(seed);
        var options = Options(exactLimit: 1000);
        var (a, aValues) = Pane(rng, rng.Next(0, 300), options);
        var (b, bValues) = Pane(rng, rng.Next(0, 300), options);
        var union = new NumericAccumulator(options, Bins);
        Feed(union, aValues);
        Feed(union, bValues);
        union.Merge(Missing(options, a.Missing + b.Missing));

        a.Merge(b);

        Assert.True(a.IsExact);
        Assert.Equal(union.Count, a.Count);
        Assert.Equal(union.Missing, a.Missing);
        Assert.Equal(union.TypeErrors, a.TypeErrors);
        Assert.Equal(union.OutOfRange, a.OutOfRange);
        Assert.Equal(union.Min, a.Min);
        Assert.Equal(union.Max, a.Max);
        Assert.Equal(union.BinCounts.ToArray(), a.BinCounts.ToArray());
        Assert.Equal(union.ToSample().Values.ToArray(), a.ToSample().Values.ToArray());
        if (union.Count > 0)
        {
            AssertRelative(union.Mean, a.Mean, 1e-12);
            AssertRelative(union.Variance, a.Variance, 1e-12, absolute: 1e-12);
        }
        else
        {
            Assert.True(double.IsNaN(a.Mean));
            Assert.True(double.IsNaN(a.Variance));
        }
    }

    [Property(Replay = Replay, MaxTest = 60)]
    public void Merge_BeyondExactLimit_SketchWithinRankErrorOfUnion(int seed)
    {
        var rng = new Random(seed);
        int k = rng.Next(2) == 0 ? 16 : 200;
        var options = Options(exactLimit: 64, k);
        var (a, aValues) = Pane(rng, rng.Next(0, 3000), options);
        var (b, bValues) = Pane(rng, rng.Next(65, 3000), options);
        var union = new NumericAccumulator(options, Bins);
        Feed(union, aValues);
        Feed(union, bValues);

        a.Merge(b);

        Assert.False(a.IsExact);
        Assert.Equal(union.Count, a.Count);
        Assert.Equal(union.TypeErrors, a.TypeErrors);
        Assert.Equal(union.OutOfRange, a.OutOfRange);
        Assert.Equal(union.Min, a.Min);
        Assert.Equal(union.Max, a.Max);
        Assert.Equal(union.BinCounts.ToArray(), a.BinCounts.ToArray());
        var sample = a.ToSample();
        Assert.Equal(EstimateMode.Sketch, sample.Mode);
        Assert.Equal(3.3 / k, sample.RankError, 15);
        double[] exact = [.. aValues.Where(double.IsFinite), .. bValues.Where(double.IsFinite)];
        Array.Sort(exact);
        Assert.Equal(exact.Length, sample.Count);
        double error = SupCdfError(exact, sample);
        Assert.True(error <= sample.RankError, $"sup |F̂ − F| = {error} exceeds the stated rank error {sample.RankError} (k = {k}, n = {exact.Length}).");
    }

    [Property(Replay = Replay, MaxTest = 60)]
    public void WriteRead_ExactAndSketchMode_BitForBitAndContinuesIdentically(int seed)
    {
        var rng = new Random(seed);
        var options = Options(exactLimit: 64, k: 16);
        var (original, _) = Pane(rng, rng.Next(0, 400), options);
        byte[] first = Bytes(original);

        var restored = Restore(first, options);

        Assert.Equal(first, Bytes(restored));
        Assert.Equal(original.IsExact, restored.IsExact);
        var more = Values(rng, rng.Next(0, 400));
        Feed(original, more);
        Feed(restored, more);
        Assert.Equal(Bytes(original), Bytes(restored));
        Assert.Equal(original.ToSample().Values.ToArray(), restored.ToSample().Values.ToArray());
    }

    [Property(Replay = Replay, MaxTest = 40)]
    public void Clone_ExactAndSketchMode_SerialisesIdentically(int seed)
    {
        var rng = new Random(seed);
        var options = Options(exactLimit: 64, k: 16);
        var (original, _) = Pane(rng, rng.Next(1, 400), options);

        var copy = original.Clone();

        Assert.Equal(Bytes(original), Bytes(copy));
    }

    [Fact]
    public void WriteRead_SketchMode_RoundTripHoldsASketch()
    {
        var options = Options(exactLimit: 64, k: 16);
        var acc = new NumericAccumulator(options, Bins);
        Feed(acc, Values(new Random(5), 5000));
        Assert.False(acc.IsExact);

        var restored = Restore(Bytes(acc), options);

        Assert.False(restored.IsExact);
        Assert.Equal(acc.ToSample().Weights.ToArray(), restored.ToSample().Weights.ToArray());
        Assert.Equal(acc.Mean, restored.Mean);
        Assert.Equal(acc.Variance, restored.Variance);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Add_NonFinite_CountsTypeErrorAndNothingElse(double value)
    {
        var acc = new NumericAccumulator(Options(100), Bins);
        acc.Add(100);

        acc.Add(value);

        Assert.Equal(1, acc.Count);
        Assert.Equal(1, acc.TypeErrors);
        Assert.Equal(0, acc.OutOfRange);
        Assert.Equal(1, acc.BinCounts.ToArray().Sum());
        Assert.Equal(100, acc.Mean);
        Assert.Equal(100, acc.Max);
        Assert.Equal([100.0], acc.ToSample().Values.ToArray());
    }

    [Fact]
    public void Add_OutsideRange_CountedAndStillAccumulated()
    {
        var acc = new NumericAccumulator(Options(100), Bins);

        acc.Add(96.9);
        acc.Add(97);
        acc.Add(103);
        acc.Add(103.1);

        Assert.Equal(4, acc.Count);
        Assert.Equal(2, acc.OutOfRange);
        Assert.Equal(Bins.Count(NumericSample.FromValues([96.9, 97, 103, 103.1])), acc.BinCounts.ToArray());
    }

    [Fact]
    public void Empty_MeanAndVarianceAreNaN_MinMaxInfinite()
    {
        var acc = new NumericAccumulator(Options(100), null);

        Assert.True(double.IsNaN(acc.Mean));
        Assert.True(double.IsNaN(acc.Variance));
        Assert.Equal(double.PositiveInfinity, acc.Min);
        Assert.Equal(double.NegativeInfinity, acc.Max);
        Assert.Equal(0, acc.ToSample().Count);
    }

    [Fact]
    public void Merge_DifferentBins_Throws()
    {
        var a = new NumericAccumulator(Options(100), Bins);
        var b = new NumericAccumulator(Options(100), QuantileBins.FromEdges([1, 2]));

        Assert.Throws<InvalidOperationException>(() => a.Merge(b));
    }

    private static (NumericAccumulator Acc, double[] Values) Pane(Random rng, int n, NumericAccumulatorOptions options)
    {
        var acc = new NumericAccumulator(options, Bins);
        var values = Values(rng, n);
        Feed(acc, values);
        int missing = rng.Next(0, 5);
        for (int i = 0; i < missing; i++)
        {
            acc.AddMissing();
        }

        return (acc, values);
    }

    private static NumericAccumulator Missing(NumericAccumulatorOptions options, long count)
    {
        var acc = new NumericAccumulator(options, Bins);
        for (long i = 0; i < count; i++)
        {
            acc.AddMissing();
        }

        return acc;
    }

    /// <summary>Values around 100 (so relative tolerances are meaningful) with ties, out-of-range and non-finite ones.</summary>
    private static double[] Values(Random rng, int n)
    {
        var values = new double[n];
        for (int i = 0; i < n; i++)
        {
            int kind = rng.Next(100);
            values[i] = kind switch
            {
                0 => double.NaN,
                1 => double.PositiveInfinity,
                < 10 => 100 + rng.Next(-3, 4),
                _ => 100 + (3 * Normal(rng)),
            };
        }

        return values;
    }

    private static void Feed(NumericAccumulator acc, ReadOnlySpan<double> values)
    {
        foreach (double v in values)
        {
            acc.Add(v);
        }
    }

    private static byte[] Bytes(NumericAccumulator acc)
    {
        var buffer = new ArrayBufferWriter<byte>();
        acc.Write(new StateWriter(buffer));
        return buffer.WrittenSpan.ToArray();
    }

    private static NumericAccumulator Restore(byte[] bytes, NumericAccumulatorOptions options)
    {
        var reader = new StateReader(bytes);
        var acc = NumericAccumulator.Read(ref reader, options, Bins);
        Assert.Equal(0, reader.Remaining);
        return acc;
    }

    /// <summary>max over x of |F̂(x) − F(x)|, checked at every distinct data value (both CDFs step only there).</summary>
    internal static double SupCdfError(double[] sortedData, NumericSample sample)
    {
        var values = sample.Values;
        int n = sortedData.Length;
        int j = 0;
        long weight = 0;
        double max = 0;
        int i = 0;
        while (i < n)
        {
            double x = sortedData[i];
            while (i < n && sortedData[i] == x)
            {
                i++;
            }

            while (j < values.Length && values[j] <= x)
            {
                weight += sample.WeightAt(j);
                j++;
            }

            max = Math.Max(max, Math.Abs(weight - i) / (double)n);
        }

        return max;
    }

    private static void AssertRelative(double expected, double actual, double relative, double absolute = 0)
    {
        double diff = Math.Abs(expected - actual);
        Assert.True(diff <= absolute || diff <= relative * Math.Abs(expected), $"expected {expected:R}, got {actual:R} (relative {diff / Math.Abs(expected):E2})");
    }

    private static double Normal(Random rng)
    {
        double u1 = 1 - rng.NextDouble();
        double u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
