using Monitor.Core.Drift;
using Monitor.Core.Drift.Categorical;

namespace Monitor.Core.Tests.Drift.Categorical;

public sealed class CategoricalDriftTestsTests
{
    public static TheoryData<string, ThresholdKind, double> Registered => new()
    {
        { "chisquare", ThresholdKind.PValueBelow, 0.05 },
        { "psi", ThresholdKind.StatisticAbove, 0.2 },
        { "jensenshannon", ThresholdKind.StatisticAbove, 0.1 },
        { "hellinger", ThresholdKind.StatisticAbove, 0.1 },
        { "kl", ThresholdKind.StatisticAbove, 0.1 },
        { "linf", ThresholdKind.StatisticAbove, 0.1 },
        { "ztest", ThresholdKind.PValueBelow, 0.05 },
    };

    [Theory]
    [MemberData(nameof(Registered))]
    public void DefaultRegistry_CategoricalTest_HasNameKindAndDefaultThreshold(string name, ThresholdKind kind, double threshold)
    {
        Assert.True(DriftTestRegistry.Default.TryGetCategorical(name, out var test));
        Assert.Equal(name, test.Name);
        Assert.Equal(FeatureKind.Categorical, test.Kind);
        Assert.Equal(kind, test.ThresholdKind);
        Assert.Equal(threshold, test.DefaultThreshold);
    }

    public static TheoryData<string> Names => ["chisquare", "psi", "jensenshannon", "hellinger", "kl", "linf", "ztest"];

