using MathNet.Numerics;

namespace Monitor.Core.Drift.Categorical;

/// <summary>
/// The statistics behind the categorical drift tests, computed on counts already aligned over the union of
/// categories (<see cref="CategoricalDistribution.Align"/>). Every method expects two spans of equal length
/// whose totals are positive; the detectors check that before calling.
/// </summary>
internal static class CategoricalStatistics
{
    /// <summary>
    /// The floor for proportions in PSI and KL (1e-4, the same floor numeric PSI applies to empty bins). Without
    /// it a category present on one side only makes both infinite; with it such a category still dominates
    /// the sum (a 5 % unseen share alone gives PSI ≈ 0.31), while shares below 0.01 % count as equal.
    /// </summary>
    public const double ProportionFloor = 1e-4;

    /// <summary>
    /// Pearson's chi-square test of homogeneity on the 2×K table [reference; current], without the Yates
    /// continuity correction (scipy <c>chi2_contingency(table, correction=False)</c>). One category gives
    /// 0 degrees of freedom: statistic 0, p-value 1.
    /// </summary>
    public static double ChiSquare(ReadOnlySpan<long> reference, ReadOnlySpan<long> current, out double pValue, out int degreesOfFreedom)
    {
        long nr = Sum(reference);
        long nc = Sum(current);
        long n = checked(nr + nc);
        degreesOfFreedom = reference.Length - 1;
        if (degreesOfFreedom == 0)
        {
            pValue = 1;
            return 0;
        }

        double refTerms = 0;
        double curTerms = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            long column = checked(reference[i] + current[i]);

            // As scipy's expected_freq: the integer product of the margins, then one division by the total.
            double expectedRef = (double)((Int128)nr * column) / n;
            double expectedCur = (double)((Int128)nc * column) / n;
            double dr = reference[i] - expectedRef;
            double dc = current[i] - expectedCur;
            refTerms += dr * dr / expectedRef;
            curTerms += dc * dc / expectedCur;
        }

