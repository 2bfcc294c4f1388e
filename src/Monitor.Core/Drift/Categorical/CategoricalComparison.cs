namespace Monitor.Core.Drift.Categorical;

/// <summary>
/// Comparisons of a current categorical window with its reference that are not drift tests but feed the same
/// evaluation, such as the share of categories the reference never had (a data-quality signal in its own right:
/// a new country code or an unmapped label).
/// </summary>
public static class CategoricalComparison
{
    /// <summary>
    /// The number of current observations in categories with no reference observation.
    /// <see cref="CategoricalDistribution.OtherCategory"/> is an ordinary category here: it is unseen only when the
    /// reference has no <c>__other__</c> count.
    /// </summary>
    public static long UnseenCount(CategoricalDistribution reference, CategoricalDistribution current)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        long unseen = 0;
        foreach (var (category, count) in current.Counts)
        {
            if (reference.CountOf(category) == 0)
            {
                unseen += count;
            }
        }

        return unseen;
    }

    /// <summary>
    /// The share of current observations in categories with no reference observation, in [0, 1]; 0 for an empty
    /// current window (nothing observed, nothing unseen).
    /// </summary>
    public static double UnseenShare(CategoricalDistribution reference, CategoricalDistribution current)
    {
        long unseen = UnseenCount(reference, current);
        return current.Total == 0 ? 0 : (double)unseen / current.Total;
    }
}
