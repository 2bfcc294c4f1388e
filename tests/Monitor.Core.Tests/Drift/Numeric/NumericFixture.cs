using System.Text.Json;
using Monitor.Core.Drift;
using Monitor.Core.Tests.Support;

namespace Monitor.Core.Tests.Drift.Numeric;

/// <summary>numeric_drift.json, written by tests/fixtures/gen_numeric.py with scipy 1.10.</summary>
internal sealed class NumericFixture
{
    private NumericFixture(Dictionary<int, (string Name, NumericSample A, NumericSample B)> datasets, List<FixtureCase> cases, List<(long N, double X, double Sf)> kstwo)
    {
        Datasets = datasets;
        Cases = cases;
        KsTwoSf = kstwo;
    }

    public static NumericFixture Instance { get; } = Load();

    public Dictionary<int, (string Name, NumericSample A, NumericSample B)> Datasets { get; }

    public List<FixtureCase> Cases { get; }

    public List<(long N, double X, double Sf)> KsTwoSf { get; }

    public IEnumerable<FixtureCase> CasesOf(string test) => Cases.Where(c => c.Test == test);

    private static NumericFixture Load()
    {
        using var doc = Fixtures.Open("numeric_drift.json");
        var root = doc.RootElement;
        var datasets = new Dictionary<int, (string, NumericSample, NumericSample)>();
        foreach (var d in root.GetProperty("datasets").EnumerateArray())
        {
            var a = Fixtures.ReadDoubles(d.GetProperty("a"));
            var b = Fixtures.ReadDoubles(d.GetProperty("b"));
            NumericSample sa;
            NumericSample sb;
            if (d.TryGetProperty("a_weights", out var aw))
            {
                sa = NumericSample.FromWeighted(a, ReadLongs(aw));
                sb = NumericSample.FromWeighted(b, ReadLongs(d.GetProperty("b_weights")));
            }
            else
            {
                sa = NumericSample.FromValues(a);
                sb = NumericSample.FromValues(b);
            }

            datasets[d.GetProperty("id").GetInt32()] = (d.GetProperty("name").GetString()!, sa, sb);
        }

        var cases = new List<FixtureCase>();
        foreach (var c in root.GetProperty("cases").EnumerateArray())
        {
            cases.Add(new FixtureCase(
                c.GetProperty("name").GetString()!,
                c.GetProperty("test").GetString()!,
                c.GetProperty("dataset").GetInt32(),
                Fixtures.ReadDouble(c.GetProperty("statistic")),
                c.TryGetProperty("pvalue", out var p) ? Fixtures.ReadDouble(p) : null,
                c.TryGetProperty("bins", out var bins) ? bins.GetInt32() : 0,
                c.TryGetProperty("edges", out var e) ? Fixtures.ReadDoubles(e) : [],
                c.TryGetProperty("reference_counts", out var rc) ? ReadLongs(rc) : [],
                c.TryGetProperty("current_counts", out var cc) ? ReadLongs(cc) : []));
        }

        var kstwo = new List<(long, double, double)>();
        foreach (var k in root.GetProperty("kstwo_sf").EnumerateArray())
        {
            kstwo.Add((k.GetProperty("n").GetInt64(), Fixtures.ReadDouble(k.GetProperty("x")), Fixtures.ReadDouble(k.GetProperty("sf"))));
        }

        return new NumericFixture(datasets, cases, kstwo);
    }

    private static long[] ReadLongs(JsonElement e) => e.EnumerateArray().Select(x => x.GetInt64()).ToArray();
}

internal sealed record FixtureCase(
    string Name,
    string Test,
    int Dataset,
    double Statistic,
    double? PValue,
    int Bins,
    double[] Edges,
    long[] ReferenceCounts,
    long[] CurrentCounts);
