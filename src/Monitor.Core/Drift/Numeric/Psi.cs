namespace Monitor.Core.Drift.Numeric;

/// <summary>The population stability index over shared bins.</summary>
/// <remarks>
/// PSI = Σ (q − p)·ln(q / p) with p, q the reference and current proportions per bin, each floored at
/// <see cref="DefaultEpsilon"/> and not renormalised (as Evidently). Natural logarithm.
/// </remarks>
public static class Psi
{
    /// <summary>
    /// The floor for bin proportions (1e-4). An empty bin would make PSI infinite; the floor bounds an empty
    /// bin's contribution by about ln(1/ε) ≈ 9.2, and proportions below 1 in 10,000 are below what typical
    /// windows can resolve. It is the value Evidently uses, so thresholds carry over.
    /// </summary>
    public const double DefaultEpsilon = 1e-4;

    /// <summary>PSI from bin counts of the reference and the current sample.</summary>
    /// <param name="reference">Reference counts per bin.</param>
    /// <param name="current">Current counts per bin (same bins).</param>
    /// <param name="epsilon">The proportion floor (default <see cref="DefaultEpsilon"/>).</param>
    public static double FromCounts(ReadOnlySpan<long> reference, ReadOnlySpan<long> current, double epsilon = DefaultEpsilon)
    {
        var (rt, ct) = BinnedDistance.Totals(reference, current);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epsilon);
        double sum = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            double p = Math.Max((double)reference[i] / rt, epsilon);
            double q = Math.Max((double)current[i] / ct, epsilon);
            sum += (q - p) * Math.Log(q / p);
        }

        return sum;
    }
}
