namespace Monitor.Core.Statistics;

/// <summary>
/// Multiple-testing corrections for the p-values of drift tests run on many features at once. With 50 features
/// tested at α = 0.05, about 2.5 alert by chance every window; these corrections keep that in check. Adjusted
/// p-values and decisions match statsmodels <c>multipletests(method='bonferroni' | 'fdr_bh')</c>.
/// </summary>
/// <remarks>
/// Every p-value must lie in [0, 1]; NaN or anything outside is rejected with <see cref="ArgumentException"/>
/// rather than silently skipped, because dropping a test would change m and with it every other decision.
/// </remarks>
public static class MultipleTesting
{
    // Above this the sort buffers come from the heap instead of the stack.
    private const int StackLimit = 256;

    /// <summary>Bonferroni-adjusted p-values: min(1, m·p) for m tests.</summary>
    /// <param name="pValues">The raw p-values, in [0, 1].</param>
    /// <param name="adjusted">Receives the adjusted p-values, same order and length; may be the memory of <paramref name="pValues"/> (in place).</param>
    public static void Bonferroni(ReadOnlySpan<double> pValues, Span<double> adjusted)
    {
        Validate(pValues, adjusted.Length);
        double m = pValues.Length;
        for (int i = 0; i < pValues.Length; i++)
        {
            adjusted[i] = Math.Min(pValues[i] * m, 1);
        }
    }

    /// <summary>
    /// Benjamini–Hochberg adjusted p-values: for the p-value of rank k among m (ascending),
    /// min over j ≥ k of m·p₍ⱼ₎ / j, capped at 1. Monotone in p and never below the raw p-value.
    /// </summary>
    /// <param name="pValues">The raw p-values, in [0, 1].</param>
    /// <param name="adjusted">Receives the adjusted p-values, same order and length; may be the memory of <paramref name="pValues"/> (in place).</param>
    public static void BenjaminiHochberg(ReadOnlySpan<double> pValues, Span<double> adjusted)
    {
        Validate(pValues, adjusted.Length);
        int m = pValues.Length;
        if (m == 0)
        {
            return;
        }

        Span<double> sorted = m <= StackLimit ? stackalloc double[m] : new double[m];
        Span<int> order = m <= StackLimit ? stackalloc int[m] : new int[m];
        SortAscending(pValues, sorted, order);

        // As statsmodels: p₍ₖ₎ / (k/m), then a running minimum from the largest rank down, then the cap.
        double running = double.PositiveInfinity;
        for (int k = m; k >= 1; k--)
        {
            double raw = sorted[k - 1] / ((double)k / m);
            running = Math.Min(running, raw);
            adjusted[order[k - 1]] = Math.Min(running, 1);
        }
    }

    /// <summary>
    /// Which hypotheses to reject at level <paramref name="alpha"/> under a correction. A p-value is rejected
    /// when it is ≤ the corrected level, as statsmodels does: p ≤ α (none), p ≤ α/m (Bonferroni), and for
    /// Benjamini–Hochberg every p-value up to the largest rank k with p₍ₖ₎ ≤ (k/m)·α.
    /// </summary>
    /// <param name="pValues">The raw p-values, in [0, 1].</param>
    /// <param name="alpha">The family-wise error rate (Bonferroni) or false discovery rate (BH), in [0, 1].</param>
    /// <param name="method">The correction.</param>
    /// <param name="rejected">Receives one decision per p-value, same order and length.</param>
    public static void Reject(ReadOnlySpan<double> pValues, double alpha, Correction method, Span<bool> rejected)
    {
        Validate(pValues, rejected.Length);
        if (alpha is not (>= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "The significance level must lie in [0, 1].");
        }

        int m = pValues.Length;
        switch (method)
        {
            case Correction.None:
                for (int i = 0; i < m; i++)
                {
                    rejected[i] = pValues[i] <= alpha;
                }

                break;
            case Correction.Bonferroni:
                double level = alpha / m;
                for (int i = 0; i < m; i++)
                {
                    rejected[i] = pValues[i] <= level;
                }

                break;
            case Correction.BenjaminiHochberg:
                RejectBenjaminiHochberg(pValues, alpha, rejected);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown correction.");
        }
    }

    private static void RejectBenjaminiHochberg(ReadOnlySpan<double> pValues, double alpha, Span<bool> rejected)
    {
        int m = pValues.Length;
        if (m == 0)
        {
            return;
        }

        Span<double> sorted = m <= StackLimit ? stackalloc double[m] : new double[m];
        Span<int> order = m <= StackLimit ? stackalloc int[m] : new int[m];
        SortAscending(pValues, sorted, order);
        int largest = 0;
        for (int k = 1; k <= m; k++)
        {
            if (sorted[k - 1] <= (double)k / m * alpha)
            {
                largest = k;
            }
        }

        for (int k = 1; k <= m; k++)
        {
            rejected[order[k - 1]] = k <= largest;
        }
    }

    private static void SortAscending(ReadOnlySpan<double> pValues, Span<double> sorted, Span<int> order)
    {
        pValues.CopyTo(sorted);
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        sorted.Sort(order);
    }

    private static void Validate(ReadOnlySpan<double> pValues, int outputLength)
    {
        if (outputLength != pValues.Length)
        {
            throw new ArgumentException($"The output holds {outputLength} entries for {pValues.Length} p-values.", nameof(pValues));
        }

        for (int i = 0; i < pValues.Length; i++)
        {
            if (pValues[i] is not (>= 0 and <= 1))
            {
                throw new ArgumentException($"p-value at index {i} is {pValues[i]}; p-values lie in [0, 1] and NaN is not allowed.", nameof(pValues));
            }
        }
    }
}
