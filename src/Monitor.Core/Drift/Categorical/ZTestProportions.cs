namespace Monitor.Core.Drift.Categorical;

/// <summary>
/// Two-proportion pooled z-test, two-sided, on the share of one category in the reference against its share in
/// the current window; as statsmodels <c>proportions_ztest([x_ref, x_cur], [n_ref, n_cur])</c>. The statistic is
/// the signed z (positive when the share fell), the decision uses the p-value.
/// </summary>
/// <remarks>
/// <para>The tracked category is, unless given, the reference's most frequent one (ties broken by the
/// ordinal-first name), fixed at <see cref="Fit"/>. For two categories this is the whole story (both shares
/// give the same |z|); for more, prefer <see cref="ChiSquareTest"/>. For two categories z² equals the
/// chi-square statistic of <see cref="ChiSquareTest"/>.</para>
/// <para>Unseen categories (current only) count in the current total but not as the tracked category, so they
/// lower its current share. When the pooled share is 0 or 1 (both windows entirely outside or entirely inside
/// the tracked category) there is no variance and no evidence of change: z = 0, p-value = 1.</para>
/// </remarks>
public sealed class ZTestProportions : ICategoricalDriftTest
{
    /// <summary>The name rule files use: <c>ztest</c>.</summary>
    public const string TestName = "ztest";

    private readonly string? _category;

    /// <summary>Tracks the reference's most frequent category.</summary>
    public ZTestProportions()
    {
    }

    /// <summary>Tracks the share of <paramref name="category"/> (e.g. the positive class of a prediction).</summary>
    public ZTestProportions(string category)
    {
        ArgumentNullException.ThrowIfNull(category);
        _category = category;
    }

    /// <inheritdoc />
    public string Name => TestName;

    /// <inheritdoc />
    public FeatureKind Kind => FeatureKind.Categorical;

    /// <inheritdoc />
    public ThresholdKind ThresholdKind => ThresholdKind.PValueBelow;

    /// <summary>Drift when p &lt; 0.05.</summary>
    public double DefaultThreshold => 0.05;

    /// <inheritdoc />
    public ICategoricalDriftDetector Fit(CategoricalDistribution reference)
    {
        CategoricalStatistics.RequireObservations(reference, nameof(reference));
        return new ZTestProportionsDetector(reference, _category ?? MostFrequent(reference));
    }

    internal static string MostFrequent(CategoricalDistribution reference)
    {
        string? best = null;
        long bestCount = -1;
        foreach (var (category, count) in reference.Counts)
        {
            if (count > bestCount || (count == bestCount && string.CompareOrdinal(category, best) < 0))
            {
                best = category;
                bestCount = count;
            }
        }

        return best ?? throw new ArgumentException("The reference has no categories.", nameof(reference));
    }
}

/// <summary>A <see cref="ZTestProportions"/> fitted to one reference distribution and category.</summary>
internal sealed class ZTestProportionsDetector(CategoricalDistribution reference, string category) : ICategoricalDriftDetector
{
    private readonly long _referenceCount = reference.CountOf(category);
    private readonly long _referenceTotal = reference.Total;

    /// <summary>The category whose share is compared.</summary>
    public string Category { get; } = category;

    public DriftResult Evaluate(CategoricalDistribution current, double threshold)
    {
        CategoricalStatistics.RequireObservations(current, nameof(current));
        CategoricalStatistics.RequireThreshold(threshold, ThresholdKind.PValueBelow);
        double z = CategoricalStatistics.ProportionsZ(
            _referenceCount, _referenceTotal, current.CountOf(Category), current.Total, out double pValue);
        return DriftResult.Decide(ZTestProportions.TestName, z, pValue, threshold, ThresholdKind.PValueBelow);
    }
}
