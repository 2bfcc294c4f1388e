using Monitor.Core.Drift;
using Monitor.Core.Drift.Numeric;

namespace Monitor.Core.Tests.Drift.Numeric;

public sealed class NumericDriftEdgeCaseTests
{
    private static readonly NumericSample Empty = NumericSample.FromValues([]);
    private static readonly NumericSample Five = NumericSample.FromValues([1.0, 2.0, 3.0, 4.0, 5.0]);

    public static TheoryData<string> NumericNames() => new(DriftTestRegistry.Default.NumericNames);

    private static INumericDriftTest Get(string name) =>
        DriftTestRegistry.Default.TryGetNumeric(name, out var test) ? test : throw new InvalidOperationException(name);

    [Theory]
    [MemberData(nameof(NumericNames))]
    public void Fit_EmptyReference_ThrowsArgumentExceptionNamingTheReference(string name)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => Get(name).Fit(Empty));
        Assert.Contains("reference sample is empty", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(NumericNames))]
    public void Evaluate_EmptyCurrent_ThrowsArgumentExceptionNamingTheCurrentSample(string name)
    {
        var detector = Get(name).Fit(Five);
        var ex = Assert.ThrowsAny<ArgumentException>(() => detector.Evaluate(Empty, 0.1));
        Assert.Contains("current sample is empty", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(NumericNames))]
    public void Evaluate_OnlyNonFiniteValues_IsTreatedAsEmpty(string name)
    {
        var detector = Get(name).Fit(Five);
        var current = NumericSample.FromValues([double.NaN, double.PositiveInfinity]);
        Assert.Equal(2, current.NonFiniteCount);
        Assert.ThrowsAny<ArgumentException>(() => detector.Evaluate(current, 0.1));
    }

    [Fact]
    public void Registry_Default_HoldsEveryNumericTestWithItsDefaults()
    {
        var expected = new Dictionary<string, (double Threshold, ThresholdKind Kind)>
        {
            ["psi"] = (0.2, ThresholdKind.StatisticAbove),
            ["ks"] = (0.05, ThresholdKind.PValueBelow),
            ["wasserstein"] = (0.1, ThresholdKind.StatisticAbove),
            ["wasserstein_norm"] = (0.1, ThresholdKind.StatisticAbove),
            ["jensenshannon"] = (0.1, ThresholdKind.StatisticAbove),
            ["hellinger"] = (0.1, ThresholdKind.StatisticAbove),
            ["kl"] = (0.1, ThresholdKind.StatisticAbove),
            ["anderson"] = (0.05, ThresholdKind.PValueBelow),
            ["cramervonmises"] = (0.05, ThresholdKind.PValueBelow),
            ["energy"] = (0.1, ThresholdKind.StatisticAbove),
        };
        foreach (var (name, (threshold, kind)) in expected)
        {
            var test = Get(name);
            Assert.Equal(name, test.Name);
            Assert.Equal(FeatureKind.Numeric, test.Kind);
            Assert.Equal(threshold, test.DefaultThreshold);
            Assert.Equal(kind, test.ThresholdKind);
        }

        Assert.Equal("ks", DriftTestRegistry.Default.DefaultNumeric(500, 1000).Name);
        Assert.Equal("wasserstein_norm", DriftTestRegistry.Default.DefaultNumeric(5000, 1001).Name);
    }

    [Fact]
    public void CramerVonMises_OneObservation_ThrowsArgumentException()
    {
        var single = NumericSample.FromValues([1.0]);
        Assert.Contains("at least 2", Assert.Throws<ArgumentException>(() => new CramerVonMisesTest().Fit(single)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new CramerVonMisesTest().Fit(Five).Evaluate(single, 0.05));
    }

    [Fact]
    public void AndersonDarling_FewerThanFourObservations_ThrowsArgumentException()
    {
        var two = NumericSample.FromValues([1.0, 2.0]);
        var one = NumericSample.FromValues([3.0]);
        Assert.Throws<ArgumentException>(() => new AndersonDarlingTest().Fit(two).Evaluate(one, 0.05));
    }

    [Fact]
    public void AndersonDarling_OneDistinctValue_ReportsNoEvidenceAtTheCap()
    {
        var constant = NumericSample.FromValues([2.0, 2.0, 2.0]);
        var result = new AndersonDarlingTest().Fit(constant).Evaluate(constant, 0.05);
        Assert.Equal(0, result.Statistic);
        Assert.Equal(0.25, result.PValue);
        Assert.False(result.Drifted);
    }

    [Fact]
    public void AndersonDarling_FarApartSamples_AreFlooredAtTheCapAndDrift()
    {
        var near = NumericSample.FromValues(Enumerable.Range(0, 30).Select(i => (double)i).ToArray());
        var far = NumericSample.FromValues(Enumerable.Range(100, 30).Select(i => (double)i).ToArray());
        var result = new AndersonDarlingTest().Fit(near).Evaluate(far, 0.05);
        Assert.Equal(0.001, result.PValue);
        Assert.True(result.Drifted);
    }

    [Fact]
    public void WassersteinNorm_ConstantReference_DividesByTheFloorInsteadOfZero()
    {
        var constant = NumericSample.FromValues([3.0, 3.0, 3.0]);
        var current = NumericSample.FromValues([3.5]);
        var raw = new WassersteinTest().Fit(constant).Evaluate(current, 0.1).Statistic;
        var normalized = new WassersteinTest(normalized: true).Fit(constant).Evaluate(current, 0.1).Statistic;
        Assert.Equal(0.5, raw, 15);
        Assert.Equal(500, normalized, 9);
    }

    [Fact]
    public void QuantileBins_DiscreteReference_DropsDuplicateEdges()
    {
        var reference = NumericSample.FromValues([0, 0, 0, 0, 0, 1, 1, 1, 2, 2]);
        var bins = QuantileBins.FromReference(reference, 10);
        Assert.Equal([0.0, 1.0, 2.0], bins.Edges.ToArray());
        Assert.Equal(4, bins.BinCount);
        Assert.Equal([5L, 3, 2, 0], bins.Count(reference));
    }

    [Fact]
    public void QuantileBins_ValuesBeyondTheReference_FallIntoTheOuterBinsAndEdgesAreRightClosed()
    {
        var bins = QuantileBins.FromEdges([1.0, 2.0, 3.0]);
        Assert.Equal(0, bins.BinOf(-1e300));
        Assert.Equal(0, bins.BinOf(1.0));
        Assert.Equal(1, bins.BinOf(1.0000001));
        Assert.Equal(1, bins.BinOf(2.0));
        Assert.Equal(3, bins.BinOf(3.5));
        Assert.Equal(3, bins.BinOf(1e300));
        Assert.Equal(3, bins.BinOf(double.PositiveInfinity));
        Assert.Throws<ArgumentException>(() => bins.BinOf(double.NaN));
    }

    [Fact]
    public void QuantileBins_ConstantReference_GivesTwoBins()
    {
        var bins = QuantileBins.FromReference(NumericSample.FromValues([4.0, 4.0, 4.0]), 10);
        Assert.Equal([4.0], bins.Edges.ToArray());
        var psi = new PsiTest().Fit(NumericSample.FromValues([4.0, 4.0, 4.0])).Evaluate(NumericSample.FromValues([5.0]), 0.2);
        Assert.True(psi.Drifted);
        Assert.True(double.IsFinite(psi.Statistic));
    }

    [Fact]
    public void QuantileBins_FromEdges_RejectsUnsortedOrNonFiniteEdges()
    {
        Assert.Throws<ArgumentException>(() => QuantileBins.FromEdges([1.0, 1.0]));
        Assert.Throws<ArgumentException>(() => QuantileBins.FromEdges([2.0, 1.0]));
        Assert.Throws<ArgumentException>(() => QuantileBins.FromEdges([double.NaN]));
        Assert.Equal(1, QuantileBins.FromEdges([]).BinCount);
    }

    [Fact]
    public void BinnedDetector_PersistedEdgesAndStreamingCounts_GiveTheSameResultAsTheSample()
    {
        var reference = NumericSample.FromValues(Enumerable.Range(0, 200).Select(i => Math.Sin(i) * 10).ToArray());
        var current = NumericSample.FromValues(Enumerable.Range(0, 150).Select(i => (Math.Cos(i) * 8) + 1).ToArray());
        var detector = Assert.IsType<BinnedDriftDetector>(new PsiTest().Fit(reference));
        var restored = QuantileBins.FromEdges(detector.Bins.Edges);
        var fromCounts = detector.Evaluate(restored.Count(current), 0.2);
        var fromSample = detector.Evaluate(current, 0.2);
        Assert.Equal(fromSample, fromCounts);
        Assert.Equal(Psi.FromCounts(detector.ReferenceCounts, restored.Count(current)), fromSample.Statistic);
        Assert.Equal(200, detector.ReferenceCounts.ToArray().Sum());
    }

    [Fact]
    public void Psi_FromCounts_EmptyBinsAreFlooredAtEpsilon()
    {
        // Reference all in bin 0, current all in bin 1: two bins at 1 vs 1e-4.
        double psi = Psi.FromCounts([10, 0], [0, 10]);
        double expected = 2 * (1 - 1e-4) * Math.Log(1 / 1e-4);
        Assert.Equal(expected, psi, 12);
    }

    [Fact]
    public void BinnedStatistics_MismatchedOrZeroCounts_Throw()
    {
        Assert.Throws<ArgumentException>(() => Psi.FromCounts([1, 2], [1, 2, 3]));
        Assert.Throws<ArgumentException>(() => Psi.FromCounts([0, 0], [1, 2]));
        Assert.Throws<ArgumentException>(() => BinnedDistance.JensenShannon([1, 2], [0, 0]));
        Assert.Throws<ArgumentException>(() => BinnedDistance.Hellinger([1, -1], [1, 1]));
    }

    [Fact]
    public void JensenShannon_DisjointBins_IsOne()
    {
        Assert.Equal(1.0, BinnedDistance.JensenShannon([5, 0], [0, 7]), 15);
        Assert.Equal(1.0, BinnedDistance.Hellinger([5, 0], [0, 7]), 15);
    }

    [Fact]
    public void KolmogorovSmirnov_PValue_HandlesTheEndsAndRejectsBadInput()
    {
        Assert.Equal(1.0, KolmogorovSmirnov.PValue(0, 5, 7));
        Assert.Equal(1.0, KolmogorovSmirnov.PValue(0, 50_000, 70_000));
        Assert.True(KolmogorovSmirnov.PValue(1, 50_000, 70_000) < 1e-300);
        Assert.Throws<ArgumentOutOfRangeException>(() => KolmogorovSmirnov.PValue(1.5, 5, 7));
        Assert.Throws<ArgumentOutOfRangeException>(() => KolmogorovSmirnov.PValue(double.NaN, 5, 7));
        Assert.Throws<ArgumentOutOfRangeException>(() => KolmogorovSmirnov.PValue(0.5, 0, 7));
    }

    [Fact]
    public void Ks_SketchSamples_ReportSketchModeWithTheSumOfRankErrors()
    {
        var reference = NumericSample.FromWeighted([1.0, 2.0, 3.0], [10, 10, 10], rankError: 0.01);
        var current = NumericSample.FromWeighted([1.5, 2.5], [15, 15], rankError: 0.02);
        var result = new KsTest().Fit(reference).Evaluate(current, 0.05);
        Assert.Equal(EstimateMode.Sketch, result.Mode);
        Assert.Equal(0.03, result.ErrorBound!.Value, 15);
        Assert.Equal(KolmogorovSmirnov.Statistic(reference, current), result.Statistic, 15);

        var wasserstein = new WassersteinTest().Fit(reference).Evaluate(current, 0.1);
        Assert.Equal(EstimateMode.Sketch, wasserstein.Mode);
        Assert.Null(wasserstein.ErrorBound);
        Assert.Equal(EstimateMode.Sketch, new PsiTest().Fit(reference).Evaluate(current, 0.2).Mode);
    }

    [Fact]
    public void Ks_ClearShift_DriftsAndExactSamplesReportExactMode()
    {
        var current = NumericSample.FromValues([10.0, 11.0, 12.0, 13.0, 14.0]);
        var result = new KsTest().Fit(Five).Evaluate(current, 0.05);
        Assert.Equal(1.0, result.Statistic);
        Assert.Equal(2.0 / 252, result.PValue!.Value, 15);
        Assert.True(result.Drifted);
        Assert.Equal(EstimateMode.Exact, result.Mode);
        Assert.Null(result.ErrorBound);
    }

    [Fact]
    public void Wasserstein_ValuesTooFarApartForDoubles_ThrowsInsteadOfReturningInfinity()
    {
        var low = NumericSample.FromValues([-1e308, -1e308]);
        var high = NumericSample.FromValues([1e308]);
        var ex = Assert.Throws<ArgumentException>(() => new WassersteinTest().Fit(low).Evaluate(high, 0.1));
        Assert.Contains("too far apart", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(999_999L)]
    [InlineData(1_000_000L)]
    public void AndersonDarling_HarmonicSums_AsymptoticFormMatchesTheSum(long total)
    {
        // Just below the switch the sum runs; compare it with the closed form evaluated at the same size.
        var summed = AndersonDarling.HarmonicSums(total);
        double n1 = total - 1;
        double h = Math.Log(n1) + 0.57721566490153286061 + (1 / (2 * n1)) - (1 / (12 * n1 * n1));
        double n = total;
        double g = (Math.PI * Math.PI / 6) - (1 / n) + (1 / (2 * n * n)) - (2 * h / n) - (1 / (n * n));
        Assert.Equal(h, summed.H, 11);
        Assert.Equal(g, summed.G, 11);
        var asymptotic = AndersonDarling.HarmonicSums(total + 1_000_000);
        Assert.True(asymptotic.H > summed.H && asymptotic.G > summed.G && asymptotic.G < Math.PI * Math.PI / 6);
    }

    [Theory]
    [InlineData(9_000, 1_000, 1.0)]
    [InlineData(4_001, 1_000, 0.5)]
    public void KsPValue_UnequalLargeSizesClearlyDrifted_ComesFromTheAsymptoticBranch(long n, long m, double d)
    {
        // n·m above the exact-work limit and p far below 1e-12: kstwo at the effective n, not O(n·m) exact paths.
        var (statistic, p) = KolmogorovSmirnov.StatisticAndPValue(d, n, m);
        long effective = (long)Math.Round((double)n * m / (n + m), MidpointRounding.ToEven);

        Assert.Equal(d, statistic);
        Assert.Equal(Math.Clamp(KolmogorovDistribution.Sf(effective, d), 0, 1), p);
        Assert.True(p < 1e-12, $"p = {p}");
    }

    [Fact]
    public void KsPValue_UnequalLargeSizesNotClearlyDrifted_StaysExact()
    {
        // Same sizes, a statistic whose p-value matters for thresholds: the exact lattice value (D rounded to 1/lcm).
        var (statistic, p) = KolmogorovSmirnov.StatisticAndPValue(0.04, 9_000, 1_000);

        Assert.Equal(Math.Round(0.04 * 9_000) / 9_000, statistic);
        Assert.InRange(p, 1e-4, 0.5);
    }

    [Fact]
    public void FromOwned_FiniteAndNonFiniteValues_SameSampleAsFromValues()
    {
        double[] finite = [3, -1, 2.5, 0, -0.0, 7, 1e300, -2, 4, 4, 5];
        double[] withNaN = [3, double.NaN, 2, double.PositiveInfinity, 1, 0, 9, 8, 7];
        foreach (var values in new[] { finite, withNaN })
        {
            var copied = NumericSample.FromValues(values);
            var owned = NumericSample.FromOwned((double[])values.Clone());

            Assert.Equal(copied.Count, owned.Count);
            Assert.Equal(copied.NonFiniteCount, owned.NonFiniteCount);
            Assert.Equal(copied.Values.ToArray(), owned.Values.ToArray());
        }
    }
}
