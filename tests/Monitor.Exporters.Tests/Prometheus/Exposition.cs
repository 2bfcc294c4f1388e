using System.Globalization;
using System.Text;
using Monitor.Exporters.Prometheus;

namespace Monitor.Exporters.Tests.Prometheus;

/// <summary>One sample line of the text exposition format.</summary>
internal sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public bool Has(params (string Name, string Value)[] labels) =>
        labels.All(l => Labels.TryGetValue(l.Name, out var v) && v == l.Value);
}

/// <summary>The parsed text exposition of a registry: families (TYPE, HELP) and samples.</summary>
internal sealed class Exposition
{
    private Exposition(string text, Dictionary<string, string> types, Dictionary<string, string> help, List<Sample> samples)
    {
        Text = text;
        Types = types;
        Help = help;
        Samples = samples;
    }

    public string Text { get; }

    public IReadOnlyDictionary<string, string> Types { get; }

    public IReadOnlyDictionary<string, string> Help { get; }

    public IReadOnlyList<Sample> Samples { get; }

    public static async Task<Exposition> Of(MonitorMetrics metrics)
    {
        using var stream = new MemoryStream();
        await metrics.WriteAsync(stream, CancellationToken.None);
        return Parse(Encoding.UTF8.GetString(stream.ToArray()));
    }

    public IEnumerable<Sample> Named(string name) => Samples.Where(s => s.Name == name);

    /// <summary>The only sample of <paramref name="name"/> with these labels (fails when absent or ambiguous).</summary>
    public double Value(string name, params (string Name, string Value)[] labels) =>
        Assert.Single(Named(name), s => s.Has(labels)).Value;

    public bool Contains(string name, params (string Name, string Value)[] labels) => Named(name).Any(s => s.Has(labels));

    public static Exposition Parse(string text)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var help = new Dictionary<string, string>(StringComparer.Ordinal);
        var samples = new List<Sample>();
        foreach (var raw in text.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line[7..].Split(' ');
                types[parts[0]] = parts[1];
                continue;
            }

            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                int space = line.IndexOf(' ', 7);
                help[line[7..space]] = line[(space + 1)..];
                continue;
            }

            if (line.StartsWith('#'))
            {
                continue;
            }

            samples.Add(ParseSample(line));
        }

        return new Exposition(text, types, help, samples);
    }

    private static Sample ParseSample(string line)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        int brace = line.IndexOf('{', StringComparison.Ordinal);
        int space = line.IndexOf(' ', StringComparison.Ordinal);
        string name;
        int rest;
        if (brace >= 0 && brace < space)
        {
            name = line[..brace];
            int i = brace + 1;
            while (line[i] != '}')
            {
                int eq = line.IndexOf('=', i);
                string key = line[i..eq];
                i = eq + 2;
                var value = new StringBuilder();
                while (line[i] != '"')
                {
                    if (line[i] == '\\')
                    {
                        i++;
                        value.Append(line[i] == 'n' ? '\n' : line[i]);
                    }
                    else
                    {
                        value.Append(line[i]);
                    }

                    i++;
                }

                labels[key] = value.ToString();
                i++;
                if (line[i] == ',')
                {
                    i++;
                }
            }

            rest = i + 2;
        }
        else
        {
            name = line[..space];
            rest = space + 1;
        }

        string valueText = line[rest..].Split(' ')[0];
        double v = valueText switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            _ => double.Parse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
        return new Sample(name, labels, v);
    }
}
