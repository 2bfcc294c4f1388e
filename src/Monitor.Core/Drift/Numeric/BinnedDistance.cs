namespace Monitor.Core.Drift.Numeric;

/// <summary>
/// Distances between two binned distributions, computed from exact bin counts so streaming windows can use
/// them without raw values.
/// </summary>
public static class BinnedDistance
{
    /// <summary>
    /// The Jensen–Shannon distance (the square root of the divergence) with base-2 logarithms, so it lies in
    /// [0, 1]; as scipy.spatial.distance.jensenshannon(p, q, base=2). Needs no epsilon: the mixture is positive
    /// wherever either side is.
    /// </summary>
    public static double JensenShannon(ReadOnlySpan<long> reference, ReadOnlySpan<long> current)
    {
        var (rt, ct) = Totals(reference, current);
        double sum = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            double p = (double)reference[i] / rt;
            double q = (double)current[i] / ct;
            double m = (p + q) / 2;
            if (p > 0)
            {
                sum += p * Math.Log(p / m);
            }

            if (q > 0)
            {
                sum += q * Math.Log(q / m);
            }
        }

        double divergence = sum / 2 / Math.Log(2);
        return Math.Sqrt(Math.Max(divergence, 0));
    }

    /// <summary>
    /// The Hellinger distance sqrt(1 − Σ sqrt(p·q)), in [0, 1], computed in the equal, cancellation-free form
    /// sqrt(Σ (sqrt p − sqrt q)² / 2) so that identical distributions give exactly 0.
    /// </summary>
    public static double Hellinger(ReadOnlySpan<long> reference, ReadOnlySpan<long> current)
    {
        var (rt, ct) = Totals(reference, current);
        double sum = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            double d = Math.Sqrt(reference[i] / rt) - Math.Sqrt(current[i] / ct);
            sum += d * d;
        }

        // Rounding can push disjoint distributions a hair past 1; the distance is bounded by definition.
        return Math.Min(Math.Sqrt(sum / 2), 1.0);
    }

    /// <summary>
    /// KL(reference ‖ current) in nats, as scipy.stats.entropy(p, q): proportions are floored at
    /// <paramref name="epsilon"/> (the PSI floor) and then renormalised to sum to 1.
    /// </summary>
    public static double KullbackLeibler(ReadOnlySpan<long> reference, ReadOnlySpan<long> current, double epsilon = Psi.DefaultEpsilon)
    {
        var (rt, ct) = Totals(reference, current);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epsilon);
        double ps = 0;
        double qs = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            ps += Math.Max((double)reference[i] / rt, epsilon);
            qs += Math.Max((double)current[i] / ct, epsilon);
        }

        double sum = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            double p = Math.Max((double)reference[i] / rt, epsilon) / ps;
            double q = Math.Max((double)current[i] / ct, epsilon) / qs;
            sum += p * Math.Log(p / q);
        }

        return Math.Max(sum, 0);
    }

    internal static (double ReferenceTotal, double CurrentTotal) Totals(ReadOnlySpan<long> reference, ReadOnlySpan<long> current)
    {
        if (reference.Length != current.Length)
        {
            throw new ArgumentException($"Reference has {reference.Length} bins and current {current.Length}; they must share the bins.", nameof(current));
        }

        long rt = 0;
        long ct = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            if (reference[i] < 0 || current[i] < 0)
            {
                throw new ArgumentException($"Bin {i} has a negative count.", nameof(reference));
            }

            rt = checked(rt + reference[i]);
            ct = checked(ct + current[i]);
        }

        if (rt == 0)
        {
            throw new ArgumentException("The reference counts are all zero; a drift test needs at least one observation on each side.", nameof(reference));
        }

        if (ct == 0)
        {
            throw new ArgumentException("The current counts are all zero; a drift test needs at least one observation on each side.", nameof(current));
        }

        return (rt, ct);
    }
}
