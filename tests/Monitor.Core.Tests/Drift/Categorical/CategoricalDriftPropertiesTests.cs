using FsCheck;
using FsCheck.Xunit;
using Monitor.Core.Drift;
using Monitor.Core.Drift.Categorical;

namespace Monitor.Core.Tests.Drift.Categorical;

/// <summary>Properties every categorical statistic must have, on random count tables.</summary>
public sealed class CategoricalDriftPropertiesTests
{
    private static readonly ICategoricalDriftTest[] Distances =
        [new CategoricalJensenShannonTest(), new CategoricalHellingerTest(), new LInfinityTest()];

    private static readonly ICategoricalDriftTest[] Symmetric =
        [new ChiSquareTest(), new CategoricalPsiTest(), new CategoricalJensenShannonTest(), new CategoricalHellingerTest(), new LInfinityTest()];

    private static readonly ICategoricalDriftTest[] All =
    [
        new ChiSquareTest(), new CategoricalPsiTest(), new CategoricalJensenShannonTest(), new CategoricalHellingerTest(),
        new CategoricalKlDivergenceTest(), new LInfinityTest(), new ZTestProportions(),
    ];

    [Property]
    public void AllTests_SameDistribution_GiveZeroAndNoDrift(NonEmptyArray<PositiveInt> counts)
    {
        var x = Reference(counts);
        foreach (var test in All)
        {
            var result = test.Fit(x).Evaluate(x, test.DefaultThreshold);
            Assert.Equal(0, result.Statistic);
            Assert.False(result.Drifted, test.Name);
            if (test.ThresholdKind == ThresholdKind.PValueBelow)
            {
                Assert.Equal(1, result.PValue);
            }
        }
    }

    [Property]
    public void Psi_AnyPair_IsNonNegative(NonEmptyArray<PositiveInt> reference, NonEmptyArray<NonNegativeInt> current, PositiveInt bump, byte shift)
    {
        double psi = new CategoricalPsiTest().Fit(Reference(reference)).Evaluate(Current(current, bump, shift), 0.2).Statistic;
        Assert.True(psi >= 0 && double.IsFinite(psi), $"PSI {psi}");
    }

    [Property]
    public void KlDivergence_AnyPair_IsFiniteAndNonNegative(NonEmptyArray<PositiveInt> reference, NonEmptyArray<NonNegativeInt> current, PositiveInt bump, byte shift)
    {
        double kl = new CategoricalKlDivergenceTest().Fit(Reference(reference)).Evaluate(Current(current, bump, shift), 0.1).Statistic;
        Assert.True(kl >= 0 && double.IsFinite(kl), $"KL {kl}");
    }

    [Property]
    public void BoundedDistances_AnyPair_LieInZeroOne(NonEmptyArray<PositiveInt> reference, NonEmptyArray<NonNegativeInt> current, PositiveInt bump, byte shift)
    {
        var r = Reference(reference);
        var c = Current(current, bump, shift);
        foreach (var test in Distances)
        {
            double d = test.Fit(r).Evaluate(c, test.DefaultThreshold).Statistic;
            Assert.True(d is >= 0 and <= 1, $"{test.Name} {d}");
        }
    }

    [Property]
    public void PValueTests_AnyPair_GivePValuesInZeroOne(NonEmptyArray<PositiveInt> reference, NonEmptyArray<NonNegativeInt> current, PositiveInt bump, byte shift)
    {
        var r = Reference(reference);
        var c = Current(current, bump, shift);
        foreach (var test in new ICategoricalDriftTest[] { new ChiSquareTest(), new ZTestProportions() })
        {
            var result = test.Fit(r).Evaluate(c, test.DefaultThreshold);
            Assert.True(result.PValue is >= 0 and <= 1, $"{test.Name} p {result.PValue}");
            Assert.True(double.IsFinite(result.Statistic), $"{test.Name} {result.Statistic}");
        }
    }

    [Property]
    public void SymmetricTests_SwappedWindows_GiveTheSameStatistic(NonEmptyArray<PositiveInt> reference, NonEmptyArray<NonNegativeInt> current, PositiveInt bump, byte shift)
    {
        var r = Reference(reference);
        var c = Current(current, bump, shift);
        foreach (var test in Symmetric)
        {
            double forward = test.Fit(r).Evaluate(c, test.DefaultThreshold).Statistic;
            double backward = test.Fit(c).Evaluate(r, test.DefaultThreshold).Statistic;
            Assert.True(Math.Abs(forward - backward) <= 1e-12 * Math.Max(1, Math.Abs(forward)), $"{test.Name}: {forward} vs {backward}");
        }
    }

