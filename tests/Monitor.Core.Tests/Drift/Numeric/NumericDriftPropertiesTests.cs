using FsCheck;
using FsCheck.Xunit;
using Monitor.Core.Drift;
using Monitor.Core.Drift.Numeric;
using Monitor.Core.Tests.Support;

namespace Monitor.Core.Tests.Drift.Numeric;

/// <summary>Properties every numeric drift test must have, on random samples with many ties (quarters of integers).</summary>
public sealed class NumericDriftPropertiesTests
{
    // A fixed seed keeps the properties deterministic; change it locally to explore other samples.
    private const string Seed = "20261128,20261129";

    private static readonly INumericDriftTest[] Binned =
        [new PsiTest(), new JensenShannonTest(), new HellingerTest(), new KlDivergenceTest(), new PsiTest(bins: 4)];

    private static readonly INumericDriftTest[] Symmetric =
        [new KsTest(), new WassersteinTest(), new EnergyDistanceTest(), new AndersonDarlingTest(), new CramerVonMisesTest()];

    private static INumericDriftTest[] All =>
    [
        new PsiTest(), new KsTest(), new WassersteinTest(), new WassersteinTest(normalized: true), new JensenShannonTest(),
        new HellingerTest(), new KlDivergenceTest(), new AndersonDarlingTest(), new CramerVonMisesTest(), new EnergyDistanceTest(),
    ];

    /// <summary>At least two values, so every test (Cramér–von Mises needs 2 per side, Anderson–Darling 4 in total) applies.</summary>
    private static double[] Values(NonEmptyArray<int> xs)
    {
        var v = xs.Get.Select(x => x / 4.0).ToArray();
        return v.Length >= 2 ? v : [v[0], v[0] + 0.25];
    }

    private static NumericSample Sample(NonEmptyArray<int> xs) => NumericSample.FromValues(Values(xs));

    [Property(Replay = Seed)]
    public void BinnedTests_SameSample_GiveExactlyZero(NonEmptyArray<int> xs)
    {
        var x = Sample(xs);
        foreach (var test in Binned)
        {
            var result = test.Fit(x).Evaluate(x, test.DefaultThreshold);
            Assert.Equal(0, result.Statistic);
            Assert.False(result.Drifted, test.Name);
        }
    }

    [Property(Replay = Seed)]
    public void SampleTests_SameSample_GiveNoDrift(NonEmptyArray<int> xs)
    {
        var x = Sample(xs);
        foreach (var test in new INumericDriftTest[] { new KsTest(), new WassersteinTest(), new WassersteinTest(normalized: true), new EnergyDistanceTest() })
        {
            var result = test.Fit(x).Evaluate(x, test.DefaultThreshold);
            Assert.Equal(0, result.Statistic);
            Assert.False(result.Drifted, test.Name);
        }

        Assert.Equal(1.0, new KsTest().Fit(x).Evaluate(x, 0.05).PValue);
    }

    [Property(Replay = Seed)]
    public void Psi_AnyPair_IsFiniteAndNonNegative(NonEmptyArray<int> reference, NonEmptyArray<int> current, PositiveInt bins)
    {
        var test = new PsiTest(1 + (bins.Get % 30));
        double psi = test.Fit(Sample(reference)).Evaluate(Sample(current), 0.2).Statistic;
        Assert.True(psi >= 0 && double.IsFinite(psi), $"PSI {psi}");
    }

    [Property(Replay = Seed)]
    public void BoundedStatistics_AnyPair_LieInZeroOne(NonEmptyArray<int> reference, NonEmptyArray<int> current)
    {
        var r = Sample(reference);
        var c = Sample(current);
        foreach (var test in new INumericDriftTest[] { new JensenShannonTest(), new HellingerTest(), new KsTest() })
        {
            double d = test.Fit(r).Evaluate(c, test.DefaultThreshold).Statistic;
            Assert.True(d is >= 0 and <= 1, $"{test.Name} {d}");
        }

        double kl = new KlDivergenceTest().Fit(r).Evaluate(c, 0.1).Statistic;
        Assert.True(kl >= 0 && double.IsFinite(kl), $"KL {kl}");
    }

    [Property(Replay = Seed)]
    public void PValueTests_AnyPair_GivePValuesInZeroOne(NonEmptyArray<int> reference, NonEmptyArray<int> current)
    {
        var r = Sample(reference);
        var c = Sample(current);
        foreach (var test in All.Where(t => t.ThresholdKind == ThresholdKind.PValueBelow))
        {
            var result = test.Fit(r).Evaluate(c, test.DefaultThreshold);
            Assert.True(result.PValue is >= 0 and <= 1, $"{test.Name} p {result.PValue}");
            Assert.True(double.IsFinite(result.Statistic), $"{test.Name} {result.Statistic}");
        }
    }

