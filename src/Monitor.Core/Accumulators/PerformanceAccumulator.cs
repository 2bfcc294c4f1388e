namespace Monitor.Core.Accumulators;

/// <summary>The kind of model whose performance is measured.</summary>
public enum PerformanceKind
{
    /// <summary>Labels 0/1 with a score P(label = 1).</summary>
    Binary,

    /// <summary>Class labels; the prediction is a class.</summary>
    Multiclass,

    /// <summary>Real-valued targets and predictions.</summary>
    Regression,
}

/// <summary>
/// The (ground truth, prediction) pairs joined in one window pane, from which performance metrics are computed.
/// </summary>
/// <remarks>
/// Pairs are kept exactly up to a limit (ROC AUC and average precision need every pair); beyond it a uniform
/// reservoir sample of the limit's size is kept (deterministic: its coin flips come from a seeded generator),
/// and <see cref="IsExact"/> turns false so reports say the metrics are estimated from a sample.
/// Class labels are stored as indices into <see cref="Classes"/>.
/// </remarks>
public sealed class PerformanceAccumulator
{
    private const byte Tag = 0x50; // 'P'
    private const byte Version = 1;

    private readonly List<string> _classes = [];
    private readonly Dictionary<string, int> _classIndex = new(StringComparer.Ordinal);
    private double[] _truth = new double[16];
    private double[] _predicted = new double[16];
    private int _stored;
    private ulong _rng;