    [Property]
    public void AllTests_CategoryInsertionOrder_DoesNotChangeTheResult(NonEmptyArray<PositiveInt> reference, NonEmptyArray<NonNegativeInt> current, PositiveInt bump, byte shift, int seed)
    {
        var r = Reference(reference);
        var c = Current(current, bump, shift);
        var rShuffled = Shuffled(r, seed);
        var cShuffled = Shuffled(c, seed + 1);
        foreach (var test in All)
        {
            var expected = test.Fit(r).Evaluate(c, test.DefaultThreshold);
            var actual = test.Fit(rShuffled).Evaluate(cShuffled, test.DefaultThreshold);
            Assert.Equal(expected, actual);
        }
    }

    [Property]
    public void ProportionTests_CountsScaledAlike_GiveTheSameStatistic(NonEmptyArray<PositiveInt> reference, NonEmptyArray<NonNegativeInt> current, PositiveInt bump, byte shift, byte factor)
    {
        long k = factor + 2;
        var r = Reference(reference);
        var c = Current(current, bump, shift);
        foreach (var test in new ICategoricalDriftTest[] { new CategoricalPsiTest(), new CategoricalJensenShannonTest(), new CategoricalHellingerTest(), new CategoricalKlDivergenceTest(), new LInfinityTest() })
        {
            double expected = test.Fit(r).Evaluate(c, test.DefaultThreshold).Statistic;
            double actual = test.Fit(Scaled(r, k)).Evaluate(Scaled(c, k), test.DefaultThreshold).Statistic;
            Assert.Equal(expected, actual);
        }
    }

    [Property]
    public void ChiSquare_TwoCategories_EqualsZSquared(PositiveInt a, NonNegativeInt b, NonNegativeInt c, PositiveInt d)
    {
        var r = CategoricalDriftTestsTests.Dist(("x", a.Get), ("y", b.Get));
        var cur = CategoricalDriftTestsTests.Dist(("x", c.Get), ("y", d.Get));
        var chi = new ChiSquareTest().Fit(r).Evaluate(cur, 0.05);
        var z = new ZTestProportions().Fit(r).Evaluate(cur, 0.05);
        Assert.True(Math.Abs(chi.Statistic - (z.Statistic * z.Statistic)) <= 1e-9 * Math.Max(1, chi.Statistic), $"{chi.Statistic} vs z² {z.Statistic * z.Statistic}");
        Assert.True(Math.Abs(chi.PValue!.Value - z.PValue!.Value) <= 1e-9, $"{chi.PValue} vs {z.PValue}");
    }

    [Property]
    public void UnseenShare_AnyPair_LiesInZeroOneAndIsZeroAgainstItself(NonEmptyArray<PositiveInt> reference, NonEmptyArray<NonNegativeInt> current, PositiveInt bump, byte shift)
    {
        var r = Reference(reference);
        var c = Current(current, bump, shift);
        double share = CategoricalComparison.UnseenShare(r, c);
        Assert.True(share is >= 0 and <= 1, $"{share}");
        Assert.Equal(0, CategoricalComparison.UnseenShare(c, c));
        var (_, _, aligned) = CategoricalDistribution.Align(r, c, out int unseen);
        Assert.Equal(unseen == 0, share == 0);
        Assert.Equal(c.Total, Sum(aligned));
    }

    private static CategoricalDistribution Reference(NonEmptyArray<PositiveInt> counts)
    {
        var list = new List<KeyValuePair<string, long>>();
        for (int i = 0; i < counts.Get.Length; i++)
        {
            list.Add(new($"c{i}", counts.Get[i].Get));
        }

        return CategoricalDistribution.FromCounts(list);
    }

    // The current window's names are shifted against the reference's, so some categories are unseen and some
    // missing; the bump keeps it non-empty; one shift in four renames the first category "__other__".
    private static CategoricalDistribution Current(NonEmptyArray<NonNegativeInt> counts, PositiveInt bump, byte shift)
    {
        int offset = shift % 4;
        var list = new List<KeyValuePair<string, long>>();
        for (int i = 0; i < counts.Get.Length; i++)
        {
            long count = counts.Get[i].Get + (i == 0 ? (long)bump.Get : 0);
            string name = offset == 3 && i == 0 ? CategoricalDistribution.OtherCategory : $"c{i + offset}";
            list.Add(new(name, count));
        }

        return CategoricalDistribution.FromCounts(list);
    }

    private static CategoricalDistribution Shuffled(CategoricalDistribution d, int seed)
    {
        var list = d.Counts.ToList();
        new Random(seed).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list));
        return CategoricalDistribution.FromCounts(list);
    }

    private static CategoricalDistribution Scaled(CategoricalDistribution d, long k) =>
        CategoricalDistribution.FromCounts(d.Counts.Select(p => new KeyValuePair<string, long>(p.Key, p.Value * k)));

    private static long Sum(long[] counts)
    {
        long total = 0;
        foreach (long c in counts)
        {
            total += c;
        }

        return total;
    }
}
