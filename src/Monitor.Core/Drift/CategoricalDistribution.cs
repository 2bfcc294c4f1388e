namespace Monitor.Core.Drift;

/// <summary>
/// Counts per category of one categorical feature. Categories are compared by ordinal string equality.
/// </summary>
/// <remarks>
/// The accumulators cap the number of distinct categories they track; what falls beyond the cap is counted
/// under <see cref="OtherCategory"/>, which the tests treat as one more category.
/// </remarks>
public sealed class CategoricalDistribution
{
    /// <summary>The bucket for categories beyond the tracked cap.</summary>
    public const string OtherCategory = "__other__";

    private readonly Dictionary<string, long> _counts;

    private CategoricalDistribution(Dictionary<string, long> counts, long total)
    {
        _counts = counts;
        Total = total;
    }

    /// <summary>Counts per category (no zero entries).</summary>
    public IReadOnlyDictionary<string, long> Counts => _counts;

    /// <summary>The number of observations.</summary>
    public long Total { get; }

    /// <summary>The count of <paramref name="category"/>, 0 when it was never seen.</summary>
    public long CountOf(string category) => _counts.TryGetValue(category, out long c) ? c : 0;

    /// <summary>Builds a distribution from counts; zero counts are dropped, negative ones rejected.</summary>
    public static CategoricalDistribution FromCounts(IEnumerable<KeyValuePair<string, long>> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var map = new Dictionary<string, long>(StringComparer.Ordinal);
        long total = 0;
        foreach (var (key, count) in counts)
        {
            ArgumentNullException.ThrowIfNull(key, nameof(counts));
            if (count < 0)
            {
                throw new ArgumentException($"Category '{key}' has a negative count {count}.", nameof(counts));
            }

            if (count == 0)
            {
                continue;
            }

            map[key] = map.TryGetValue(key, out long prior) ? checked(prior + count) : count;
            total = checked(total + count);
        }

        return new CategoricalDistribution(map, total);
    }

    /// <summary>Counts the given observations.</summary>
    public static CategoricalDistribution FromValues(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var map = new Dictionary<string, long>(StringComparer.Ordinal);
        long total = 0;
        foreach (string v in values)
        {
            ArgumentNullException.ThrowIfNull(v, nameof(values));
            map[v] = map.TryGetValue(v, out long c) ? c + 1 : 1;
            total++;
        }

        return new CategoricalDistribution(map, total);
    }

    /// <summary>
    /// Lines up reference and current counts over the union of their categories, in ordinal order of the
    /// category name so results do not depend on insertion order. Categories seen only in the current window
    /// (unseen categories) get a reference count of 0 and are reported by <paramref name="unseen"/>.
    /// </summary>
    public static (string[] Categories, long[] Reference, long[] Current) Align(
        CategoricalDistribution reference, CategoricalDistribution current, out int unseen)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        var keys = new SortedSet<string>(reference._counts.Keys, StringComparer.Ordinal);
        unseen = 0;
        foreach (string k in current._counts.Keys)
        {
            if (keys.Add(k))
            {
                unseen++;
            }
        }

        var categories = new string[keys.Count];
        var r = new long[keys.Count];
        var c = new long[keys.Count];
        int i = 0;
        foreach (string k in keys)
        {
            categories[i] = k;
            r[i] = reference.CountOf(k);
            c[i] = current.CountOf(k);
            i++;
        }

        return (categories, r, c);
    }
}
