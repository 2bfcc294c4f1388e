using System.Text.Json;

namespace Monitor.Core.Tests.Support;

/// <summary>
/// Loads the reference values that tests/fixtures/generate.py computed with scipy/sklearn. The JSON files are
/// copied next to the test assembly under fixtures/.
/// </summary>
internal static class Fixtures
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNameCaseInsensitive = true };

    public static string PathOf(string fileName) => Path.Combine(AppContext.BaseDirectory, "fixtures", fileName);

    public static JsonDocument Open(string fileName)
    {
        string path = PathOf(fileName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Fixture {fileName} is missing; run tests/fixtures/generate.py and commit its output.", path);
        }

        return JsonDocument.Parse(File.ReadAllBytes(path));
    }

    public static T Load<T>(string fileName)
    {
        using var doc = Open(fileName);
        return doc.Deserialize<T>(Options) ?? throw new InvalidDataException($"Fixture {fileName} is empty.");
    }

    /// <summary>Reads a JSON number, where the generator writes NaN/±Infinity as the strings "nan", "inf", "-inf".</summary>
    public static double ReadDouble(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => e.GetDouble(),
        JsonValueKind.String => e.GetString() switch
        {
            "nan" => double.NaN,
            "inf" => double.PositiveInfinity,
            "-inf" => double.NegativeInfinity,
            var s => throw new InvalidDataException($"Unexpected numeric string '{s}' in a fixture."),
        },
        _ => throw new InvalidDataException($"Expected a number in a fixture, found {e.ValueKind}."),
    };

    public static double[] ReadDoubles(JsonElement e)
    {
        var result = new double[e.GetArrayLength()];
        int i = 0;
        foreach (var item in e.EnumerateArray())
        {
            result[i++] = ReadDouble(item);
        }

        return result;
    }
}
