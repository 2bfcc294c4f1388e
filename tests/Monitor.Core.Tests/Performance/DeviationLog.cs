using System.Globalization;
using System.Text.Json;
using Monitor.Core.Tests.Support;
using Xunit.Abstractions;

namespace Monitor.Core.Tests.Performance;

/// <summary>Compares metrics with their reference values and remembers the largest deviation per metric.</summary>
internal sealed class DeviationLog
{
    private readonly SortedDictionary<string, Worst> _worst = new(StringComparer.Ordinal);

    /// <summary>
    /// Asserts closeness and records the deviation. The relative deviation is recorded only where the relative
    /// bound governs (|expected| · rel above the absolute allowance): near zero only the absolute one means anything.
    /// </summary>
    public void Close(string metric, string caseName, double expected, double actual, double rel = 1e-9, double abs = 1e-15)
    {
        Tolerance.Close(expected, actual, rel, abs, $"{caseName}: {metric}");
        var w = Get(metric);
        w.Compared++;
        double absolute = Math.Abs(actual - expected);
        if (absolute > w.Absolute)
        {
            (w.Absolute, w.AbsoluteCase) = (absolute, caseName);
        }

        if (Math.Abs(expected) * rel > abs)
        {
            double relative = Tolerance.Relative(expected, actual);
            if (relative > w.Relative)
            {
                (w.Relative, w.RelativeCase) = (relative, caseName);
            }
        }
    }

    /// <summary>Compares a nullable metric: the reference is JSON null exactly when Monitor reports null.</summary>
    public void CloseOrNull(string metric, string caseName, JsonElement expected, double? actual, double rel = 1e-9, double abs = 1e-15)
    {
        if (expected.ValueKind == JsonValueKind.Null)
        {
            Assert.True(actual is null, $"{caseName}: {metric} should be null (undefined), got {actual}");
            Count(metric + " (null)");
            return;
        }

        Assert.True(actual is not null, $"{caseName}: {metric} is null but the reference is {expected}");
        Close(metric, caseName, Fixtures.ReadDouble(expected), actual.Value, rel, abs);
    }

    public void Count(string metric) => Get(metric).Compared++;

    public void Report(ITestOutputHelper output)
    {
        foreach (var (metric, worst) in _worst)
        {
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{metric,-40} n={worst.Compared,4}  max rel {worst.Relative:E2} ({worst.RelativeCase})  max abs {worst.Absolute:E2} ({worst.AbsoluteCase})"));
        }
    }

    private Worst Get(string metric)
    {
        if (!_worst.TryGetValue(metric, out var w))
        {
            w = new Worst();
            _worst[metric] = w;
        }

        return w;
    }

    private sealed class Worst
    {
        public int Compared { get; set; }

        public double Relative { get; set; }

        public string RelativeCase { get; set; } = "-";

        public double Absolute { get; set; }

        public string AbsoluteCase { get; set; } = "-";
    }
}
