namespace Monitor.Core.Drift.Numeric;

/// <summary>
/// The k-sample Anderson–Darling test for two samples as scipy 1.10 <c>anderson_ksamp([a, b], midrank=True)</c>
/// (Scholz and Stephens 1987, A²akN with midranks for ties), standardised, with scipy's significance level.
/// </summary>
internal static class AndersonDarling
{
    /// <summary>The cap on the significance level: scipy's table covers 0.25 down to 0.001 only.</summary>
    public const double MaxPValue = 0.25;

    /// <summary>The floor on the significance level.</summary>
    public const double MinPValue = 0.001;

    // Critical values for k − 1 = 1 (b0 + b1/sqrt(1) + b2/1 of Scholz and Stephens' Table 2) and the
    // coefficients numpy.polyfit(critical, log(sig), 2) gives for them in numpy 1.24.
    private const double CriticalMin = 0.32500000000000007;
    private const double CriticalMax = 6.546;
    private const double Fit2 = 0.01819809457411139;
    private const double Fit1 = -1.008226564465251;
    private const double Fit0 = -1.0777702798204876;

    public static (double Statistic, double PValue) Test(NumericSample reference, NumericSample current)
    {
        long n1 = reference.Count;
        long n2 = current.Count;
        long total = checked(n1 + n2);
        if (total < 4)
        {
            throw new ArgumentException(
                $"The Anderson–Darling test needs at least 4 observations in the two samples together; got {total}.", nameof(current));
        }

        double bigN = total;
        var av = reference.Values;
        var aw = reference.Weights;
        var bv = current.Values;
        var bw = current.Weights;
        long ca = 0;
        long cb = 0;
        int i = 0;
        int j = 0;
        int distinct = 0;
        double sumA = 0;
        double sumB = 0;
        while (i < av.Length || j < bv.Length)
        {
            double x = j >= bv.Length || (i < av.Length && av[i] <= bv[j]) ? av[i] : bv[j];
            long fa = 0;
            long fb = 0;
            while (i < av.Length && av[i] == x)
            {
                fa += aw.IsEmpty ? 1 : aw[i];
                i++;
            }

            while (j < bv.Length && bv[j] == x)
            {
                fb += bw.IsEmpty ? 1 : bw[j];
                j++;
            }

            distinct++;
            double lj = fa + fb;
            double bj = ca + cb + (lj / 2.0);
            double denominator = (bj * (bigN - bj)) - (bigN * lj / 4.0);
            ca += fa;
            cb += fb;
            double ma = ca - (fa / 2.0);
            double mb = cb - (fb / 2.0);
            double da = (bigN * ma) - (bj * n1);
            double db = (bigN * mb) - (bj * n2);
            sumA += lj / bigN * da * da / denominator;
            sumB += lj / bigN * db * db / denominator;
        }

        if (distinct < 2)
        {
            // One value in both samples: they cannot differ. scipy raises; we report no evidence at the cap.
            return (0.0, MaxPValue);
        }

        double a2kn = ((sumA / n1) + (sumB / n2)) * (bigN - 1.0) / bigN;

        const int K = 2;
        double hh = (1.0 / n1) + (1.0 / n2);
        var (h, g) = HarmonicSums(total);
        double ca2 = (((4 * g) - 6) * (K - 1)) + ((10 - (6 * g)) * hh);
        double cb2 = (((2 * g) - 4) * K * K) + (8 * h * K) + ((((2 * g) - (14 * h)) - 4) * hh) - (8 * h) + (4 * g) - 6;
        double cc2 = (((6 * h) + (2 * g) - 2) * K * K) + (((4 * h) - (4 * g) + 6) * K) + (((2 * h) - 6) * hh) + (4 * h);
        double cd2 = (((2 * h) + 6) * K * K) - (4 * h * K);
        double sigmaSquared = ((ca2 * bigN * bigN * bigN) + (cb2 * bigN * bigN) + (cc2 * bigN) + cd2)
            / ((bigN - 1.0) * (bigN - 2.0) * (bigN - 3.0));
        double a2 = (a2kn - (K - 1)) / Math.Sqrt(sigmaSquared);
        return (a2, SignificanceLevel(a2));
    }

    /// <summary>
    /// h = H_{N−1} and g = Σ_{i=1}^{N−2} Σ_{j=i+1}^{N−1} 1/((N−i)·j) of Scholz and Stephens. Up to a million
    /// observations summed in scipy's order (so results match it to rounding); above, from the identity
    /// g = H_N^(2) − 2·H_{N−1}/N − 1/N² and the asymptotic expansions of H_n and H_n^(2), which are exact to
    /// double precision at that size and keep sketch-sized counts O(1).
    /// </summary>
    internal static (double H, double G) HarmonicSums(long total)
    {
        if (total <= 1_000_000)
        {
            double cumulative = 0;
            double g = 0;
            for (long t = 0; t <= total - 3; t++)
            {
                cumulative += 1.0 / (total - 1 - t);
                g += cumulative / (t + 2);
            }

            return (cumulative + 1, g);
        }

        const double EulerGamma = 0.57721566490153286061;
        double n1 = total - 1;
        double harmonic = Math.Log(n1) + EulerGamma + (1 / (2 * n1)) - (1 / (12 * n1 * n1)) + (1 / (120 * n1 * n1 * n1 * n1));
        double n = total;
        double harmonic2 = (Math.PI * Math.PI / 6) - (1 / n) + (1 / (2 * n * n)) - (1 / (6 * n * n * n));
        return (harmonic, harmonic2 - (2 * harmonic / n) - (1 / (n * n)));
    }

    /// <summary>scipy's interpolation of log(significance) in the standardised statistic, capped to [0.001, 0.25].</summary>
    internal static double SignificanceLevel(double a2)
    {
        if (a2 < CriticalMin)
        {
            return MaxPValue;
        }

        if (a2 > CriticalMax)
        {
            return MinPValue;
        }

        return Math.Exp((((Fit2 * a2) + Fit1) * a2) + Fit0);
    }
}
