using Monitor.Core.Drift;
using Monitor.Core.Drift.Numeric;
using Monitor.Core.Tests.Support;
using Xunit.Abstractions;

namespace Monitor.Core.Tests.Drift.Numeric;

/// <summary>Every numeric drift test against scipy 1.10 on the cases in numeric_drift.json.</summary>
public sealed class NumericDriftFixtureTests(ITestOutputHelper output)
{
    private static NumericFixture Data => NumericFixture.Instance;

    private static INumericDriftTest Create(string test, int bins) => test switch
    {
        "psi" => new PsiTest(bins),
        "jensenshannon" => new JensenShannonTest(bins),
        "hellinger" => new HellingerTest(bins),
        "kl" => new KlDivergenceTest(bins),
        "wasserstein" => new WassersteinTest(),
        "wasserstein_norm" => new WassersteinTest(normalized: true),
        "energy" => new EnergyDistanceTest(),
        "ks" => new KsTest(),
        "anderson" => new AndersonDarlingTest(),
        "cramervonmises" => new CramerVonMisesTest(),
        _ => throw new ArgumentOutOfRangeException(nameof(test), test, "Unknown test."),
    };

    [Theory]
    [InlineData("psi", 20)]
    [InlineData("jensenshannon", 20)]
    [InlineData("hellinger", 20)]
    [InlineData("kl", 20)]
    [InlineData("wasserstein", 20)]
    [InlineData("wasserstein_norm", 20)]
    [InlineData("energy", 20)]
    [InlineData("ks", 20)]
    [InlineData("anderson", 20)]
    [InlineData("cramervonmises", 20)]
    public void Evaluate_FixtureCases_MatchScipy(string test, int minimumCases)
    {
        var cases = Data.CasesOf(test).ToList();
        Assert.True(cases.Count >= minimumCases, $"{test}: only {cases.Count} fixture cases");
        double worstStatistic = 0;
        double worstP = 0;
        string worstStatisticCase = "-";
        string worstPCase = "-";
        foreach (var c in cases)
        {
            var (_, a, b) = Data.Datasets[c.Dataset];
            var detector = Create(test, c.Bins).Fit(a);
            var result = detector.Evaluate(b, Create(test, c.Bins).DefaultThreshold);

            Assert.Equal(test, result.Test);
            // Statistics are sums of a few thousand terms in a different order than numpy's pairwise sums.
            Tolerance.Close(c.Statistic, result.Statistic, rel: 1e-9, abs: 1e-13, what: c.Name + " statistic");
            double dev = Tolerance.Relative(c.Statistic, result.Statistic);
            if (c.Statistic != 0 && dev > worstStatistic)
            {
                (worstStatistic, worstStatisticCase) = (dev, c.Name);
            }

            if (c.PValue is { } expectedP)
            {
                Assert.NotNull(result.PValue);
                // P-values: the exact KS/CvM algorithms are ported step by step (≤1e-12); the asymptotic KS branch
                // sums the Smirnov series in double rather than cephes' double-double, and the CvM limit uses our
                // own Bessel K_{1/4}: hence 1e-9 relative. P-values computed as 1 − cdf (CvM asymptotic, KS Pelz–Good)
                // resolve only a few ulps of 1, so a 1e-14 absolute floor covers p-values below ~1e-5.
                Tolerance.Close(expectedP, result.PValue.Value, rel: 1e-9, abs: 1e-14, what: c.Name + " p-value");
                double pdev = Tolerance.Relative(expectedP, result.PValue.Value);
                if (expectedP != 0 && pdev > worstP)
                {
                    (worstP, worstPCase) = (pdev, c.Name);
                }
            }
            else
            {
                Assert.Null(result.PValue);
            }

            if (detector is BinnedDriftDetector binned)
            {
                Assert.Equal(c.Edges, binned.Bins.Edges.ToArray());
                Assert.Equal(c.ReferenceCounts, binned.ReferenceCounts.ToArray());
                Assert.Equal(c.CurrentCounts, binned.Bins.Count(b));
            }
        }

        output.WriteLine($"{test}: {cases.Count} cases; largest relative deviation statistic {worstStatistic:E2} ({worstStatisticCase}), p-value {worstP:E2} ({worstPCase})");
    }

    [Fact]
    public void KolmogorovSf_EveryBranch_MatchesScipyKstwo()
    {
        double worst = 0;
        foreach (var (n, x, sf) in Data.KsTwoSf)
        {
            double actual = KolmogorovDistribution.Sf(n, x);
            // Pomeranz (scipy) and Durbin (ours) are both exact; the Smirnov tail is summed in double here.
            Tolerance.Close(sf, actual, rel: 1e-9, abs: 1e-15, what: $"kstwo.sf({x:R}, {n})");
            if (sf != 0)
            {
                worst = Math.Max(worst, Tolerance.Relative(sf, actual));
                if (Tolerance.Relative(sf, actual) > 1e-12)
                {
                    output.WriteLine($"  n={n} x={x:R}: {sf:R} vs {actual:R}");
                }
            }
        }

        output.WriteLine($"kstwo.sf: {Data.KsTwoSf.Count} points; largest relative deviation {worst:E2}");
        Assert.True(Data.KsTwoSf.Count > 50);
    }

    [Fact]
    public void Fixture_HasEnoughCases()
    {
        Assert.True(Data.Cases.Count >= 220, $"only {Data.Cases.Count} cases");
        Assert.Contains(Data.Datasets.Values, d => d.A.Count > 10000 && d.B.Count > 10000);
    }
}
