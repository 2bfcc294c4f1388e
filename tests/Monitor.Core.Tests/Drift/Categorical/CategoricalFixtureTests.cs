using System.Globalization;
using System.Text.Json;
using Monitor.Core.Drift;
using Monitor.Core.Drift.Categorical;
using Monitor.Core.Tests.Support;
using Xunit.Abstractions;

namespace Monitor.Core.Tests.Drift.Categorical;

/// <summary>
/// Every categorical test against tests/fixtures/categorical_drift.json (scipy 1.10 / statsmodels 0.13, written by
/// gen_categorical.py), printing the largest relative deviation per statistic.
/// </summary>
public sealed class CategoricalFixtureTests(ITestOutputHelper output)
{
    // Statistics are closed-form sums: 1e-9 relative. The absolute part covers reference values that are 0 or
    // rounding noise around 0 (identical tables), where a relative bound means nothing.
    private const double StatisticRel = 1e-9;
    private const double StatisticAbs = 1e-14;

    // p-values are held to the same 1e-9 relative: MathNet's incomplete gamma and erfc agree with scipy's cephes to
    // ~1e-11 at worst (deep chi-square tails), so no looser bound is needed. 1e-300 absolute covers underflow.
    private const double PValueRel = 1e-9;
    private const double PValueAbs = 1e-300;

    private static readonly Lazy<Case[]> Cases = new(LoadCases);

    [Fact]
    public void Fixture_HasEnoughCases()
    {
        Assert.True(Cases.Value.Length >= 120, $"only {Cases.Value.Length} categorical cases");
    }

    [Fact]
    public void ChiSquare_MatchesScipyChi2ContingencyWithoutYates()
    {
        var test = new ChiSquareTest();
        double worstStat = 0;
        double worstP = 0;
        foreach (var c in Cases.Value)
        {
            var result = test.Fit(c.Reference).Evaluate(c.Current, test.DefaultThreshold);
            Tolerance.Close(c.ChiSquare, result.Statistic, StatisticRel, StatisticAbs, $"{c.Name} chi-square statistic");

            // p = Q(k/2, x/2): MathNet's GammaUpperRegularized against cephes igamc (see PValueRel).
            Tolerance.Close(c.ChiSquareP, result.PValue!.Value, PValueRel, PValueAbs, $"{c.Name} chi-square p-value");
            worstStat = Math.Max(worstStat, Tolerance.Relative(c.ChiSquare, result.Statistic));
            worstP = Math.Max(worstP, Tolerance.Relative(c.ChiSquareP, result.PValue.Value));
        }

        Report("chisquare statistic", worstStat);
        Report("chisquare p-value", worstP);
    }

    [Fact]
    public void Psi_MatchesNumpyReference()
    {
        double worst = Compare(new CategoricalPsiTest(), c => c.Psi);
        Report("psi", worst);
    }

    [Fact]
    public void JensenShannon_MatchesScipyJensenShannonBase2()
    {
        double worst = Compare(new CategoricalJensenShannonTest(), c => c.JensenShannon);
        Report("jensenshannon", worst);
    }

    [Fact]
    public void Hellinger_MatchesNumpyReference()
    {
        double worst = Compare(new CategoricalHellingerTest(), c => c.Hellinger);
        Report("hellinger", worst);
    }

    [Fact]
    public void KlDivergence_MatchesScipyEntropyOnFlooredProportions()
    {
        double worst = Compare(new CategoricalKlDivergenceTest(), c => c.Kl);
        Report("kl", worst);
    }

    [Fact]
    public void LInfinity_MatchesNumpyReference()
    {
        double worst = Compare(new LInfinityTest(), c => c.LInfinity);
        Report("linf", worst);
    }