    [Property(Replay = Seed)]
    public void SymmetricTests_SwappedSamples_GiveTheSameResult(NonEmptyArray<int> a, NonEmptyArray<int> b)
    {
        var x = Sample(a);
        var y = Sample(b);
        foreach (var test in Symmetric)
        {
            var xy = test.Fit(x).Evaluate(y, test.DefaultThreshold);
            var yx = test.Fit(y).Evaluate(x, test.DefaultThreshold);
            Tolerance.Close(xy.Statistic, yx.Statistic, rel: 1e-12, abs: 1e-15, what: test.Name + " statistic");
            Tolerance.Close(xy.PValue ?? -1, yx.PValue ?? -1, rel: 1e-12, abs: 1e-15, what: test.Name + " p-value");
        }
    }

    [Property(Replay = Seed)]
    public void AllTests_ShuffledInput_GiveTheSameResult(NonEmptyArray<int> a, NonEmptyArray<int> b, int seed)
    {
        var av = Values(a);
        var bv = Values(b);
        var shuffledA = (double[])av.Clone();
        var shuffledB = (double[])bv.Clone();
        var random = new Random(seed);
        random.Shuffle(shuffledA);
        random.Shuffle(shuffledB);
        foreach (var test in All)
        {
            var original = test.Fit(NumericSample.FromValues(av)).Evaluate(NumericSample.FromValues(bv), test.DefaultThreshold);
            var shuffled = test.Fit(NumericSample.FromValues(shuffledA)).Evaluate(NumericSample.FromValues(shuffledB), test.DefaultThreshold);
            Assert.Equal(original, shuffled);
        }
    }

    [Property(Replay = Seed)]
    public void AllTests_WeightedSample_EqualsExpandedSample(NonEmptyArray<int> a, NonEmptyArray<int> b, int[] weightSeeds)
    {
        var av = Values(a);
        var bv = Values(b);
        var aw = av.Select((_, i) => 1L + (uint)(weightSeeds.Length == 0 ? i : weightSeeds[i % weightSeeds.Length] + i) % 4).ToArray();
        var bw = bv.Select((_, i) => 1L + (uint)(weightSeeds.Length == 0 ? 2 * i : weightSeeds[(i + 1) % weightSeeds.Length] - i) % 3).ToArray();
        var weightedA = NumericSample.FromWeighted(av, aw);
        var weightedB = NumericSample.FromWeighted(bv, bw);
        var expandedA = NumericSample.FromValues(weightedA.Expand());
        var expandedB = NumericSample.FromValues(weightedB.Expand());
        foreach (var test in All)
        {
            var weighted = test.Fit(weightedA).Evaluate(weightedB, test.DefaultThreshold);
            var expanded = test.Fit(expandedA).Evaluate(expandedB, test.DefaultThreshold);
            Tolerance.Close(expanded.Statistic, weighted.Statistic, rel: 1e-12, abs: 1e-15, what: test.Name + " statistic");
            Tolerance.Close(expanded.PValue ?? -1, weighted.PValue ?? -1, rel: 1e-12, abs: 1e-15, what: test.Name + " p-value");
            Assert.Equal(expanded.Drifted, weighted.Drifted);
        }
    }

    [Property(Replay = Seed)]
    public void QuantileBins_WeightedReference_EqualsExpandedReference(NonEmptyArray<int> a, PositiveInt bins)
    {
        var av = Values(a);
        var weights = av.Select((_, i) => 1L + (i % 3)).ToArray();
        var weighted = NumericSample.FromWeighted(av, weights);
        var expanded = NumericSample.FromValues(weighted.Expand());
        int b = 1 + (bins.Get % 25);
        var fromWeighted = QuantileBins.FromReference(weighted, b);
        var fromExpanded = QuantileBins.FromReference(expanded, b);
        Assert.Equal(fromExpanded.Edges.ToArray(), fromWeighted.Edges.ToArray());
        Assert.Equal(fromExpanded.Count(expanded), fromWeighted.Count(weighted));
        Assert.True(fromWeighted.BinCount <= Math.Max(b, 2));
    }

    [Property(Replay = Seed)]
    public void QuantileBins_Count_AgreesWithBinOf(NonEmptyArray<int> reference, NonEmptyArray<int> current)
    {
        var bins = QuantileBins.FromReference(Sample(reference));
        var c = Sample(current);
        var expected = new long[bins.BinCount];
        foreach (double v in c.Values)
        {
            expected[bins.BinOf(v)]++;
        }

        Assert.Equal(expected, bins.Count(c));
    }
}
