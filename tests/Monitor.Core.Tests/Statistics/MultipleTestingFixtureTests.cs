using System.Globalization;
using System.Text.Json;
using Monitor.Core.Statistics;
using Monitor.Core.Tests.Support;
using Xunit.Abstractions;

namespace Monitor.Core.Tests.Statistics;

/// <summary>
/// Bonferroni and Benjamini–Hochberg against statsmodels <c>multipletests</c> (tests/fixtures/multiple_testing.json).
/// </summary>
public sealed class MultipleTestingFixtureTests(ITestOutputHelper output)
{
    // Adjusted p-values are one multiplication or division plus a running minimum: 1e-12 relative is ample.
    private const double Rel = 1e-12;

    private static readonly Lazy<Case[]> Cases = new(LoadCases);

    [Fact]
    public void Bonferroni_MatchesStatsmodels()
    {
        double worst = 0;
        foreach (var c in Cases.Value)
        {
            var adjusted = new double[c.PValues.Length];
            MultipleTesting.Bonferroni(c.PValues, adjusted);
            worst = Math.Max(worst, CompareAll(c.Bonferroni, adjusted, $"{c.Name} bonferroni"));
            AssertRejections(c, Correction.Bonferroni, c.BonferroniReject);
        }

        Report("bonferroni adjusted", worst);
    }

    [Fact]
    public void BenjaminiHochberg_MatchesStatsmodelsFdrBh()
    {
        double worst = 0;
        foreach (var c in Cases.Value)
        {
            var adjusted = new double[c.PValues.Length];
            MultipleTesting.BenjaminiHochberg(c.PValues, adjusted);
            worst = Math.Max(worst, CompareAll(c.BenjaminiHochberg, adjusted, $"{c.Name} fdr_bh"));
            AssertRejections(c, Correction.BenjaminiHochberg, c.BenjaminiHochbergReject);
        }

        Report("fdr_bh adjusted", worst);
    }

    [Fact]
    public void RejectNone_MatchesPLessOrEqualAlpha()
    {
        foreach (var c in Cases.Value)
        {
            AssertRejections(c, Correction.None, c.NoneReject);
        }

        Assert.True(Cases.Value.Length >= 40, $"only {Cases.Value.Length} cases");
    }

    private static double CompareAll(double[] expected, double[] actual, string what)
    {
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            Tolerance.Close(expected[i], actual[i], Rel, 0, $"{what}[{i}]");
            worst = Math.Max(worst, Tolerance.Relative(expected[i], actual[i]));
        }

        return worst;
    }

    private static void AssertRejections(Case c, Correction method, bool[] expected)
    {
        var rejected = new bool[c.PValues.Length];
        MultipleTesting.Reject(c.PValues, c.Alpha, method, rejected);
        Assert.True(expected.AsSpan().SequenceEqual(rejected), $"{c.Name} {method}: rejections differ from statsmodels");
    }

    private void Report(string what, double worst) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what}: largest relative deviation {worst:E3} over {Cases.Value.Length} cases"));

    private static Case[] LoadCases()
    {
        using var doc = Fixtures.Open("multiple_testing.json");
        var cases = new List<Case>();
        foreach (var e in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            cases.Add(new Case(
                e.GetProperty("name").GetString()!,
                Fixtures.ReadDoubles(e.GetProperty("pvalues")),
                Fixtures.ReadDouble(e.GetProperty("alpha")),
                ReadBools(e.GetProperty("none").GetProperty("reject")),
                Fixtures.ReadDoubles(e.GetProperty("bonferroni").GetProperty("adjusted")),
                ReadBools(e.GetProperty("bonferroni").GetProperty("reject")),
                Fixtures.ReadDoubles(e.GetProperty("fdr_bh").GetProperty("adjusted")),
                ReadBools(e.GetProperty("fdr_bh").GetProperty("reject"))));
        }

        return [.. cases];
    }

    private static bool[] ReadBools(JsonElement e)
    {
        var result = new bool[e.GetArrayLength()];
        int i = 0;
        foreach (var item in e.EnumerateArray())
        {
            result[i++] = item.GetBoolean();
        }

        return result;
    }

    private sealed record Case(
        string Name,
        double[] PValues,
        double Alpha,
        bool[] NoneReject,
        double[] Bonferroni,
        bool[] BonferroniReject,
        double[] BenjaminiHochberg,
        bool[] BenjaminiHochbergReject);
}