    [Fact]
    public void ZTest_MatchesStatsmodelsProportionsZtest()
    {
        var test = new ZTestProportions();
        double worstStat = 0;
        double worstP = 0;
        foreach (var c in Cases.Value)
        {
            var detector = (ZTestProportionsDetector)test.Fit(c.Reference);
            Assert.Equal(c.ZCategory, detector.Category);
            var result = detector.Evaluate(c.Current, test.DefaultThreshold);
            Tolerance.Close(c.Z, result.Statistic, StatisticRel, StatisticAbs, $"{c.Name} z");

            // p = erfc(|z|/√2): MathNet's Erfc against scipy's 2·norm.sf (see PValueRel).
            Tolerance.Close(c.ZP, result.PValue!.Value, PValueRel, PValueAbs, $"{c.Name} z-test p-value");
            worstStat = Math.Max(worstStat, Tolerance.Relative(c.Z, result.Statistic));
            worstP = Math.Max(worstP, Tolerance.Relative(c.ZP, result.PValue.Value));
        }

        Report("ztest statistic", worstStat);
        Report("ztest p-value", worstP);
    }

    [Fact]
    public void UnseenShare_MatchesReference()
    {
        double worst = 0;
        foreach (var c in Cases.Value)
        {
            double actual = CategoricalComparison.UnseenShare(c.Reference, c.Current);
            Tolerance.Close(c.UnseenShare, actual, StatisticRel, 0, $"{c.Name} unseen share");
            worst = Math.Max(worst, Tolerance.Relative(c.UnseenShare, actual));
        }

        Report("unseen share", worst);
    }

    private double Compare(ICategoricalDriftTest test, Func<Case, double> expected)
    {
        double worst = 0;
        string worstCase = "none";
        foreach (var c in Cases.Value)
        {
            var result = test.Fit(c.Reference).Evaluate(c.Current, test.DefaultThreshold);
            double e = expected(c);
            Tolerance.Close(e, result.Statistic, StatisticRel, StatisticAbs, $"{c.Name} {test.Name}");
            Assert.Null(result.PValue);
            double rel = Tolerance.Relative(e, result.Statistic);
            if (rel > worst)
            {
                worst = rel;
                worstCase = c.Name;
            }
        }

        output.WriteLine($"{test.Name}: largest deviation in case {worstCase}");
        return worst;
    }

    private void Report(string what, double worst) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what}: largest relative deviation {worst:E3} over {Cases.Value.Length} cases"));

    private static Case[] LoadCases()
    {
        using var doc = Fixtures.Open("categorical_drift.json");
        var cases = new List<Case>();
        foreach (var e in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            var chi = e.GetProperty("chisquare");
            var z = e.GetProperty("ztest");
            cases.Add(new Case(
                e.GetProperty("name").GetString()!,
                ReadCounts(e.GetProperty("reference")),
                ReadCounts(e.GetProperty("current")),
                Fixtures.ReadDouble(chi.GetProperty("statistic")),
                Fixtures.ReadDouble(chi.GetProperty("pvalue")),
                Fixtures.ReadDouble(e.GetProperty("psi")),
                Fixtures.ReadDouble(e.GetProperty("jensenshannon")),
                Fixtures.ReadDouble(e.GetProperty("hellinger")),
                Fixtures.ReadDouble(e.GetProperty("kl")),
                Fixtures.ReadDouble(e.GetProperty("linf")),
                z.GetProperty("category").GetString()!,
                Fixtures.ReadDouble(z.GetProperty("statistic")),
                Fixtures.ReadDouble(z.GetProperty("pvalue")),
                Fixtures.ReadDouble(e.GetProperty("unseen_share"))));
        }

        return [.. cases];
    }

    private static CategoricalDistribution ReadCounts(JsonElement e)
    {
        var counts = new List<KeyValuePair<string, long>>();
        foreach (var p in e.EnumerateObject())
        {
            counts.Add(new(p.Name, p.Value.GetInt64()));
        }

        return CategoricalDistribution.FromCounts(counts);
    }

    private sealed record Case(
        string Name,
        CategoricalDistribution Reference,
        CategoricalDistribution Current,
        double ChiSquare,
        double ChiSquareP,
        double Psi,
        double JensenShannon,
        double Hellinger,
        double Kl,
        double LInfinity,
        string ZCategory,
        double Z,
        double ZP,
        double UnseenShare);
}