        double statistic = refTerms + curTerms;
        pValue = ChiSquareSurvival(statistic, degreesOfFreedom);
        return statistic;
    }

    /// <summary>P(X ≥ x) for X ~ χ²(k), i.e. Q(k/2, x/2) (scipy <c>chi2.sf</c>).</summary>
    public static double ChiSquareSurvival(double x, int degreesOfFreedom) =>
        x <= 0 ? 1 : SpecialFunctions.GammaUpperRegularized(degreesOfFreedom / 2.0, x / 2.0);

    /// <summary>
    /// Population stability index Σ (q − p)·ln(q / p) over proportions floored at <see cref="ProportionFloor"/>
    /// (not renormalised, as numeric PSI). Every term is ≥ 0, so PSI ≥ 0, and it is symmetric in p and q.
    /// </summary>
    public static double Psi(ReadOnlySpan<long> reference, ReadOnlySpan<long> current)
    {
        double nr = Sum(reference);
        double nc = Sum(current);
        double psi = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            double p = Math.Max(reference[i] / nr, ProportionFloor);
            double q = Math.Max(current[i] / nc, ProportionFloor);
            psi += (q - p) * Math.Log(q / p);
        }

        return psi;
    }

    /// <summary>
    /// Jensen–Shannon distance in base 2 (scipy <c>spatial.distance.jensenshannon(p, q, base=2)</c>), in [0, 1].
    /// The mixture m = (p + q)/2 is positive wherever p or q is, so no floor is needed: a category absent on
    /// one side contributes p·ln(p/m) = p·ln 2 from the other side only.
    /// </summary>
    public static double JensenShannon(ReadOnlySpan<long> reference, ReadOnlySpan<long> current)
    {
        double nr = Sum(reference);
        double nc = Sum(current);
        double left = 0;
        double right = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            double p = reference[i] / nr;
            double q = current[i] / nc;
            double m = (p + q) / 2.0;
            left += RelativeEntropyTerm(p, m);
            right += RelativeEntropyTerm(q, m);
        }

        double js = (left + right) / Math.Log(2) / 2.0;

        // Rounding can leave a tiny negative divergence for nearly equal inputs; the true value is ≥ 0.
        return Math.Sqrt(Math.Max(js, 0));
    }

    /// <summary>
    /// Hellinger distance √(½ Σ (√p − √q)²), in [0, 1]. This form (rather than √(1 − Σ√(pq))) keeps precision
    /// for small distances, where the other cancels. No floor: a one-sided category adds its share.
    /// </summary>
    public static double Hellinger(ReadOnlySpan<long> reference, ReadOnlySpan<long> current)
    {
        double nr = Sum(reference);
        double nc = Sum(current);
        double sum = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            double d = Math.Sqrt(reference[i] / nr) - Math.Sqrt(current[i] / nc);
            sum += d * d;
        }

        // Rounding can push disjoint distributions a hair past 1; the distance is bounded by definition.
        return Math.Min(Math.Sqrt(sum) / Math.Sqrt(2), 1.0);
    }

    /// <summary>
    /// KL(reference ‖ current) in nats: both proportion vectors floored at <see cref="ProportionFloor"/> and then
    /// renormalised, as scipy <c>stats.entropy(p_floored, q_floored)</c> does; the renormalisation keeps the
    /// result a true divergence (≥ 0).
    /// </summary>
    public static double KlDivergence(ReadOnlySpan<long> reference, ReadOnlySpan<long> current)
    {
        double nr = Sum(reference);
        double nc = Sum(current);
        double sp = 0;
        double sq = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            sp += Math.Max(reference[i] / nr, ProportionFloor);
            sq += Math.Max(current[i] / nc, ProportionFloor);
        }

        double kl = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            double p = Math.Max(reference[i] / nr, ProportionFloor) / sp;
            double q = Math.Max(current[i] / nc, ProportionFloor) / sq;
            kl += RelativeEntropyTerm(p, q);
        }

        return Math.Max(kl, 0);
    }

    /// <summary>The largest absolute difference between the two proportion vectors, in [0, 1].</summary>
    public static double LInfinity(ReadOnlySpan<long> reference, ReadOnlySpan<long> current)
    {
        double nr = Sum(reference);
        double nc = Sum(current);
        double max = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            max = Math.Max(max, Math.Abs((reference[i] / nr) - (current[i] / nc)));
        }

        return max;
    }

    /// <summary>
    /// The pooled two-proportion z-test, two-sided (statsmodels <c>proportions_ztest([x1, x2], [n1, n2])</c>):
    /// z = (x1/n1 − x2/n2) / √(p̂(1 − p̂)(1/n1 + 1/n2)) with p̂ = (x1 + x2)/(n1 + n2). When p̂ is 0 or 1 both
    /// samples are all-out or all-in, there is no variance and no evidence of a difference: z = 0, p = 1.
    /// </summary>
    public static double ProportionsZ(long x1, long n1, long x2, long n2, out double pValue)
    {
        double p1 = x1 * 1.0 / n1;
        double p2 = x2 * 1.0 / n2;
        double pooled = checked(x1 + x2) * 1.0 / checked(n1 + n2);
        double variance = pooled * (1 - pooled) * ((1.0 / n1) + (1.0 / n2));
        if (!(variance > 0))
        {
            pValue = 1;
            return 0;
        }

        double z = (p1 - p2) / Math.Sqrt(variance);
        pValue = NormalTwoSided(z);
        return z;
    }

    /// <summary>2·P(Z ≥ |z|) for a standard normal Z, i.e. erfc(|z|/√2).</summary>
    public static double NormalTwoSided(double z) => SpecialFunctions.Erfc(Math.Abs(z) / Math.Sqrt(2));

    /// <summary>Rejects an empty distribution: no statistic here is defined on zero observations.</summary>
    public static void RequireObservations(CategoricalDistribution distribution, string paramName)
    {
        ArgumentNullException.ThrowIfNull(distribution, paramName);
        if (distribution.Total == 0)
        {
            throw new ArgumentException("The distribution has no observations; a drift test needs at least one on each side.", paramName);
        }
    }

    /// <summary>Rejects a threshold the decision rule cannot use (NaN, a negative distance, a p-value outside [0, 1]).</summary>
    public static void RequireThreshold(double threshold, ThresholdKind kind)
    {
        bool valid = kind == ThresholdKind.PValueBelow ? threshold is >= 0 and <= 1 : threshold >= 0;
        if (!valid)
        {
            string expected = kind == ThresholdKind.PValueBelow ? "a significance level in [0, 1]" : "a non-negative statistic bound";
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, $"The threshold must be {expected}.");
        }
    }

    /// <summary>scipy's <c>rel_entr</c>: x·ln(x/y) for x, y &gt; 0 and 0 for x = 0.</summary>
    private static double RelativeEntropyTerm(double x, double y) => x > 0 ? x * Math.Log(x / y) : 0;

    private static long Sum(ReadOnlySpan<long> counts)
    {
        long total = 0;
        foreach (long c in counts)
        {
            total = checked(total + c);
        }

        return total;
    }
}
