using System.Text.Json;
using Monitor.Core.Tests.Support;

namespace Monitor.Core.Tests.Performance;

/// <summary>Reads the performance fixture files written by tests/fixtures/gen_performance.py.</summary>
internal static class FixtureCases
{
    public static IReadOnlyList<JsonElement> Load(string fileName)
    {
        using var doc = Fixtures.Open(fileName);
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.Clone()).ToList();
    }

    public static string Name(this JsonElement c) => c.GetProperty("name").GetString()!;

    public static double Double(this JsonElement c, string property) => Fixtures.ReadDouble(c.GetProperty(property));

    public static double[] Doubles(this JsonElement c, string property) => Fixtures.ReadDoubles(c.GetProperty(property));

    public static int[] Ints(this JsonElement c, string property) =>
        c.GetProperty(property).EnumerateArray().Select(e => e.GetInt32()).ToArray();
}
