using Monitor.Core.Drift;

namespace Monitor.Core.Accumulators;

/// <summary>
/// Counts of one categorical stream (a feature or the predicted label) in one window pane, with a bounded
/// number of distinct categories.
/// </summary>
/// <remarks>
/// The baseline's categories are always tracked. Up to <see cref="Cap"/> further (unseen) categories are
/// tracked by name; any unseen category beyond that is counted in <see cref="CategoricalDistribution.OtherCategory"/>
/// and <see cref="Overflow"/>, so every observation is counted and the unseen share stays exact even when names
/// are not kept. <see cref="IsExact"/> says whether any name was folded away. Known categories are looked up by
/// span, so accumulating them allocates nothing.
/// </remarks>
public sealed class CategoricalAccumulator
{
    private const byte Tag = 0x43; // 'C'
    private const byte Version = 1;

    private readonly Dictionary<string, Entry> _counts;
    private readonly Dictionary<string, Entry>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly IReadOnlySet<string> _known;
    private int _unseenTracked;

    /// <summary>Creates an empty accumulator.</summary>
    /// <param name="knownCategories">The baseline's categories (tracked without counting against the cap).</param>
    /// <param name="cap">How many unseen categories to track by name (default 1,000 in the rules).</param>
    public CategoricalAccumulator(IReadOnlySet<string> knownCategories, int cap)
    {
        ArgumentNullException.ThrowIfNull(knownCategories);
        ArgumentOutOfRangeException.ThrowIfNegative(cap);
        _known = knownCategories;
        Cap = cap;
        _counts = new Dictionary<string, Entry>(knownCategories.Count + 8, StringComparer.Ordinal);
        _lookup = _counts.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Unseen categories tracked by name at most.</summary>
    public int Cap { get; }

    /// <summary>Observations counted.</summary>
    public long Count { get; private set; }

    /// <summary>Events where the field was null or absent.</summary>
    public long Missing { get; private set; }

    /// <summary>Events where the field had the wrong JSON type (an object or array, say).</summary>
    public long TypeErrors { get; private set; }

    /// <summary>Observations of categories the baseline does not have (all of them, tracked by name or not).</summary>
    public long Unseen { get; private set; }

    /// <summary>Observations of unseen categories beyond the cap, counted under the other bucket.</summary>
    public long Overflow { get; private set; }

    /// <summary>Whether every category is still counted under its own name.</summary>
    public bool IsExact => Overflow == 0;

    /// <summary>Counts one observation of <paramref name="category"/>.</summary>
    public void Add(ReadOnlySpan<char> category)
    {
        if (_lookup.TryGetValue(category, out Entry? entry))
        {
            entry.Count++;
            Count++;
            if (!entry.Known)
            {
                Unseen++;
            }

            return;
        }

        Add(category.ToString(), 1);
    }

    /// <summary>Counts <paramref name="count"/> observations of <paramref name="category"/>.</summary>
    public void Add(string category, long count = 1)
    {
        ArgumentNullException.ThrowIfNull(category);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        Count += count;
        bool known = _known.Contains(category);
        if (!known)
        {
            Unseen += count;
        }

        if (_counts.TryGetValue(category, out Entry? entry))
        {
            entry.Count += count;
        }
        else if (known || _unseenTracked < Cap)
        {
            _counts[category] = new Entry { Count = count, Known = known };
            if (!known)
            {
                _unseenTracked++;
            }
        }
        else
        {
            Overflow += count;
        }
    }

    /// <summary>Counts an event whose field was null or absent.</summary>
    public void AddMissing() => Missing++;

    /// <summary>Counts an event whose field had the wrong type.</summary>
    public void AddTypeError() => TypeErrors++;

    /// <summary>Adds everything <paramref name="other"/> holds (categories beyond the cap fold into the other bucket).</summary>
    public void Merge(CategoricalAccumulator other)
    {
        ArgumentNullException.ThrowIfNull(other);
        // Ordinal order makes the categories that survive the cap independent of dictionary order.
        foreach (var (category, entry) in other._counts.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            Add(category, entry.Count);
        }

        Count += other.Overflow;
        Unseen += other.Overflow;
        Overflow += other.Overflow;
        Missing += other.Missing;
        TypeErrors += other.TypeErrors;
    }

    /// <summary>The counts as a distribution for the drift tests (overflow under the other bucket).</summary>
    public CategoricalDistribution ToDistribution()
    {
        IEnumerable<KeyValuePair<string, long>> counts = _counts.Select(kv => new KeyValuePair<string, long>(kv.Key, kv.Value.Count));
        if (Overflow > 0)
        {
            counts = counts.Append(new KeyValuePair<string, long>(CategoricalDistribution.OtherCategory, Overflow));
        }

        return CategoricalDistribution.FromCounts(counts);
    }

    /// <summary>A deep copy.</summary>
    public CategoricalAccumulator Clone()
    {
        var copy = new CategoricalAccumulator(_known, Cap);
        copy.Merge(this);
        return copy;
    }

    /// <summary>Writes the complete state (categories in ordinal order, so equal states give equal bytes).</summary>
    public void Write(StateWriter w)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.Byte(Tag);
        w.Byte(Version);
        w.Count64(Count);
        w.Count64(Missing);
        w.Count64(TypeErrors);
        w.Count64(Unseen);
        w.Count64(Overflow);
        w.Count32(_unseenTracked);
        w.Count32(_counts.Count);
        foreach (var (category, entry) in _counts.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            w.Text(category);
            w.Count64(entry.Count);
        }
    }

    /// <summary>Reads a state written by <see cref="Write"/>.</summary>
    public static CategoricalAccumulator Read(ref StateReader r, IReadOnlySet<string> knownCategories, int cap)
    {
        r.Expect(Tag, "a categorical accumulator");
        byte version = r.Byte();
        if (version != Version)
        {
            throw new InvalidDataException($"Categorical accumulator state version {version} is not supported (expected {Version}).");
        }

        var a = new CategoricalAccumulator(knownCategories, cap)
        {
            Count = r.Count64(),
            Missing = r.Count64(),
            TypeErrors = r.Count64(),
            Unseen = r.Count64(),
            Overflow = r.Count64(),
        };
        a._unseenTracked = r.Count32();
        int n = r.Length(12);
        for (int i = 0; i < n; i++)
        {
            string category = r.Text();
            a._counts[category] = new Entry { Count = r.Count64(), Known = knownCategories.Contains(category) };
        }

        return a;
    }

    private sealed class Entry
    {
        public long Count { get; set; }

        public bool Known { get; init; }
    }
}