    /// <summary>Creates an empty accumulator.</summary>
    public PerformanceAccumulator(PerformanceKind kind, int exactLimit, ulong seed = 0x9E3779B97F4A7C15UL)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(exactLimit);
        Kind = kind;
        ExactLimit = exactLimit;
        _rng = seed == 0 ? 1 : seed;
    }

    /// <summary>The model kind.</summary>
    public PerformanceKind Kind { get; }

    /// <summary>Pairs kept exactly before sampling starts.</summary>
    public int ExactLimit { get; }

    /// <summary>Pairs joined (all of them, sampled or not).</summary>
    public long Count { get; private set; }

    /// <summary>Whether every joined pair is held.</summary>
    public bool IsExact => Count == _stored;

    /// <summary>Class names in index order (multiclass and binary with string labels).</summary>
    public IReadOnlyList<string> Classes => _classes;

    /// <summary>The held ground-truth values (0/1, class index, or target).</summary>
    public ReadOnlySpan<double> Truth => _truth.AsSpan(0, _stored);

    /// <summary>The held predictions (score, class index, or predicted value).</summary>
    public ReadOnlySpan<double> Predicted => _predicted.AsSpan(0, _stored);

    /// <summary>The index of a class name, adding it when new.</summary>
    public int ClassIndex(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!_classIndex.TryGetValue(name, out int i))
        {
            i = _classes.Count;
            _classes.Add(name);
            _classIndex[name] = i;
        }

        return i;
    }

    /// <summary>Adds one joined pair (both finite).</summary>
    public void Add(double truth, double predicted)
    {
        if (!double.IsFinite(truth) || !double.IsFinite(predicted))
        {
            throw new ArgumentException("A joined pair must hold finite values; the decoder counts non-finite ones as type errors.");
        }

        Count++;
        if (_stored < ExactLimit)
        {
            if (_stored == _truth.Length)
            {
                int size = (int)Math.Min((long)_truth.Length * 2, ExactLimit);
                Array.Resize(ref _truth, size);
                Array.Resize(ref _predicted, size);
            }

            _truth[_stored] = truth;
            _predicted[_stored] = predicted;
            _stored++;
            return;
        }

        // Reservoir sampling (Algorithm R): keep the new pair with probability limit / count.
        ulong j = NextRandom() % (ulong)Count;
        if (j < (ulong)ExactLimit)
        {
            _truth[j] = truth;
            _predicted[j] = predicted;
        }
    }

    /// <summary>Adds a multiclass pair by class names.</summary>
    public void AddClasses(string truth, string predicted) => Add(ClassIndex(truth), ClassIndex(predicted));

    /// <summary>Adds everything <paramref name="other"/> holds (class indices are remapped by name).</summary>
    public void Merge(PerformanceAccumulator other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Kind != Kind)
        {
            throw new InvalidOperationException($"Cannot merge {other.Kind} performance into {Kind}.");
        }

        bool remap = Kind == PerformanceKind.Multiclass;
        int[] map = remap ? other._classes.Select(ClassIndex).ToArray() : [];
        if (!other.IsExact && Count > 0)
        {
            MergeSample(other, remap ? map : null);
            return;
        }

        long otherUnsampled = other.Count - other._stored;
        for (int i = 0; i < other._stored; i++)
        {
            double t = other._truth[i];
            double p = other._predicted[i];
            Add(remap ? map[(int)t] : t, remap ? map[(int)p] : p);
        }

        // Pairs the other side had already sampled away still count towards the total.
        Count += otherUnsampled;
    }

    /// <summary>
    /// Merges a sampled accumulator: each held pair of <paramref name="other"/> stands for several joined pairs, so
    /// feeding them through the reservoir one by one would under-weight it. Instead the union's sample is drawn
    /// without replacement from both populations in proportion to their counts (a hypergeometric split), and each
    /// side's share is a uniform subset of its own uniform sample.
    /// </summary>
    private void MergeSample(PerformanceAccumulator other, int[]? map)
    {
        long remainingThis = Count;
        long remainingOther = other.Count;
        int size = (int)Math.Min(ExactLimit, remainingThis + remainingOther);
        int fromThis = 0;
        for (int i = 0; i < size; i++)
        {
            if (NextRandom() % (ulong)(remainingThis + remainingOther) < (ulong)remainingThis)
            {
                fromThis++;
                remainingThis--;
            }
            else
            {
                remainingOther--;
            }
        }

        // Each side holds min(count, limit) pairs, never fewer than the draws asked of it.
        var truth = new double[Math.Max(size, 16)];
        var predicted = new double[truth.Length];
        double[] ownTruth = _truth[.._stored];
        double[] ownPredicted = _predicted[.._stored];
        double[] otherTruth = other._truth[..other._stored];
        double[] otherPredicted = other._predicted[..other._stored];
        if (map is not null)
        {
            for (int i = 0; i < otherTruth.Length; i++)
            {
                otherTruth[i] = map[(int)otherTruth[i]];
                otherPredicted[i] = map[(int)otherPredicted[i]];
            }
        }

        TakeRandom(ownTruth, ownPredicted, fromThis, truth, predicted, 0);
        TakeRandom(otherTruth, otherPredicted, size - fromThis, truth, predicted, fromThis);
        _truth = truth;
        _predicted = predicted;
        _stored = size;
        Count += other.Count;
    }

    /// <summary>Moves <paramref name="take"/> pairs chosen uniformly without replacement (a partial Fisher–Yates shuffle of the sources).</summary>
    private void TakeRandom(double[] truth, double[] predicted, int take, double[] toTruth, double[] toPredicted, int at)
    {
        for (int i = 0; i < take; i++)
        {
            int j = i + (int)(NextRandom() % (ulong)(truth.Length - i));
            (truth[i], truth[j]) = (truth[j], truth[i]);
            (predicted[i], predicted[j]) = (predicted[j], predicted[i]);
            toTruth[at + i] = truth[i];
            toPredicted[at + i] = predicted[i];
        }
    }

    /// <summary>A deep copy.</summary>
    public PerformanceAccumulator Clone()
    {
        var copy = new PerformanceAccumulator(Kind, ExactLimit, _rng);
        copy.Merge(this);
        return copy;
    }

    /// <summary>Writes the complete state.</summary>
    public void Write(StateWriter w)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.Byte(Tag);
        w.Byte(Version);
        w.Byte((byte)Kind);
        w.Count32(ExactLimit);
        w.Count64(Count);
        w.Count64((long)_rng);
        w.Count32(_classes.Count);
        foreach (string c in _classes)
        {
            w.Text(c);
        }

        w.Reals(Truth);
        w.Reals(Predicted);
    }

    /// <summary>Reads a state written by <see cref="Write"/>.</summary>
    public static PerformanceAccumulator Read(ref StateReader r)
    {
        r.Expect(Tag, "a performance accumulator");
        byte version = r.Byte();
        if (version != Version)
        {
            throw new InvalidDataException($"Performance accumulator state version {version} is not supported (expected {Version}).");
        }

        var kind = (PerformanceKind)r.Byte();
        if (!Enum.IsDefined(kind))
        {
            throw new InvalidDataException($"Corrupt state: unknown performance kind {(byte)kind}.");
        }

        int limit = r.Count32();
        if (limit <= 0)
        {
            throw new InvalidDataException($"Corrupt state: exact limit {limit}.");
        }

        long count = r.Count64();
        var a = new PerformanceAccumulator(kind, limit) { _rng = (ulong)r.Count64() };
        int classes = r.Length(4);
        for (int i = 0; i < classes; i++)
        {
            a.ClassIndex(r.Text());
        }

        double[] truth = r.Reals();
        double[] predicted = r.Reals();
        if (truth.Length != predicted.Length || truth.Length > limit || count < truth.Length)
        {
            throw new InvalidDataException("Corrupt state: performance pairs do not line up.");
        }

        a._truth = truth.Length == 0 ? new double[16] : truth;
        a._predicted = predicted.Length == 0 ? new double[16] : predicted;
        a._stored = truth.Length;
        a.Count = count;
        return a;
    }

    private ulong NextRandom()
    {
        // xorshift64*: small, fast, and its state is one word that checkpoints with the accumulator.
        _rng ^= _rng >> 12;
        _rng ^= _rng << 25;
        _rng ^= _rng >> 27;
        return _rng * 2685821657736338717UL;
    }
}
