using System.Globalization;
using Monitor.Core.Sketches;

namespace Monitor.Core.Tests.Sketches;

/// <summary>Data generators and the exact sup-norm CDF error used by the sketch accuracy tests.</summary>
public static class SketchTrials
{
    public enum Distribution
    {
        Normal,
        Cauchy,
        IntegersWithTies,
    }

    /// <summary>Fills <paramref name="data"/> with i.i.d. draws from <paramref name="distribution"/>.</summary>
    public static void Fill(Span<double> data, Distribution distribution, Random rng)
    {
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = distribution switch
            {
                Distribution.Normal => Normal(rng),
                Distribution.Cauchy => Math.Tan(Math.PI * (rng.NextDouble() - 0.5)),

                // 50 distinct values: every CDF step is a big tie, where a sketch's rank error concentrates.
                Distribution.IntegersWithTies => rng.Next(0, 50),
                _ => throw new ArgumentOutOfRangeException(nameof(distribution)),
            };
        }
    }

    /// <summary>
    /// max over x of |F̂(x) − F(x)|, exactly: both CDFs are right-continuous steps that jump only at data
    /// values (retained items are data values), so checking every distinct data value covers the supremum.
    /// </summary>
    public static double SupError(ReadOnlySpan<double> sortedData, KllSketch sketch)
    {
        var sample = sketch.ToSample();
        var values = sample.Values;
        int n = sortedData.Length;
        int j = 0;
        long sketchWeight = 0;
        double max = 0;
        int i = 0;
        while (i < n)
        {
            double x = sortedData[i];
            while (i < n && sortedData[i] == x)
            {
                i++;
            }

            while (j < values.Length && values[j] <= x)
            {
                sketchWeight += sample.WeightAt(j);
                j++;
            }

            max = Math.Max(max, Math.Abs(sketchWeight - i) / (double)n);
        }

        return max;
    }

    /// <summary>The q-th empirical percentile (nearest rank) of <paramref name="sorted"/>.</summary>
    public static double Percentile(double[] sorted, double q) =>
        sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];

    public static string Summary(double[] sortedErrors, double bound) => string.Create(
        CultureInfo.InvariantCulture,
        $"sup-norm error p50={Percentile(sortedErrors, 0.5):F4} p99={Percentile(sortedErrors, 0.99):F4} max={sortedErrors[^1]:F4} bound={bound:F4}");

    private static double Normal(Random rng)
    {
        double u1 = 1 - rng.NextDouble();
        double u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