    [Theory]
    [InlineData(100, 200, 2, "ztest")]
    [InlineData(1000, 50, 1, "ztest")]
    [InlineData(100, 200, 3, "chisquare")]
    [InlineData(5000, 1000, 40, "chisquare")]
    [InlineData(5000, 1001, 2, "jensenshannon")]
    [InlineData(1_000_000, 2_000_000, 40, "jensenshannon")]
    public void DefaultCategorical_BySizeAndCategories_PicksTheDocumentedTest(long referenceCount, long currentCount, int categories, string expected)
    {
        Assert.Equal(expected, DriftTestRegistry.Default.DefaultCategorical(referenceCount, currentCount, categories).Name);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Fit_EmptyReference_Throws(string name)
    {
        var test = Get(name);
        Assert.Throws<ArgumentException>(() => test.Fit(Dist()));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Evaluate_EmptyCurrent_Throws(string name)
    {
        var test = Get(name);
        var detector = test.Fit(Dist(("a", 3), ("b", 4)));
        Assert.Throws<ArgumentException>(() => detector.Evaluate(Dist(), test.DefaultThreshold));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Evaluate_NaNThreshold_Throws(string name)
    {
        var detector = Get(name).Fit(Dist(("a", 3), ("b", 4)));
        Assert.Throws<ArgumentOutOfRangeException>(() => detector.Evaluate(Dist(("a", 1)), double.NaN));
    }

    [Theory]
    [MemberData(nameof(Registered))]
    public void Evaluate_IdenticalDistributions_DoesNotDrift(string name, ThresholdKind kind, double threshold)
    {
        var reference = Dist(("a", 30), ("b", 50), (CategoricalDistribution.OtherCategory, 20));
        var result = Get(name).Fit(reference).Evaluate(Dist(("a", 300), ("b", 500), (CategoricalDistribution.OtherCategory, 200)), threshold);
        Assert.Equal(name, result.Test);
        Assert.Equal(kind, result.ThresholdKind);
        Assert.Equal(threshold, result.Threshold);
        Assert.False(result.Drifted);
        Assert.Equal(0, result.Statistic);
        Assert.Equal(kind == ThresholdKind.PValueBelow ? 1.0 : null, result.PValue);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Evaluate_LargeShift_Drifts(string name)
    {
        var test = Get(name);
        var reference = Dist(("a", 500), ("b", 300), ("c", 200));
        var result = test.Fit(reference).Evaluate(Dist(("a", 200), ("b", 300), ("c", 300), ("new", 200)), test.DefaultThreshold);
        Assert.True(result.Drifted, $"{name} gave {result.Statistic} (p {result.PValue})");
    }

    [Fact]
    public void ChiSquare_SingleCategory_IsZeroWithPValueOne()
    {
        var result = new ChiSquareTest().Fit(Dist(("only", 10))).Evaluate(Dist(("only", 1000)), 0.05);
        Assert.Equal(0, result.Statistic);
        Assert.Equal(1, result.PValue);
        Assert.False(result.Drifted);
    }

    [Fact]
    public void ChiSquare_TwoCategories_EqualsZSquaredOfZTest()
    {
        var reference = Dist(("yes", 412), ("no", 588));
        var current = Dist(("yes", 371), ("no", 629));
        var chi = new ChiSquareTest().Fit(reference).Evaluate(current, 0.05);
        var z = new ZTestProportions().Fit(reference).Evaluate(current, 0.05);
        Assert.Equal(z.Statistic * z.Statistic, chi.Statistic, 1e-12);
        Assert.Equal(z.PValue!.Value, chi.PValue!.Value, 1e-12);
    }

    [Fact]
    public void ChiSquare_TwoCategories_UsesNoYatesCorrection()
    {
        // scipy chi2_contingency([[10, 20], [20, 10]], correction=False): 6.666666666666667; with Yates 5.4.
        var result = new ChiSquareTest().Fit(Dist(("a", 10), ("b", 20))).Evaluate(Dist(("a", 20), ("b", 10)), 0.05);
        Assert.Equal(20.0 / 3.0, result.Statistic, 1e-12);
    }

    [Fact]
    public void ZTest_TiedReferenceCounts_TracksOrdinalFirstCategory()
    {
        var detector = (ZTestProportionsDetector)new ZTestProportions().Fit(Dist(("b", 7), ("a", 7), ("B", 7), ("c", 2)));
        Assert.Equal("B", detector.Category);
    }

    [Fact]
    public void ZTest_ExplicitCategory_TracksThatCategory()
    {
        var detector = (ZTestProportionsDetector)new ZTestProportions("fraud").Fit(Dist(("ok", 990), ("fraud", 10)));
        Assert.Equal("fraud", detector.Category);
        var result = detector.Evaluate(Dist(("ok", 950), ("fraud", 50)), 0.05);
        Assert.True(result.Statistic < 0, "the share rose, so z = p_ref − p_cur is negative");
        Assert.True(result.Drifted);
    }

    [Fact]
    public void ZTest_BothWindowsEntirelyTheCategory_IsZeroWithPValueOne()
    {
        var result = new ZTestProportions().Fit(Dist(("a", 40))).Evaluate(Dist(("a", 7)), 0.05);
        Assert.Equal(0, result.Statistic);
        Assert.Equal(1, result.PValue);
        Assert.False(result.Drifted);
    }

    [Fact]
    public void ZTest_CategoryAbsentFromBothWindows_IsZeroWithPValueOne()
    {
        var result = new ZTestProportions("x").Fit(Dist(("a", 40))).Evaluate(Dist(("b", 7)), 0.05);
        Assert.Equal(0, result.Statistic);
        Assert.Equal(1, result.PValue);
    }

    [Fact]
    public void ZTest_UnseenCategories_LowerTheTrackedShare()
    {
        var detector = new ZTestProportions().Fit(Dist(("a", 500), ("b", 500)));
        var result = detector.Evaluate(Dist(("a", 300), ("b", 300), ("new", 400)), 0.05);
        Assert.True(result.Statistic > 0);
        Assert.True(result.Drifted);
    }

    [Fact]
    public void Psi_UnseenCategory_UsesTheEpsilonFloor()
    {
        // One unseen category with share 0.5: terms (0.5 − 1e-4)·ln(0.5/1e-4) for "new" and (0.5 − 1)·ln(0.5/1) for "a".
        double expected = ((0.5 - 1e-4) * Math.Log(0.5 / 1e-4)) + ((0.5 - 1) * Math.Log(0.5));
        var result = new CategoricalPsiTest().Fit(Dist(("a", 10))).Evaluate(Dist(("a", 5), ("new", 5)), 0.2);
        Assert.Equal(expected, result.Statistic, 1e-12);
        Assert.Equal(1e-4, CategoricalPsiTest.Epsilon);
        Assert.Equal(CategoricalPsiTest.Epsilon, CategoricalKlDivergenceTest.Epsilon);
    }

    [Fact]
    public void Distances_DisjointSupports_AreOne()
    {
        var reference = Dist(("a", 3), ("b", 9));
        var current = Dist(("c", 5));
        Assert.Equal(1.0, new CategoricalJensenShannonTest().Fit(reference).Evaluate(current, 0.1).Statistic, 1e-15);
        Assert.Equal(1.0, new CategoricalHellingerTest().Fit(reference).Evaluate(current, 0.1).Statistic, 1e-15);
        // Disjoint supports: L-infinity is the largest share on either side.
        Assert.Equal(1.0, new LInfinityTest().Fit(reference).Evaluate(current, 0.1).Statistic);
        Assert.Equal(0.75, new LInfinityTest().Fit(reference).Evaluate(Dist(("c", 2), ("d", 2)), 0.1).Statistic);
    }

    [Fact]
    public void KlDivergence_CategoryMissingFromCurrent_IsFinite()
    {
        var result = new CategoricalKlDivergenceTest().Fit(Dist(("a", 50), ("b", 50))).Evaluate(Dist(("a", 10)), 0.1);
        Assert.True(double.IsFinite(result.Statistic));
        Assert.True(result.Drifted);
    }

    [Fact]
    public void Evaluate_PValueThresholdAboveOne_Throws()
    {
        var detector = new ChiSquareTest().Fit(Dist(("a", 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => detector.Evaluate(Dist(("a", 1)), 1.5));
    }

    [Fact]
    public void Evaluate_NegativeDistanceThreshold_Throws()
    {
        var detector = new LInfinityTest().Fit(Dist(("a", 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => detector.Evaluate(Dist(("a", 1)), -0.1));
    }

    [Fact]
    public void UnseenShare_NewCategoriesInCurrent_IsTheirShare()
    {
        var reference = Dist(("a", 10), ("b", 5));
        var current = Dist(("a", 6), ("new", 3), ("newer", 1));
        Assert.Equal(4, CategoricalComparison.UnseenCount(reference, current));
        Assert.Equal(0.4, CategoricalComparison.UnseenShare(reference, current));
    }

    [Fact]
    public void UnseenShare_OtherBucketAbsentFromReference_CountsAsUnseen()
    {
        var reference = Dist(("a", 10));
        var current = Dist(("a", 3), (CategoricalDistribution.OtherCategory, 1));
        Assert.Equal(0.25, CategoricalComparison.UnseenShare(reference, current));
        Assert.Equal(0, CategoricalComparison.UnseenShare(current, reference));
    }

    [Fact]
    public void UnseenShare_EmptyCurrent_IsZero()
    {
        Assert.Equal(0, CategoricalComparison.UnseenShare(Dist(("a", 1)), Dist()));
    }

    [Fact]
    public void UnseenShare_NullArgument_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => CategoricalComparison.UnseenShare(null!, Dist()));
        Assert.Throws<ArgumentNullException>(() => CategoricalComparison.UnseenShare(Dist(), null!));
    }

    internal static CategoricalDistribution Dist(params (string Category, long Count)[] counts)
    {
        var list = new List<KeyValuePair<string, long>>(counts.Length);
        foreach (var (category, count) in counts)
        {
            list.Add(new(category, count));
        }

        return CategoricalDistribution.FromCounts(list);
    }

    private static ICategoricalDriftTest Get(string name) =>
        DriftTestRegistry.Default.TryGetCategorical(name, out var test) ? test : throw new InvalidOperationException(name);
}
