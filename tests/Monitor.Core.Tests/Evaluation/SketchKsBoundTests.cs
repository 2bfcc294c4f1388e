using System.Globalization;
using Monitor.Core.Drift;
using Monitor.Core.Drift.Numeric;
using Monitor.Core.Sketches;
using Xunit.Abstractions;

namespace Monitor.Core.Tests.Evaluation;

/// <summary>
/// The KS statistic computed from two KLL sketches (as sketch mode does) against the exact statistic on the raw
/// arrays: |D̂ − D| ≤ ε_ref + ε_cur, the bound sketch-mode reports, must hold in at least 99% of trials.
/// </summary>
public sealed class SketchKsBoundTests(ITestOutputHelper output)
{
    private const int Trials = 1000;
    private const int N = 20_000;

    public enum Family
    {
        ShiftedNormal,
        HeavyTailed,
        IntegersWithTies,
    }

    [Theory]
    [InlineData(Family.ShiftedNormal, 101)]
    [InlineData(Family.HeavyTailed, 202)]
    [InlineData(Family.IntegersWithTies, 303)]
    public void Statistic_FromSketches_WithinSumOfRankErrorsInAtLeast99Percent(Family family, int seed)
    {
        var rng = new Random(seed);
        var reference = new double[N];
        var current = new double[N];
        var deviations = new double[Trials];
        var bounds = new double[Trials];
        var exactStatistics = new double[Trials];
        int within = 0;

        for (int t = 0; t < Trials; t++)
        {
            // Shifts from none to clear drift, so the bound is checked where D is small and where it is large.
            double shift = rng.NextDouble() * 0.3;
            bool cauchy = t % 2 == 1;
            
            Fill(reference, family, 0, cauchy, rng);
            Fill(current, family, shift, cauchy, rng);
            
            
            var refSketch = new KllSketch(200, (ulong)(2 * t) + 1);
            var curSketch = new KllSketch(200, (ulong)(2 * t) + 2);
            foreach (double v in reference)
            {
                refSketch.Update(v);
            }

            foreach (double v in current)
            {
                curSketch.Update(v);
            }

            
            
            var refSample = refSketch.ToSample();
            var curSample = curSketch.ToSample();
            Assert.Equal(EstimateMode.Sketch, refSample.Mode);
            double estimated = KolmogorovSmirnov.Statistic(refSample, curSample);
            double exact = ExactStatistic(reference, current, family);
            if (t % 100 == 0)
            {
                // The fast exact path against the library on the same raw arrays.
                Assert.Equal(KolmogorovSmirnov.Statistic(NumericSample.FromValues(reference), NumericSample.FromValues(current)), exact, 1e-15);
            }

            
            double bound = refSample.RankError + curSample.RankError;
            deviations[t] = Math.Abs(estimated - exact);
            bounds[t] = bound;
            exactStatistics[t] = exact;
            if (deviations[t] <= bound)
            {
                within++;
            }
        }

        Array.Sort(deviations);
        Array.Sort(bounds);
        Array.Sort(exactStatistics);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{family}: {Trials} trials, n = {N} per side, k = 200; within bound {within}/{Trials}; " +
            $"|D̂ − D| p50={Percentile(deviations, 0.5):F5} p99={Percentile(deviations, 0.99):F5} max={deviations[^1]:F5}; " +
            $"bound p50={Percentile(bounds, 0.5):F5} p99={Percentile(bounds, 0.99):F5} max={bounds[^1]:F5}; " +
            $"exact D from {exactStatistics[0]:F4} to {exactStatistics[^1]:F4}"));
        Assert.True(within >= Trials * 99 / 100, $"{family}: only {within} of {Trials} trials within ε_ref + ε_cur.");
    }

    /// <summary>
    /// The exact two-sample statistic on the raw arrays, cheaply: integers by counting, otherwise by sorting the
    /// arrays in place and one merge walk (the arrays are refilled every trial).
    /// </summary>
    private static double ExactStatistic(double[] a, double[] b, Family family)
    {
        if (family == Family.IntegersWithTies)
        {
            Span<long> ca = stackalloc long[40];
            Span<long> cb = stackalloc long[40];
            foreach (double v in a)
            {
                ca[(int)v]++;
            }

            foreach (double v in b)
            {
                cb[(int)v]++;
            }

            long sa = 0;
            long sb = 0;
            double d = 0;
            for (int i = 0; i < 40; i++)
            {
                sa += ca[i];
                sb += cb[i];
                d = Math.Max(d, Math.Abs(((double)sa / a.Length) - ((double)sb / b.Length)));
            }

            return d;
        }

        Array.Sort(a);
        Array.Sort(b);
        int x = 0;
        int y = 0;
        double max = 0;
        while (x < a.Length || y < b.Length)
        {
            double v = y >= b.Length || (x < a.Length && a[x] <= b[y]) ? a[x] : b[y];
            while (x < a.Length && a[x] == v)
            {
                x++;
            }

            while (y < b.Length && b[y] == v)
            {
                y++;
            }

            max = Math.Max(max, Math.Abs(((double)x / a.Length) - ((double)y / b.Length)));
        }

        return max;
    }

    private static void Fill(double[] data, Family family, double shift, bool cauchy, Random rng)
    {
        if (family == Family.ShiftedNormal)
        {
            for (int i = 0; i < data.Length; i += 2)
            {
                var (z1, z2) = NormalPair(rng);
                data[i] = z1 + shift;
                if (i + 1 < data.Length)
                {
                    data[i + 1] = z2 + shift;
                }
            }

            return;
        }

        for (int i = 0; i < data.Length; i++)
        {
            data[i] = family switch
            {

                // Student-t with 3 degrees of freedom and Cauchy (t with 1) in alternate trials.
                Family.HeavyTailed => (cauchy ? Math.Tan(Math.PI * (rng.NextDouble() - 0.5)) : StudentT3(rng)) + shift,

                // 40 distinct values: every CDF step is a big tie. The shift moves mass from 0 to 39.
                _ => rng.NextDouble() < shift ? 39 : rng.Next(0, 40),
            };
        }
    }

    private static double Percentile(double[] sorted, double q) =>
        sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];

    /// <summary>Marsaglia's polar method: two independent standard normals per accepted pair.</summary>
    private static (double, double) NormalPair(Random rng)
    {
        while (true)
        {
            double u = (2 * rng.NextDouble()) - 1;
            double v = (2 * rng.NextDouble()) - 1;
            double s = (u * u) + (v * v);
            if (s is > 0 and < 1)
            {
                double f = Math.Sqrt(-2 * Math.Log(s) / s);
                return (u * f, v * f);
            }
        }
    }

    /// <summary>Bailey's polar method for Student's t with ν = 3.</summary>
    private static double StudentT3(Random rng)
    {
        const double nu = 3;
        while (true)
        {
            double u = (2 * rng.NextDouble()) - 1;
            double v = (2 * rng.NextDouble()) - 1;
            double w = (u * u) + (v * v);
            if (w is > 0 and < 1)
            {
                // w^(−2/ν) with ν = 3, by cube root (cheaper than Math.Pow).
                double c = Math.Cbrt(w);
                return u * Math.Sqrt(nu * ((1 / (c * c)) - 1) / w);
            }
        }
    }
}
