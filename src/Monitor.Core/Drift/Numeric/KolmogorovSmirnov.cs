using System.Runtime.CompilerServices;

namespace Monitor.Core.Drift.Numeric;

/// <summary>
/// The two-sample Kolmogorov–Smirnov statistic and p-value as scipy 1.10 <c>ks_2samp(a, b,
/// alternative='two-sided', method='auto')</c>. Public so that sketch mode can compute the statistic from
/// weighted samples read out of sketches and the p-value from the true sample sizes.
/// </summary>
/// <remarks>
/// P-value: when both sizes are at most <see cref="MaxExactSize"/> the exact distribution of D under H0
/// (Hodges' lattice-path counting, with the statistic rounded to the lattice h/lcm(n, m)); if that computation
/// fails (a probability outside [0, 1]) or a size is larger, the one-sample Kolmogorov distribution of
/// D_{round(nm/(n+m))} (scipy's <c>kstwo.sf</c>, see <see cref="KolmogorovDistribution"/>). Clipped to [0, 1].
/// </remarks>
public static class KolmogorovSmirnov
{
    /// <summary>The largest sample size for which the exact p-value is attempted (10,000, as scipy's 'auto').</summary>
    public const long MaxExactSize = 10000;

    /// <summary>The largest absolute difference between the two empirical CDFs (weights count as multiplicities).</summary>
    /// <remarks>
    /// Exact samples are compared through a bucket index of one of them (<see cref="BucketedKs"/>, O(n + m) with
    /// only a few buckets sorted) unless both are sorted already; the result equals the sorted merge walk's bit
    /// for bit. Weighted samples (sketch read-outs) take the merge walk.
    /// </remarks>
    public static double Statistic(NumericSample a, NumericSample b)
    {
        Guard.NotEmpty(a, nameof(a));
        Guard.NotEmpty(b, nameof(b));
        if (!a.IsWeighted && !b.IsWeighted && !(a.HasSortedValues && b.HasSortedValues))
        {
            // |x − y| = |y − x| exactly in IEEE arithmetic, so either sample may be the indexed one.
            // The counted sample keeps what the pass learned about the index's decile slots for quantile bins.
            if (a.Index is { } ia)
            {
                double d = BucketedKs.Statistic(ia, b.UnorderedValues, b.IsIntegral, out var tally);
                b.Tally = tally ?? b.Tally;
                return d;
            }

            if (b.Index is { } ib)
            {
                double d = BucketedKs.Statistic(ib, a.UnorderedValues, a.IsIntegral, out var tally);
                a.Tally = tally ?? a.Tally;
                return d;
            }
        }

        return SortedWalkStatistic(a, b);
    }

    /// <summary>The statistic by one merge walk over both sorted samples: the reference the bucketed path must equal.</summary>
    internal static double SortedWalkStatistic(NumericSample a, NumericSample b)
    {
        Guard.NotEmpty(a, nameof(a));
        Guard.NotEmpty(b, nameof(b));
        var av = a.Values;
        var aw = a.Weights;
        var bv = b.Values;
        var bw = b.Weights;
        double na = a.Count;
        double nb = b.Count;
        long ca = 0;
        long cb = 0;
        int i = 0;
        int j = 0;
        double max = 0;
        double min = 0;
        while (i < av.Length || j < bv.Length)
        {
            double v = j >= bv.Length || (i < av.Length && av[i] <= bv[j]) ? av[i] : bv[j];
            while (i < av.Length && av[i] == v)
            {
                ca += aw.IsEmpty ? 1 : aw[i];
                i++;
            }

            while (j < bv.Length && bv[j] == v)
            {
                cb += bw.IsEmpty ? 1 : bw[j];
                j++;
            }

            double diff = (ca / na) - (cb / nb);
            max = Math.Max(max, diff);
            min = Math.Min(min, diff);
        }

        return Math.Min(Math.Max(max, -min), 1);
    }

    /// <summary>
    /// The largest |difference| of the empirical CDFs at the distinct values of sorted unweighted stretches
    /// <paramref name="av"/> and <paramref name="bv"/>, given <paramref name="ca"/> and <paramref name="cb"/>
    /// observations before them (the same expression as <see cref="SortedWalkStatistic"/>).
    /// </summary>
    // Hot loop over every value: compiled fully optimised at once rather than after tier-0 and on-stack replacement.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double Walk(ReadOnlySpan<double> av, ReadOnlySpan<double> bv, long ca, long cb, double na, double nb)
    {
        int i = 0;
        int j = 0;
        double best = 0;
        while (i < av.Length || j < bv.Length)
        {
            double v = j >= bv.Length || (i < av.Length && av[i] <= bv[j]) ? av[i] : bv[j];
            while (i < av.Length && av[i] == v)
            {
                ca++;
                i++;
            }

            while (j < bv.Length && bv[j] == v)
            {
                cb++;
                j++;
            }

            double diff = (ca / na) - (cb / nb);
            best = Math.Max(best, Math.Abs(diff));
        }

        return best;
    }

    /// <summary>The two-sided p-value of statistic <paramref name="d"/> for sample sizes <paramref name="n"/> and <paramref name="m"/>.</summary>
    public static double PValue(double d, long n, long m) => StatisticAndPValue(d, n, m).PValue;

    /// <summary>
    /// Above this effective sample size n·m/(n+m) the p-value comes from the limiting Kolmogorov distribution with
    /// Stephens' finite-n correction instead of scipy's exact finite-n distribution (20,000).
    /// </summary>
    public const long AsymptoticAbove = 20_000;

