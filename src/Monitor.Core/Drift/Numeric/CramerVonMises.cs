namespace Monitor.Core.Drift.Numeric;

/// <summary>
/// The two-sample Cramér–von Mises test as scipy 1.10 <c>cramervonmises_2samp(a, b, method='auto')</c>:
/// Anderson's T from midranks; the exact p-value (Xiao, Gordon and Yakovlev 2006) when both samples have at
/// most <see cref="MaxExactSize"/> observations, otherwise the limiting distribution of the normalised statistic.
/// </summary>
internal static class CramerVonMises
{
    /// <summary>The largest sample size for the exact p-value (20, as scipy's 'auto').</summary>
    public const long MaxExactSize = 20;

    public static (double Statistic, double PValue) Test(NumericSample x, NumericSample y)
    {
        long nx = x.Count;
        long ny = y.Count;
        double u = RankSum(x, y);
        long k = checked(nx * ny);
        long bigN = nx + ny;
        double t = (u / (double)checked(k * bigN)) - ((double)((4 * k) - 1) / (6 * bigN));
        double p;
        if (Math.Max(nx, ny) <= MaxExactSize)
        {
            p = ExactPValue(u, (int)nx, (int)ny);
        }
        else
        {
            double et = (1 + (1.0 / bigN)) / 6;
            Int128 numerator = (Int128)(bigN + 1) * ((4 * (Int128)k * bigN) - (3 * (((Int128)nx * nx) + ((Int128)ny * ny))) - (2 * (Int128)k));
            Int128 denominator = 45 * (Int128)bigN * bigN * 4 * k;
            double vt = (double)numerator / (double)denominator;
            double tn = (1.0 / 6) + ((t - et) / Math.Sqrt(45 * vt));
            p = tn < 0.003 ? 1.0 : Math.Max(0, 1.0 - LimitingCdf(tn));
        }

        return (t, p);
    }

    /// <summary>U = nx·Σ(r_i − i)² + ny·Σ(s_j − j)² with midranks r, s in the pooled sample, in one merge walk.</summary>
    private static double RankSum(NumericSample x, NumericSample y)
    {
        var xv = x.Values;
        var xw = x.Weights;
        var yv = y.Values;
        var yw = y.Weights;
        long cx = 0;
        long cy = 0;
        int i = 0;
        int j = 0;
        double sx = 0;
        double sy = 0;
        while (i < xv.Length || j < yv.Length)
        {
            double v = j >= yv.Length || (i < xv.Length && xv[i] <= yv[j]) ? xv[i] : yv[j];
            long fx = 0;
            long fy = 0;
            while (i < xv.Length && xv[i] == v)
            {
                fx += xw.IsEmpty ? 1 : xw[i];
                i++;
            }

            while (j < yv.Length && yv[j] == v)
            {
                fy += yw.IsEmpty ? 1 : yw[j];
                j++;
            }

            double midrank = cx + cy + ((fx + fy + 1) / 2.0);
            sx += SquaredOffsets(midrank - cx, fx);
            sy += SquaredOffsets(midrank - cy, fy);
            cx += fx;
            cy += fy;
        }

        return (x.Count * sx) + (y.Count * sy);
    }

    /// <summary>Σ_{t=1..c} (d − t)².</summary>
    private static double SquaredOffsets(double d, long c)
    {
        double cc = c;
        return (cc * d * d) - (d * cc * (cc + 1)) + (cc * (cc + 1) * ((2 * cc) + 1) / 6);
    }

    /// <summary>P(U ≥ u) by the frequency tables of Xiao et al. (their Algorithm 1), as scipy's exact branch.</summary>
    private static double ExactPValue(double u, int m, int n)
    {
        long g = Gcd(m, n);
        long lcm = (long)m / g * n;
        long a = lcm / m;
        long b = lcm / n;
        long mn = (long)m * n;
        double zeta = Math.Floor((double)(lcm * lcm * (m + n)) * ((6 * u) - (mn * ((4 * mn) - 1))) / (6 * mn * mn));

        var gs = new Dictionary<long, long>[m + 1];
        gs[0] = new Dictionary<long, long> { [0] = 1 };
        for (int v = 1; v <= m; v++)
        {
            gs[v] = [];
        }

        for (long uu = 0; uu <= n; uu++)
        {
            var next = new Dictionary<long, long>[m + 1];
            Dictionary<long, long> tmp = [];
            for (int v = 0; v <= m; v++)
            {
                long shift = ((a * v) - (b * uu)) * ((a * v) - (b * uu));
                var merged = new Dictionary<long, long>(tmp.Count + gs[v].Count);
                foreach (var (key, freq) in tmp)
                {
                    merged[key + shift] = freq;
                }

                foreach (var (key, freq) in gs[v])
                {
                    merged[key + shift] = merged.TryGetValue(key + shift, out long prior) ? prior + freq : freq;
                }

                next[v] = merged;
                tmp = merged;
            }

            gs = next;
        }

        long above = 0;
        foreach (var (value, freq) in gs[m])
        {
            if (value >= zeta)
            {
                above += freq;
            }
        }

        return above / Binomial(m + n, m);
    }

    private static double Binomial(int n, int k)
    {
        long result = 1;
        for (int i = 1; i <= k; i++)
        {
            result = result * (n - k + i) / i;
        }

        return result;
    }

    private static long Gcd(long a, long b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }

    /// <summary>
    /// The CDF of the limiting one-sample Cramér–von Mises distribution (Csörgő and Faraway 1996, eq. 1.2), summed
    /// as scipy's <c>_cdf_cvm_inf</c> until a term falls below 1e-7.
    /// </summary>
    internal static double LimitingCdf(double x)
    {
        double total = 0;
        double piSqrt = Math.Pow(Math.PI, 1.5) * Math.Sqrt(x);
        for (int k = 0; k < 1000; k++)
        {
            double uk = Math.Exp(MathNet.Numerics.SpecialFunctions.GammaLn(k + 0.5) - MathNet.Numerics.SpecialFunctions.GammaLn(k + 1)) / piSqrt;
            double y = (4 * k) + 1;
            double q = y * y / (16 * x);
            // exp(−q)·K_{1/4}(q) = exp(−2q)·(e^q K_{1/4}(q)).
            double z = uk * Math.Sqrt(y) * Math.Exp(-2 * q) * ScaledBesselK(0.25, q);
            total += z;
            if (Math.Abs(z) < 1e-7)
            {
                break;
            }
        }

        return total;
    }

    /// <summary>
    /// e^x·K_ν(x) = ∫_0^∞ exp(−x(cosh t − 1))·cosh(νt) dt by the trapezoid rule, which converges geometrically
    /// for this analytic, doubly-exponentially decaying integrand (MathNet.Numerics has no fractional-order K).
    /// </summary>
    internal static double ScaledBesselK(double nu, double x)
    {
        const double Step = 0.05;
        double sum = 0.5; // t = 0
        for (int i = 1; i < 100000; i++)
        {
            double t = i * Step;
            double e = x * (Math.Cosh(t) - 1);
            double f = Math.Exp(-e) * Math.Cosh(nu * t);
            sum += f;
            if (e > 60 && f < 1e-30 * sum)
            {
                break;
            }
        }

        return sum * Step;
    }
}
