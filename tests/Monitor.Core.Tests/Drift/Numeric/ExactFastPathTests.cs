using FsCheck;
using FsCheck.Xunit;
using Monitor.Core.Drift;
using Monitor.Core.Drift.Numeric;
using Xunit.Abstractions;

namespace Monitor.Core.Tests.Drift.Numeric;

/// <summary>
/// The bucketed exact KS statistic, quantile edges and bin counts against the sorted merge walks they replace: on
/// every kind of data (ties, constants, disjoint ranges, extreme magnitudes, signed zeros, subnormals) and every
/// bucket count, they must agree bit for bit.
/// </summary>
public sealed class ExactFastPathTests(ITestOutputHelper output)
{
    private const string Seed = "20261128,20261131";

    private static readonly int[] BucketCounts = [1, 2, 3, 8, 64, 1024];

    public static TheoryData<string> Kinds() =>
    [
        "normal", "shifted", "cauchy", "integers", "few-integers", "all-equal", "reference-constant", "current-constant",
        "disjoint-above", "disjoint-below", "touching", "integers-below", "huge", "signed-zeros", "subnormals", "subnormals-only", "outlier", "quarters", "mixed-scales",
    ];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void KsStatistic_EveryKindAndBucketCount_EqualsSortedWalkBitForBit(string kind)
    {
        var random = new Random(kind.GetHashCode(StringComparison.Ordinal) & 0x7fff);
        int cases = 0;
        foreach (int n in new[] { 1, 2, 3, 5, 8, 13, 20, 100, 1000, 5000 })
        {
            for (int rep = 0; rep < 3; rep++)
            {
                var (a, b) = Generate(kind, random, n, n == 1 ? 1 : random.Next(1, 2 * n));
                double expected = OldKs(a, b);
                foreach (int buckets in BucketCounts)
                {
                    // No index for a constant sample or a range without a finite bucket scale: those sort instead.
                    foreach (var (x, y) in new[] { (a, b), (b, a) })
                    {
                        if (NewKs(x, y, buckets) is { } actual)
                        {
                            Assert.Equal(Bits(expected), Bits(actual));
                            cases++;
                        }
                    }
                }

                Assert.Equal(Bits(expected), Bits(KolmogorovSmirnov.Statistic(NumericSample.FromValues(a), NumericSample.FromValues(b))));
            }
        }

        output.WriteLine($"{kind}: {cases} bucketed KS statistics identical to the merge walk");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void QuantileBinsAndPsi_EveryKindAndBucketCount_EqualSortedWalkBitForBit(string kind)
    {
        var random = new Random((kind.GetHashCode(StringComparison.Ordinal) & 0x7fff) + 1);
        int cases = 0;
        foreach (int n in new[] { 1, 2, 3, 7, 10, 19, 100, 1000, 5000 })
        {
            var (a, b) = Generate(kind, random, n, random.Next(1, 2 * n + 1));
            foreach (int bins in new[] { 1, 2, 4, 10, 17 })
            {
                var reference = Sorted(a);
                var expectedBins = QuantileBins.FromSorted(reference, bins);
                var expectedReference = expectedBins.CountSorted(reference);
                var expectedCurrent = expectedBins.CountSorted(Sorted(b));
                double expectedPsi = Psi.FromCounts(expectedReference, expectedCurrent);
                Assert.Equal(expectedCurrent, QuantileBins.CountUnordered(b, expectedBins.Edges));
                foreach (int buckets in BucketCounts)
                {
                    var index = Index(a, buckets);
                    if (index is null)
                    {
                        continue;
                    }

                    var (fitted, referenceCounts) = QuantileBins.FromIndex(index, bins);
                    AssertSameEdges(expectedBins.Edges, fitted.Edges);
                    Assert.Equal(expectedReference, referenceCounts);
                    var currentCounts = QuantileBins.CountUnordered(b, fitted.Edges);
                    Assert.Equal(Bits(expectedPsi), Bits(Psi.FromCounts(referenceCounts, currentCounts)));
                    cases++;
                }

                var test = new PsiTest(bins);
                double viaTest = test.Fit(NumericSample.FromValues(a)).Evaluate(NumericSample.FromValues(b), 0.2).Statistic;
                Assert.Equal(Bits(expectedPsi), Bits(viaTest));
            }
        }

        output.WriteLine($"{kind}: {cases} bucketed PSI fits identical to the merge walk");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void KsStatistic_IntegralIndexAndCurrent_EqualsSortedWalkBitForBit(string kind)
    {
        var random = new Random((kind.GetHashCode(StringComparison.Ordinal) & 0x7fff) + 2);
        int cases = 0;
        int integral = 0;
        foreach (int n in new[] { 1, 2, 5, 20, 100, 1000, 5000 })
        {
            for (int rep = 0; rep < 3; rep++)
            {
                var (a, b) = Generate(kind, random, n, n == 1 ? 1 : random.Next(1, 2 * n));
                double expected = OldKs(a, b);
                foreach (int buckets in new[] { 1, 8, 64, 1024, 4096 })
                {
                    foreach (var (x, y) in new[] { (a, b), (b, a) })
                    {
                        if (BucketIndex.TryBuild(x, x.Min(), x.Max(), buckets, IsIntegral(x)) is { } index)
                        {
                            Assert.Equal(Bits(expected), Bits(BucketedKs.Statistic(index, y, IsIntegral(y), out _)));
                            cases++;
                            integral += index.Integral && IsIntegral(y) ? 1 : 0;
                        }
                    }
                }
            }
        }

        output.WriteLine($"{kind}: {cases} bucketed KS statistics identical to the merge walk, {integral} of them on the integer path");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void QuantileBinCounts_FromKsTally_EqualSortedWalk(string kind)
    {
        var random = new Random((kind.GetHashCode(StringComparison.Ordinal) & 0x7fff) + 3);
        int fromTally = 0;
        foreach (int n in new[] { 1, 3, 10, 100, 1000, 5000 })
        {
            var (a, b) = Generate(kind, random, n, random.Next(1, 2 * n + 1));
            foreach (int buckets in new[] { 1, 3, 64, 1024, 4096 })
            {
                if (BucketIndex.TryBuild(a, a.Min(), a.Max(), buckets, IsIntegral(a)) is not { } index)
                {
                    continue;
                }

                _ = BucketedKs.Statistic(index, b, IsIntegral(b), out var tally);
                foreach (int bins in new[] { 4, QuantileBins.DefaultBinCount, 17 })
                {
                    var (fitted, _) = QuantileBins.FromIndex(index, bins);
                    var current = NumericSample.FromValues(b);
                    current.Tally = tally;
                    var expected = fitted.CountSorted(Sorted(b));
                    if (fitted.TryCountFromTally(current) is { } counts)
                    {
                        Assert.Equal(expected, counts);
                        fromTally++;
                    }

                    Assert.Equal(expected, fitted.Count(current));
                }
            }
        }

        output.WriteLine($"{kind}: {fromTally} bin counts taken from a KS tally, all equal to the merge walk's");
    }

    [Theory]
    [InlineData("normal", 200_000)]
    [InlineData("cauchy", 200_000)]
    [InlineData("integers", 200_000)]
    [InlineData("outlier", 100_000)]
    [InlineData("mixed-scales", 100_000)]
    [InlineData("signed-zeros", 50_000)]
    public void KsAndPsi_LargeSamplesThroughPublicApi_EqualSortedWalkBitForBit(string kind, int n)
    {
        var random = new Random(n + kind.Length);
        var (a, b) = Generate(kind, random, n, n - 12_345);
        var reference = NumericSample.FromValues(a);
        var current = NumericSample.FromValues(b);
        double ks = new KsTest().Fit(reference).Evaluate(current, 0.05).Statistic;
        double psi = new PsiTest().Fit(reference).Evaluate(current, 0.2).Statistic;

        Assert.False(reference.HasSortedValues, "KS and PSI must not sort an exact sample");
        Assert.False(current.HasSortedValues, "KS and PSI must not sort an exact sample");
        var (sortedA, sortedB) = (Sorted(a), Sorted(b));
        var (expectedKs, _) = KolmogorovSmirnov.StatisticAndPValue(KolmogorovSmirnov.SortedWalkStatistic(sortedA, sortedB), sortedA.Count, sortedB.Count);
        var bins = QuantileBins.FromSorted(sortedA, QuantileBins.DefaultBinCount);
        double expectedPsi = Psi.FromCounts(bins.CountSorted(sortedA), bins.CountSorted(sortedB));
        Assert.Equal(Bits(expectedKs), Bits(ks));
        Assert.Equal(Bits(expectedPsi), Bits(psi));
        output.WriteLine($"{kind} n={n}: KS {ks:R}, PSI {psi:R}, identical to the merge walk");
    }

    [Theory]
    [InlineData("cauchy", true)]
    [InlineData("outlier", true)]
    [InlineData("normal", false)]
    [InlineData("integers", false)]
    public void TryBuildOver_HeavyTails_BucketsTheBulkOnlyAndKsAndBinsStayExact(string kind, bool narrowed)
    {
        var random = new Random(kind.Length);
        var (a, b) = Generate(kind, random, 20_000, 15_000);
        var index = BucketIndex.TryBuildOver(a, a.Min(), a.Max(), IsIntegral(a));

        Assert.NotNull(index);
        Assert.Equal(narrowed, index.Min > a.Min() || index.Max < a.Max());
        // Narrowed, the sample's own tails fill the outer slots; otherwise nothing of it lies below the range.
        Assert.Equal(narrowed, index.CountIn(0) > 0 && index.CountIn(index.SlotCount - 1) > 0);
        Assert.Equal(Bits(OldKs(a, b)), Bits(BucketedKs.Statistic(index, b, IsIntegral(b), out var tally)));
        var (fitted, counts) = QuantileBins.FromIndex(index, QuantileBins.DefaultBinCount);
        var expected = QuantileBins.FromSorted(Sorted(a), QuantileBins.DefaultBinCount);
        AssertSameEdges(expected.Edges, fitted.Edges);
        Assert.Equal(expected.CountSorted(Sorted(a)), counts);
        var current = NumericSample.FromValues(b);
        current.Tally = tally;
        Assert.Equal(expected.CountSorted(Sorted(b)), fitted.Count(current));
        output.WriteLine($"{kind}: range [{a.Min():G4}, {a.Max():G4}], buckets over [{index.Min:G4}, {index.Max:G4}]");
    }

    [Property(Replay = Seed, MaxTest = 300)]
    public void KsStatistic_RandomTiesAndBucketCounts_EqualsSortedWalk(NonEmptyArray<int> xs, NonEmptyArray<int> ys, PositiveInt buckets)
    {
        var a = xs.Get.Select(x => x / 4.0).ToArray();
        var b = ys.Get.Select(y => y / 4.0).ToArray();
        int count = 1 + (buckets.Get % 300);
        double expected = OldKs(a, b);
        Assert.Equal(Bits(expected), Bits(NewKs(a, b, count) ?? expected));
    }

    [Property(Replay = Seed, MaxTest = 300)]
    public void QuantileBins_RandomTiesAndBucketCounts_EqualSortedWalk(NonEmptyArray<int> xs, PositiveInt buckets, PositiveInt bins)
    {
        var a = xs.Get.Select(x => x / 4.0).ToArray();
        int binCount = 1 + (bins.Get % 20);
        var reference = Sorted(a);
        var expected = QuantileBins.FromSorted(reference, binCount);
        if (Index(a, 1 + (buckets.Get % 300)) is { } index)
        {
            var (fitted, counts) = QuantileBins.FromIndex(index, binCount);
            AssertSameEdges(expected.Edges, fitted.Edges);
            Assert.Equal(expected.CountSorted(reference), counts);
        }
    }

    [Fact]
    public void Values_LargeSample_SortedLikeArraySortAndMomentsUnchanged()
    {
        var random = new Random(5);
        var values = Enumerable.Range(0, 50_000).Select(_ => Math.Round(random.NextDouble() * 1000, 1) - 300).ToArray();
        var sample = NumericSample.FromValues(values);
        Assert.False(sample.HasSortedValues);
        _ = KolmogorovSmirnov.Statistic(sample, NumericSample.FromValues([1.0, 2.0]));
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);

        Assert.Equal(sorted, sample.Values.ToArray());
        Assert.True(sample.HasSortedValues);
        double mean = sorted.Sum() / sorted.Length;
        double variance = sorted.Sum(v => (v - mean) * (v - mean)) / sorted.Length;
        Assert.Equal(Bits(mean), Bits(sample.Mean));
        Assert.Equal(Bits(variance), Bits(sample.Variance));
    }

    [Fact]
    public void FromValues_NonFiniteAmongVectorsAndTail_DroppedAndCounted()
    {
        double[] values = [1, double.NaN, 3, 4, 5, 6, double.PositiveInfinity, 8, 9, double.NegativeInfinity, 11];
        var sample = NumericSample.FromValues(values);

        Assert.Equal(8, sample.Count);
        Assert.Equal(3, sample.NonFiniteCount);
        Assert.Equal([1.0, 3, 4, 5, 6, 8, 9, 11], sample.Values.ToArray());
        Assert.Equal(1, sample.Min);
        Assert.Equal(11, sample.Max);
    }

    [Fact]
    public void SharedReference_EvaluatedFromManyThreads_GivesTheSameResults()
    {
        var random = new Random(9);
        var (a, _) = Generate("normal", random, 100_000, 1);
        var currents = Enumerable.Range(0, 8).Select(i => Generate(i % 2 == 0 ? "shifted" : "integers", new Random(i), 20_000, 30_000).Current).ToArray();
        var expected = currents.Select(c => OldKs(a, c)).ToArray();
        var reference = NumericSample.FromValues(a);
        var ks = new KsTest().Fit(reference);
        var psi = new PsiTest().Fit(reference);
        var actual = new double[currents.Length];
        Parallel.For(0, currents.Length, i =>
        {
            var current = NumericSample.FromValues(currents[i]);
            actual[i] = KolmogorovSmirnov.Statistic(reference, current);
            _ = psi.Evaluate(current, 0.2);
        });

        Assert.Equal(expected.Select(Bits), actual.Select(Bits));
        Assert.Equal(
            expected.Select(e => Bits(KolmogorovSmirnov.StatisticAndPValue(e, 100_000, 30_000).Statistic)).First(),
            Bits(ks.Evaluate(NumericSample.FromValues(currents[0]), 0.05).Statistic));
    }

    [Fact]
    public void Index_ConstantOrTinySample_NotBuilt()
    {
        Assert.Null(NumericSample.FromValues(Enumerable.Repeat(2.5, 10_000).ToArray()).Index);
        Assert.Null(NumericSample.FromValues([1.0, 2.0, 3.0]).Index);
        Assert.Null(NumericSample.FromValues(Enumerable.Range(0, 3000).Select(i => i % 2 == 0 ? -1e308 : 1e308).ToArray()).Index);
        Assert.NotNull(NumericSample.FromValues(Enumerable.Range(0, NumericSample.IndexThreshold).Select(i => (double)i).ToArray()).Index);
    }

    private static double OldKs(double[] a, double[] b) => KolmogorovSmirnov.SortedWalkStatistic(Sorted(a), Sorted(b));

    private static double? NewKs(double[] a, double[] b, int buckets) =>
        Index(a, buckets) is { } index ? BucketedKs.Statistic(index, b) : null;

    private static BucketIndex? Index(double[] values, int buckets) =>
        BucketIndex.TryBuild(values, values.Min(), values.Max(), buckets);

    private static NumericSample Sorted(double[] values)
    {
        var sample = NumericSample.FromValues(values);
        _ = sample.Values;
        return sample;
    }

    private static long Bits(double x) => BitConverter.DoubleToInt64Bits(x);

    private static bool IsIntegral(double[] values) => values.All(x => x == Math.Floor(x));

    // Array.Sort leaves −0.0 and 0.0 in no defined order, so an edge at zero may carry either sign on either path.
    private static void AssertSameEdges(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(expected[i] == actual[i] && (expected[i] != 0 || actual[i] == 0), $"edge {i}: {expected[i]:R} vs {actual[i]:R}");
        }
    }

    private static (double[] Reference, double[] Current) Generate(string kind, Random random, int n, int m)
    {
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        double[] Make(int count, Func<int, double> f) => Enumerable.Range(0, count).Select(f).ToArray();
        return kind switch
        {
            "normal" => (Make(n, _ => Normal()), Make(m, _ => Normal())),
            "shifted" => (Make(n, _ => Normal()), Make(m, _ => (Normal() * 1.1) + 0.2)),
            "cauchy" => (Make(n, _ => Math.Tan(Math.PI * (random.NextDouble() - 0.5))), Make(m, _ => Math.Tan(Math.PI * (random.NextDouble() - 0.5)) * 1.3)),
            "integers" => (Make(n, _ => random.Next(0, 50)), Make(m, _ => random.Next(0, 51))),
            "few-integers" => (Make(n, _ => random.Next(0, 3)), Make(m, _ => random.Next(1, 4))),
            "all-equal" => (Make(n, _ => 7.25), Make(m, _ => 7.25)),
            "reference-constant" => (Make(n, _ => 1.5), Make(m, _ => random.Next(0, 4) * 0.5)),
            "current-constant" => (Make(n, _ => random.Next(0, 4) * 0.5), Make(m, _ => 1.0)),
            "disjoint-above" => (Make(n, _ => random.NextDouble()), Make(m, _ => 2 + random.NextDouble())),
            "disjoint-below" => (Make(n, _ => random.NextDouble()), Make(m, _ => -5 - random.NextDouble())),
            "touching" => (Make(n, _ => random.Next(0, 10)), Make(m, _ => 9 + random.Next(0, 10))),
            "integers-below" => (Make(n, _ => random.Next(5, 15)), Make(m, _ => random.Next(-3, 9))),
            "huge" => (Make(n, _ => (random.NextDouble() - 0.5) * 2e300), Make(m, _ => random.Next(0, 3) switch { 0 => -1e300, 1 => 1e300, _ => random.NextDouble() })),
            "signed-zeros" => (Make(n, _ => random.Next(0, 4) switch { 0 => -0.0, 1 => 0.0, 2 => 1.0, _ => -1.0 }), Make(m, _ => random.Next(0, 3) switch { 0 => -0.0, 1 => 0.0, _ => random.NextDouble() - 0.5 })),
            "subnormals" => (Make(n, i => i % 20 == 3 ? 1e-300 : double.Epsilon * random.Next(-20, 20)), Make(m, i => i % 15 == 4 ? -1e-300 : double.Epsilon * random.Next(-10, 30))),
            "subnormals-only" => (Make(n, _ => double.Epsilon * random.Next(-20, 20)), Make(m, _ => double.Epsilon * random.Next(-10, 30))),
            "outlier" => (Make(n, i => i == 0 ? 1e300 : Normal()), Make(m, i => i == 1 ? -1e299 : Normal() + 0.05)),
            "quarters" => (Make(n, _ => random.Next(-40, 40) / 4.0), Make(m, _ => random.Next(-30, 50) / 4.0)),
            "mixed-scales" => (Make(n, _ => Normal() * Math.Pow(10, random.Next(-8, 8))), Make(m, _ => Normal() * Math.Pow(10, random.Next(-8, 9)))),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown kind"),
        };
    }
}