    /// <summary>
    /// The p-value and the statistic scipy reports with it: on the exact branch the statistic is rounded to the
    /// nearest multiple of 1/lcm(n, m), the lattice it lives on.
    /// </summary>
    internal static (double Statistic, double PValue) StatisticAndPValue(double d, long n, long m)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(m);
        if (!(d >= 0 && d <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(d), d, "A KS statistic lies in [0, 1].");
        }

        if (Math.Max(n, m) <= MaxExactSize && !ExactIsMoot(d, n, m))
        {
            long g = Gcd(n, m);
            long lcm = n / g * m;
            long h = (long)Math.Round(d * lcm, MidpointRounding.ToEven);
            double dl = h * 1.0 / lcm;
            if (h == 0)
            {
                return (dl, 1.0);
            }

            double prob = n == m ? ProbOutsideSquare(n, h) : OuterProbInside(n, m, g, h);
            if (prob >= 0 && prob <= 1)
            {
                return (dl, prob);
            }

            d = dl;
        }

        double big = Math.Max(n, m);
        double small = Math.Min(n, m);
        double en = big * small / (big + small);
        long effective = (long)Math.Round(en, MidpointRounding.ToEven);
        if (effective > AsymptoticAbove)
        {
            // Deliberately not scipy here: its finite-n distribution costs O(n) per p-value (7 ms at n = 100,000,
            // most of a second for a 100-feature window); the limit with Stephens' correction is O(1) and within
            // 2.1% relative of it for every p ≥ 1e-10 at these sizes (docs/statistics-numeric.md).
            double root = Math.Sqrt(effective);
            return (d, KolmogorovDistribution.LimitSf((root + 0.12 + (0.11 / root)) * d));
        }

        return (d, Math.Clamp(KolmogorovDistribution.Sf(effective, d), 0, 1));
    }

    /// <summary>
    /// Above this n·m, unequal sizes and a clearly drifted statistic skip the exact distribution (4,000,000).
    /// </summary>
    public const double ExactWorkLimit = 4e6;

    /// <summary>
    /// Hodges' inside method costs O(n·m) divisions when D is large (the band covers the whole lattice): for a
    /// fully drifted window of 5,000 against a reference of 10,000 that is 50 million steps, about a quarter of a
    /// second per feature on the ingest's thread. When the limiting distribution already puts p below 1e-12 —
    /// drift by any threshold — the p-value comes from scipy's asymptotic branch (kstwo at the effective n)
    /// instead, as scipy itself does above 10,000. Equal sizes keep the exact path: it is O(n) there.
    /// </summary>
    private static bool ExactIsMoot(double d, long n, long m)
    {
        if (n == m || (double)n * m <= ExactWorkLimit)
        {
            return false;
        }

        double en = (double)n * m / (n + m);
        double root = Math.Sqrt(en);
        return KolmogorovDistribution.LimitSf((root + 0.12 + (0.11 / root)) * d) < 1e-12;
    }

    private static long Gcd(long a, long b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }

    /// <summary>P(D_{n,n} ≥ h/n) by the alternating series, summed Horner-style to avoid cancellation.</summary>
    private static double ProbOutsideSquare(long n, long h)
    {
        double p = 0;
        long k = (long)Math.Floor((double)n / h);
        while (k >= 0)
        {
            double p1 = 1.0;
            for (long j = 0; j < h; j++)
            {
                p1 = (n - (k * h) - j) * p1 / (n + (k * h) + j + 1);
            }

            p = p1 * (1.0 - p);
            k--;
        }

        return 2 * p;
    }

    /// <summary>
    /// The proportion of lattice paths from (0,0) to (m,n) leaving the band |x/m − y/n| &lt; h/lcm(m,n),
    /// computed directly as 1 − p (Hodges' inside method in Viehmann's stable form).
    /// </summary>
    private static double OuterProbInside(long m, long n, long g, long h)
    {
        if (m < n)
        {
            (m, n) = (n, m);
        }

        long mg = m / g;
        long ng = n / g;
        long minj = 0;
        long maxj = Math.Min((long)Math.Ceiling((double)h / mg), n + 1);
        long curlen = maxj - minj;
        long lenA = Math.Min((2 * maxj) + 2, n + 1);
        var a = new double[lenA];
        Array.Fill(a, 1.0);
        Array.Fill(a, 0.0, (int)minj, (int)(maxj - minj));
        for (long i = 1; i <= m; i++)
        {
            long lastminj = minj;
            long lastlen = curlen;
            minj = Math.Max((long)Math.Floor((double)((ng * i) - h) / mg) + 1, 0);
            minj = Math.Min(minj, n);
            maxj = Math.Min((long)Math.Ceiling((double)((ng * i) + h) / mg), n + 1);
            if (maxj <= minj)
            {
                return 1.0;
            }

            double val = minj == 0 ? 0.0 : 1.0;
            for (long jj = 0; jj < maxj - minj; jj++)
            {
                long j = jj + minj;
                val = ((a[jj + minj - lastminj] * i) + (val * j)) / (i + j);
                a[jj] = val;
            }

            curlen = maxj - minj;
            if (lastlen > curlen)
            {
                long start = maxj - minj;
                Array.Fill(a, 1.0, (int)start, (int)Math.Min(lastlen - curlen, lenA - start));
            }
        }

        return a[maxj - minj - 1];
    }
}
