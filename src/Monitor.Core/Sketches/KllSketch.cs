using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Monitor.Core.Drift;

namespace Monitor.Core.Sketches;

/// <summary>
/// A mergeable KLL quantile sketch (Karnin, Lang and Liberty, 2016) over finite doubles: bounded memory for
/// windows of any size, with a stated sup-norm CDF error, readable out as a weighted <see cref="NumericSample"/>.
/// </summary>
/// <remarks>
/// <para>
/// Items live in levels; an item at level h stands for 2^h observations. Level capacities shrink
/// geometrically by 2/3 from the top level (capacity <c>k</c>) down, with a floor of 8, and compaction is
/// lazy: only when the whole buffer is full is the lowest over-capacity level sorted and halved — every other
/// item, from a random offset, is promoted to the level above. This is the schedule of Apache DataSketches'
/// KLL sketch; the code here is Monitor's own.
/// </para>
/// <para>
/// Randomness comes from a SplitMix64 generator held (and serialised) in the sketch, so a sketch is a
/// deterministic function of its seed and its input order, and a restored checkpoint continues exactly as
/// the original would have. Until the first compaction the sketch holds every value and is exact.
/// </para>
/// <para>Not thread-safe: one writer at a time, as for every window accumulator.</para>
/// </remarks>
public sealed class KllSketch
{
    /// <summary>The default k: a 1.65% sup-norm CDF error bound (99% confidence) in about 6 KiB.</summary>
    public const int DefaultK = 200;

    /// <summary>The smallest accepted k: the smallest at which the error bound was measured.</summary>
    public const int MinK = 16;

    /// <summary>The largest accepted k (k is serialised as an unsigned 16-bit integer).</summary>
    public const int MaxK = ushort.MaxValue;

    /// <summary>The default seed: any fixed value keeps results reproducible.</summary>
    public const ulong DefaultSeed = 0x4B4C4C5F5345454DUL;

    /// <summary>The serialisation format version written as the first byte.</summary>
    public const byte FormatVersion = 1;

    /// <summary>
    /// C in the sup-norm bound <see cref="SupRankErrorBound"/> = C / k. Measured 99th percentiles of k·ε lie
    /// between 1.4 and 2.63 for k = 16..3200 at the worst n phase, and no single trial exceeded k·ε = 3.0;
    /// 3.3 leaves at least 25% margin over every measured 99th percentile (see docs/sketches.md).
    /// </summary>
    internal const double BoundConstant = 3.3;

    // Minimum level capacity (DataSketches' m); fixed, but written to the serialised form as a check.
    private const int MinLevelCapacity = 8;

    // Items at level 61 would weigh 2^61; n is a long, so more levels can never be needed.
    private const int MaxLevels = 61;

    // version, m, numLevels (1 byte each), k (2), n (8), min (8), max (8), rng (8).
    private const int HeaderSize = 3 + 2 + 8 + 8 + 8 + 8;
    private const int ChecksumSize = 8;

    // Heap estimate: object header + fields, and the header of each array.
    private const int ObjectOverhead = 16 + 8 + 8 + 8 + 4 + 4 + 8 + 8 + 8 + 8;
    private const int ArrayOverhead = 24;

    // The most items a compaction merges through stack copies (8 KiB of stack).
    private const int MaxStackMerge = 1024;

    private static readonly int[] DefaultKCapacities = CapacitiesByDepth(DefaultK);

    private readonly int _k;

    // Level capacities by depth below the top level, for the depths where they exceed the floor (deeper
    // levels have MinLevelCapacity). They depend on k alone, so finding the level to compact costs no division.
    private readonly int[] _capacityByDepth;

    // Level h occupies _items[_levels[h] .. _levels[h + 1]); level 0 fills downward from _levels[1], so the
    // buffer is full when _levels[0] == 0. Levels above 0 are always sorted. _items.Length is always
    // TotalCapacity(_k, _numLevels).
    private readonly int[] _levels = new int[MaxLevels + 2];
    private double[] _items;
    private int _numLevels;
    private long _n;
    private double _min = double.NaN;
    private double _max = double.NaN;
    private ulong _rng;

    /// <summary>Creates an empty sketch.</summary>
    /// <param name="k">
    /// Accuracy/size trade-off, <see cref="MinK"/>..<see cref="MaxK"/>; default 200. The error bound falls
    /// roughly as 1/k and memory grows linearly with k.
    /// </param>
    /// <param name="seed">
    /// Seed of the compaction coin flips. Sketches that will be merged may share a seed; distinct seeds
    /// (e.g. derived from the feature and pane) decorrelate them further.
    /// </param>
    public KllSketch(int k = DefaultK, ulong seed = DefaultSeed)
    {
        ValidateK(k);
        _k = k;
        _capacityByDepth = k == DefaultK ? DefaultKCapacities : CapacitiesByDepth(k);
        _rng = seed;
        _numLevels = 1;
        _items = new double[k];
        _levels[0] = k;
        _levels[1] = k;
    }

    /// <summary>The accuracy parameter this sketch was created with.</summary>
    public int K => _k;

    /// <summary>The number of values the sketch stands for (updates plus merged counts).</summary>
    public long Count => _n;

    /// <summary>Whether no value has been added.</summary>
    public bool IsEmpty => _n == 0;

    /// <summary>The exact smallest value seen; NaN while empty.</summary>
    public double Min => _min;

    /// <summary>The exact largest value seen; NaN while empty.</summary>
    public double Max => _max;

    /// <summary>How many items the sketch currently stores.</summary>
    public int RetainedItems => _levels[_numLevels] - _levels[0];

    /// <summary>Whether the sketch still holds every value (nothing has been compacted yet).</summary>
    public bool IsExact => _numLevels == 1;

    /// <summary>
    /// The sup-norm CDF error bound of this sketch (holds with at least 99% probability): 0 while
    /// <see cref="IsExact"/>, else <see cref="SupRankErrorBound"/>(<see cref="K"/>).
    /// </summary>
    public double RankErrorBound => IsExact ? 0 : SupRankErrorBound(_k);

    /// <summary>
    /// An estimate of the heap memory the sketch occupies, in bytes: the item buffer, the level index, the
    /// table of level capacities (shared by every sketch at the default k, so not counted there) and the
    /// object itself. Grows with log(n) by at most 8 items per extra level.
    /// </summary>
    public long SizeInBytes =>
        ObjectOverhead + ArrayOverhead + (8L * _items.Length) + ArrayOverhead + (4L * _levels.Length)
        + (ReferenceEquals(_capacityByDepth, DefaultKCapacities) ? 0 : ArrayOverhead + (4L * _capacityByDepth.Length));

    /// <summary>
    /// The sup-norm error ε = max over x of |F̂(x) − F(x)| between the sketch's CDF and the exact CDF of the
    /// data that holds with at least 99% probability for a sketch with parameter <paramref name="k"/>, for any
    /// input order and after any sequence of merges of same-k sketches. Measured, not proved: see docs/sketches.md.
    /// </summary>
    public static double SupRankErrorBound(int k)
    {
        ValidateK(k);
        return BoundConstant / k;
    }

    /// <summary>Adds one value. Amortised O(1); allocates only when a new level is added (log n times).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is NaN or infinite (callers count those).</exception>
    public void Update(double x)
    {
        if (!double.IsFinite(x))
        {
            throw new ArgumentOutOfRangeException(nameof(x), x, "A sketch holds finite values only; count NaN and infinities as data-quality errors.");
        }

        if (_n == 0)
        {
            _min = x;
            _max = x;
        }
        else if (x < _min)
        {
            _min = x;
        }
        else if (x > _max)
        {
            _max = x;
        }

        AddToLevelZero(x);
        _n++;
    }

    /// <summary>
    /// Merges <paramref name="other"/> into this sketch; <paramref name="other"/> is not changed. The result
    /// is a deterministic function of both sketches (this sketch's generator supplies the coin flips) and
    /// carries the same error bound as a sketch of the union.
    /// </summary>
    /// <exception cref="ArgumentException">The sketches have different k.</exception>
    public void Merge(KllSketch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other._k != _k)
        {
            throw new ArgumentException($"Cannot merge a sketch with k={other._k} into one with k={_k}; k must match.", nameof(other));
        }

        if (other._n == 0)
        {
            return;
        }

        if (ReferenceEquals(other, this))
        {
            other = Clone();
        }

        long finalN = checked(_n + other._n);
        if (_n == 0)
        {
            _min = other._min;
            _max = other._max;
        }
        else
        {
            _min = Math.Min(_min, other._min);
            _max = Math.Max(_max, other._max);
        }

        for (int i = other._levels[0]; i < other._levels[1]; i++)
        {
            AddToLevelZero(other._items[i]);
        }

        if (other._numLevels > 1)
        {
            MergeHigherLevels(other);
        }

        _n = finalN;
    }

    /// <summary>A deep copy, generator state included.</summary>
    public KllSketch Clone()
    {
        var copy = new KllSketch(_k, _rng)
        {
            _items = (double[])_items.Clone(),
            _numLevels = _numLevels,
            _n = _n,
            _min = _min,
            _max = _max,
        };
        Array.Copy(_levels, copy._levels, _levels.Length);
        return copy;
    }

    /// <summary>The estimated normalised rank of <paramref name="x"/>: the fraction of values ≤ x.</summary>
    /// <exception cref="InvalidOperationException">The sketch is empty.</exception>
    public double Rank(double x)
    {
        ThrowIfEmpty();
        if (double.IsNaN(x))
        {
            throw new ArgumentOutOfRangeException(nameof(x), x, "The rank of NaN is undefined.");
        }

        if (x < _min)
        {
            return 0;
        }

        if (x >= _max)
        {
            return 1;
        }

        long weight = 0;
        for (int h = 0; h < _numLevels; h++)
        {
            int count = 0;
            for (int i = _levels[h]; i < _levels[h + 1]; i++)
            {
                if (_items[i] <= x)
                {
                    count++;
                }
            }

            weight += (long)count << h;
        }

        return (double)weight / _n;
    }

    /// <summary>
    /// The estimated q-quantile: the smallest retained value whose estimated rank is at least q
    /// (the inverse of <see cref="Rank"/>); q = 0 gives <see cref="Min"/> and q = 1 gives <see cref="Max"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The sketch is empty.</exception>
    public double Quantile(double q)
    {
        ThrowIfEmpty();
        if (!(q >= 0 && q <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(q), q, "A quantile level lies in [0, 1].");
        }

        if (q == 0)
        {
            return _min;
        }

        if (q == 1)
        {
            return _max;
        }

        var (values, weights) = SortedItems();
        double target = q * _n;
        long cumulative = 0;
        for (int i = 0; i < values.Length; i++)
        {
            cumulative += weights[i];
            if (cumulative >= target)
            {
                return values[i];
            }
        }

        return _max;
    }

    /// <summary>
    /// The retained items as a weighted sample carrying <see cref="RankErrorBound"/>, so every drift test can
    /// run on the sketch in sketch mode (or exactly, while the sketch is still exact).
    /// </summary>
    public NumericSample ToSample()
    {
        var (values, weights) = SortedItems();
        return NumericSample.FromWeighted(values, weights, RankErrorBound);
    }

    /// <summary>The number of bytes <see cref="WriteTo"/> writes.</summary>
    public int SerializedSize => HeaderSize + (4 * _numLevels) + (8 * RetainedItems) + ChecksumSize;

    /// <summary>
    /// Writes the sketch, generator state included, so that <see cref="ReadFrom"/> restores a sketch that
    /// re-serialises to the same bytes and continues exactly as this one. Little-endian, versioned, with a
    /// trailing FNV-1a checksum.
    /// </summary>
    public void WriteTo(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        int size = SerializedSize;
        var span = writer.GetSpan(size)[..size];
        span[0] = FormatVersion;
        span[1] = MinLevelCapacity;
        span[2] = (byte)_numLevels;
        BinaryPrimitives.WriteUInt16LittleEndian(span[3..], (ushort)_k);
        BinaryPrimitives.WriteInt64LittleEndian(span[5..], _n);
        BinaryPrimitives.WriteDoubleLittleEndian(span[13..], _min);
        BinaryPrimitives.WriteDoubleLittleEndian(span[21..], _max);
        BinaryPrimitives.WriteUInt64LittleEndian(span[29..], _rng);
        int offset = HeaderSize;
        for (int h = 0; h < _numLevels; h++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[offset..], _levels[h + 1] - _levels[h]);
            offset += 4;
        }

        for (int i = _levels[0]; i < _levels[_numLevels]; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(span[offset..], _items[i]);
            offset += 8;
        }

        BinaryPrimitives.WriteUInt64LittleEndian(span[offset..], Fnv1a(span[..offset]));
        writer.Advance(size);
    }

    /// <summary>Reads a sketch written by <see cref="WriteTo"/>; the input must be exactly one sketch.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a valid sketch (truncated, corrupt, unknown version).</exception>
    public static KllSketch ReadFrom(ReadOnlySpan<byte> data)
    {
        if (data.Length < HeaderSize + 4 + ChecksumSize)
        {
            throw Corrupt($"{data.Length} bytes is shorter than the smallest sketch");
        }

        if (data[0] != FormatVersion)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"KLL sketch format version {data[0]} is not supported (expected {FormatVersion})."));
        }

        ulong stored = BinaryPrimitives.ReadUInt64LittleEndian(data[^ChecksumSize..]);
        if (stored != Fnv1a(data[..^ChecksumSize]))
        {
            throw Corrupt("the checksum does not match");
        }

        if (data[1] != MinLevelCapacity)
        {
            throw Corrupt($"minimum level capacity is {data[1]}, expected {MinLevelCapacity}");
        }

        int numLevels = data[2];
        int k = BinaryPrimitives.ReadUInt16LittleEndian(data[3..]);
        if (k < MinK)
        {
            throw Corrupt($"k={k} is below {MinK}");
        }

        if (numLevels < 1 || numLevels > MaxLevels)
        {
            throw Corrupt($"{numLevels} levels is outside 1..{MaxLevels}");
        }

        long n = BinaryPrimitives.ReadInt64LittleEndian(data[5..]);
        double min = BinaryPrimitives.ReadDoubleLittleEndian(data[13..]);
        double max = BinaryPrimitives.ReadDoubleLittleEndian(data[21..]);
        ulong rng = BinaryPrimitives.ReadUInt64LittleEndian(data[29..]);

        int capacity = TotalCapacity(k, numLevels);
        Span<int> counts = stackalloc int[numLevels];
        long retainedLong = 0;
        Int128 weight = 0;
        int offset = HeaderSize;
        for (int h = 0; h < numLevels; h++)
        {
            counts[h] = BinaryPrimitives.ReadInt32LittleEndian(data[offset..]);
            offset += 4;
            if (counts[h] < 0)
            {
                throw Corrupt($"level {h} has a negative size");
            }

            retainedLong += counts[h];
            weight += (Int128)counts[h] << h;
        }

        if (retainedLong > capacity)
        {
            throw Corrupt($"{retainedLong} items exceed the capacity {capacity} of {numLevels} levels at k={k}");
        }

        int retained = (int)retainedLong;
        if (data.Length != offset + (8 * retained) + ChecksumSize)
        {
            throw Corrupt($"length {data.Length} does not match {retained} items");
        }

        if (weight != n)
        {
            throw Corrupt($"the item weights sum to {weight}, not the count {n}");
        }

        if (n == 0)
        {
            if (numLevels != 1 || !double.IsNaN(min) || !double.IsNaN(max))
            {
                throw Corrupt("an empty sketch must have one level and NaN min/max");
            }
        }
        else if (!double.IsFinite(min) || !double.IsFinite(max) || min > max)
        {
            throw Corrupt("min/max are not finite and ordered");
        }

        var sketch = new KllSketch(k, rng)
        {
            _items = new double[capacity],
            _numLevels = numLevels,
            _n = n,
            _min = min,
            _max = max,
        };
        sketch._levels[numLevels] = capacity;
        for (int h = numLevels - 1; h >= 0; h--)
        {
            sketch._levels[h] = sketch._levels[h + 1] - counts[h];
        }

        for (int h = 0; h < numLevels; h++)
        {
            for (int i = sketch._levels[h]; i < sketch._levels[h + 1]; i++)
            {
                double v = BinaryPrimitives.ReadDoubleLittleEndian(data[offset..]);
                offset += 8;
                if (!(v >= min && v <= max))
                {
                    throw Corrupt($"item {v.ToString("R", CultureInfo.InvariantCulture)} at level {h} lies outside [min, max] or is not finite");
                }

                if (h > 0 && i > sketch._levels[h] && v < sketch._items[i - 1])
                {
                    throw Corrupt($"level {h} is not sorted");
                }

                sketch._items[i] = v;
            }
        }

        return sketch;
    }

    /// <summary>The capacity of level <paramref name="level"/> in a sketch with <paramref name="numLevels"/> levels.</summary>
    internal static int LevelCapacity(int k, int numLevels, int level)
    {
        int depth = numLevels - level - 1;

        // round(k · (2/3)^depth) in integers; beyond depth 30 it is below 1 for every k ≤ 65535.
        if (depth > 30)
        {
            return MinLevelCapacity;
        }

        ulong twiceScaled = ((ulong)(2 * k) << depth) / PowerOfThree(depth);
        int capacity = (int)((twiceScaled + 1) >> 1);
        return Math.Max(MinLevelCapacity, capacity);
    }

    /// <summary>The total buffer size of a sketch with <paramref name="numLevels"/> levels.</summary>
    internal static int TotalCapacity(int k, int numLevels)
    {
        int total = 0;
        for (int h = 0; h < numLevels; h++)
        {
            total += LevelCapacity(k, numLevels, h);
        }

        return total;
    }

    /// <summary>
    /// <see cref="LevelCapacity"/> by depth below the top level (depth = numLevels − level − 1), for every
    /// depth whose capacity exceeds the floor of 8; capacity falls with depth, so deeper levels have 8.
    /// </summary>
    internal static int[] CapacitiesByDepth(int k)
    {
        int depths = 0;
        while (LevelCapacity(k, depths + 1, 0) > MinLevelCapacity)
        {
            depths++;
        }

        var capacities = new int[depths];
        for (int depth = 0; depth < depths; depth++)
        {
            capacities[depth] = LevelCapacity(k, depth + 1, 0);
        }

        return capacities;
    }

    /// <summary>The number of levels (exposed for tests of the compaction schedule).</summary>
    internal int NumLevels => _numLevels;

    private static ulong PowerOfThree(int exponent)
    {
        ulong p = 1;
        for (int i = 0; i < exponent; i++)
        {
            p *= 3;
        }

        return p;
    }

    private static void ValidateK(int k)
    {
        if (k < MinK || k > MaxK)
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, string.Create(CultureInfo.InvariantCulture, $"k must lie in {MinK}..{MaxK}."));
        }
    }

    private static InvalidDataException Corrupt(string what) =>
        new(string.Create(CultureInfo.InvariantCulture, $"Corrupt KLL sketch: {what}."));

    private static ulong Fnv1a(ReadOnlySpan<byte> bytes)
    {
        ulong hash = 0xCBF29CE484222325UL;
        foreach (byte b in bytes)
        {
            hash = (hash ^ b) * 0x100000001B3UL;
        }

        return hash;
    }

    private void ThrowIfEmpty()
    {
        if (_n == 0)
        {
            throw new InvalidOperationException("The sketch is empty; it has no ranks or quantiles.");
        }
    }

    private (double[] Values, long[] Weights) SortedItems()
    {
        int retained = RetainedItems;
        var values = new double[retained];
        var weights = new long[retained];
        int j = 0;
        for (int h = 0; h < _numLevels; h++)
        {
            long w = 1L << h;
            for (int i = _levels[h]; i < _levels[h + 1]; i++)
            {
                values[j] = _items[i];
                weights[j] = w;
                j++;
            }
        }

        Array.Sort(values, weights);
        return (values, weights);
    }

    /// <summary>SplitMix64: one 64-bit draw per compaction; its whole state is the one ulong.</summary>
    private int NextBit()
    {
        _rng += 0x9E3779B97F4A7C15UL;
        ulong z = _rng;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(z >> 63);
    }

    private void AddToLevelZero(double x)
    {
        if (_levels[0] == 0)
        {
            CompressWhileUpdating();
        }

        _items[--_levels[0]] = x;
    }

    // Called only when the buffer is exactly full: compacts the lowest level at or over its capacity.
    private void CompressWhileUpdating()
    {
        int[] capacities = _capacityByDepth;
        int level = 0;
        int depth = _numLevels - 1;
        while (_levels[level + 1] - _levels[level] < ((uint)depth < (uint)capacities.Length ? capacities[depth] : MinLevelCapacity))
        {
            level++;
            depth--;
        }

        if (level == _numLevels - 1)
        {
            AddEmptyTopLevel();
        }

        int rawBeg = _levels[level];
        int rawEnd = _levels[level + 1];
        int popAbove = _levels[level + 2] - rawEnd;
        int rawPop = rawEnd - rawBeg;
        bool oddPop = (rawPop & 1) == 1;
        int adjBeg = oddPop ? rawBeg + 1 : rawBeg;
        int adjPop = oddPop ? rawPop - 1 : rawPop;
        int half = adjPop / 2;

        if (level == 0)
        {
            SmallSort.Sort(_items.AsSpan(adjBeg, adjPop));
        }

        if (popAbove == 0)
        {
            HalveUp(_items, adjBeg, adjPop, NextBit());
        }
        else if (half + popAbove <= MaxStackMerge && Interleaved(_items, adjBeg, adjPop, popAbove))
        {
            HalveAndMergeFromBothEnds(_items, adjBeg, adjPop, popAbove, NextBit());
        }
        else
        {
            HalveDown(_items, adjBeg, adjPop, NextBit());
            MergeSorted(_items, adjBeg, half, _items, rawEnd, popAbove, _items, adjBeg + half);
        }

        _levels[level + 1] -= half;
        if (oddPop)
        {
            // The odd item out stays behind at this level, just below the level above.
            _levels[level] = _levels[level + 1] - 1;
            _items[_levels[level]] = _items[rawBeg];
        }
        else
        {
            _levels[level] = _levels[level + 1];
        }

        Debug.Assert(_levels[level] == rawBeg + half, "Compaction must free exactly half the compacted items.");

        // Shift the levels below up so the freed slots go to level 0.
        if (level > 0)
        {
            int start = _levels[0];
            Array.Copy(_items, start, _items, start + half, rawBeg - start);
            for (int h = 0; h < level; h++)
            {
                _levels[h] += half;
            }
        }
    }

    private void AddEmptyTopLevel()
    {
        if (_numLevels == MaxLevels)
        {
            throw new InvalidOperationException("The sketch reached its maximum number of levels.");
        }

        int currentCapacity = _levels[_numLevels];
        int delta = LevelCapacity(_k, _numLevels + 1, 0);
        var grown = new double[currentCapacity + delta];
        Array.Copy(_items, _levels[0], grown, _levels[0] + delta, currentCapacity - _levels[0]);
        _items = grown;
        for (int h = 0; h <= _numLevels; h++)
        {
            _levels[h] += delta;
        }

        _numLevels++;
        _levels[_numLevels] = currentCapacity + delta;
    }

    private void MergeHigherLevels(KllSketch other)
    {
        int provisional = Math.Max(_numLevels, other._numLevels);
        var work = new double[RetainedItems + (other._levels[other._numLevels] - other._levels[1])];
        var inLevels = new int[MaxLevels + 3];
        var outLevels = new int[MaxLevels + 3];

        int size0 = _levels[1] - _levels[0];
        Array.Copy(_items, _levels[0], work, 0, size0);
        inLevels[1] = size0;
        for (int h = 1; h < provisional; h++)
        {
            int mine = LevelSize(h);
            int theirs = other.LevelSize(h);
            int at = inLevels[h];
            if (mine > 0 && theirs > 0)
            {
                MergeSorted(_items, _levels[h], mine, other._items, other._levels[h], theirs, work, at);
            }
            else if (mine > 0)
            {
                Array.Copy(_items, _levels[h], work, at, mine);
            }
            else if (theirs > 0)
            {
                Array.Copy(other._items, other._levels[h], work, at, theirs);
            }

            inLevels[h + 1] = at + mine + theirs;
        }

        var (numLevels, capacity, population) = GeneralCompress(provisional, work, inLevels, outLevels);
        if (numLevels > MaxLevels)
        {
            throw new InvalidOperationException("The merged sketch exceeds the maximum number of levels.");
        }

        Debug.Assert(population <= capacity, "A general compaction must end within capacity.");
        var items = capacity == _items.Length ? _items : new double[capacity];
        int shift = capacity - population;
        Array.Copy(work, outLevels[0], items, shift, population);
        Array.Clear(_levels);
        for (int h = 0; h <= numLevels; h++)
        {
            _levels[h] = outLevels[h] + shift;
        }

        _items = items;
        _numLevels = numLevels;
    }

    private int LevelSize(int level) => level < _numLevels ? _levels[level + 1] - _levels[level] : 0;

    // Compacts, bottom up and in place, every level at or over capacity while the total exceeds the target;
    // may add levels at the top. Returns the final level count, total capacity and item count.
    private (int NumLevels, int Capacity, int Population) GeneralCompress(int numLevels, double[] buf, int[] inLevels, int[] outLevels)
    {
        int population = inLevels[numLevels] - inLevels[0];
        int target = TotalCapacity(_k, numLevels);
        outLevels[0] = 0;
        int level = -1;
        bool done = false;
        while (!done)
        {
            level++;
            if (level == numLevels - 1)
            {
                inLevels[level + 2] = inLevels[level + 1];
            }

            int rawBeg = inLevels[level];
            int rawEnd = inLevels[level + 1];
            int rawPop = rawEnd - rawBeg;
            if (population < target || rawPop < LevelCapacity(_k, numLevels, level))
            {
                Array.Copy(buf, rawBeg, buf, outLevels[level], rawPop);
                outLevels[level + 1] = outLevels[level] + rawPop;
            }
            else
            {
                int popAbove = inLevels[level + 2] - rawEnd;
                bool oddPop = (rawPop & 1) == 1;
                int adjBeg = oddPop ? rawBeg + 1 : rawBeg;
                int adjPop = oddPop ? rawPop - 1 : rawPop;
                int half = adjPop / 2;
                if (oddPop)
                {
                    buf[outLevels[level]] = buf[rawBeg];
                    outLevels[level + 1] = outLevels[level] + 1;
                }
                else
                {
                    outLevels[level + 1] = outLevels[level];
                }

                if (level == 0)
                {
                    SmallSort.Sort(buf.AsSpan(adjBeg, adjPop));
                }

                if (popAbove == 0)
                {
                    HalveUp(buf, adjBeg, adjPop, NextBit());
                }
                else
                {
                    HalveDown(buf, adjBeg, adjPop, NextBit());
                    MergeSorted(buf, adjBeg, half, buf, rawEnd, popAbove, buf, adjBeg + half);
                }

                population -= half;
                inLevels[level + 1] -= half;
                if (level == numLevels - 1)
                {
                    numLevels++;
                    target += LevelCapacity(_k, numLevels, 0);
                }
            }

            if (level == numLevels - 1)
            {
                done = true;
            }
        }

        return (numLevels, target, population);
    }

    // Keeps every other item of the sorted run buf[start..start+length) from a random offset, packed at its top.
    private static void HalveUp(double[] buf, int start, int length, int offset)
    {
        Debug.Assert(start >= 0 && length >= 0 && start + length <= buf.Length && (offset & ~1) == 0, "The run lies in the buffer.");
        nint half = length / 2;
        ref double top = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(buf), start + length - 1);
        for (nint i = 0; i < half; i++)
        {
            Unsafe.Subtract(ref top, i) = Unsafe.Subtract(ref top, (2 * i) + offset);
        }
    }

    // Keeps every other item of the sorted run buf[start..start+length) from a random offset, packed at its bottom.
    private static void HalveDown(double[] buf, int start, int length, int offset)
    {
        Debug.Assert(start >= 0 && length >= 0 && start + length <= buf.Length && (offset & ~1) == 0, "The run lies in the buffer.");
        nint half = length / 2;
        ref double bottom = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(buf), start);
        for (nint i = 0; i < half; i++)
        {
            Unsafe.Add(ref bottom, i) = Unsafe.Add(ref bottom, (2 * i) + offset);
        }
    }

    // HalveDown then MergeSorted into the level above, for runs short enough to copy to the stack: with both
    // inputs off the buffer, the front of the merge and its back are two independent dependency chains, and
    // ±∞ sentinels (the items are finite) replace the end-of-run checks. Same output, item for item.
    private static void HalveAndMergeFromBothEnds(double[] buf, int start, int length, int popAbove, int offset)
    {
        Debug.Assert(start >= 0 && start + length + popAbove <= buf.Length && (offset & ~1) == 0, "The runs lie in the buffer.");
        int half = length / 2;
        Span<double> scratch = stackalloc double[half + popAbove + 4];
        Span<double> lowerRun = scratch[..(half + 2)];
        Span<double> upperRun = scratch[(half + 2)..];
        ref double run = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(buf), start);
        ref double a = ref lowerRun[1];
        ref double b = ref upperRun[1];
        for (nint i = 0; i < half; i++)
        {
            Unsafe.Add(ref a, i) = Unsafe.Add(ref run, (2 * i) + offset);
        }

        MemoryMarshal.CreateSpan(ref Unsafe.Add(ref run, length), popAbove).CopyTo(upperRun[1..]);
        lowerRun[0] = double.NegativeInfinity;
        lowerRun[half + 1] = double.PositiveInfinity;
        upperRun[0] = double.NegativeInfinity;
        upperRun[popAbove + 1] = double.PositiveInfinity;

        ref double output = ref Unsafe.Add(ref run, half);
        nint total = half + popAbove;
        nint i0 = 0;
        nint j0 = 0;
        nint i1 = half - 1;
        nint j1 = popAbove - 1;
        for (nint step = total / 2; step > 0; step--)
        {
            // Front: the smaller head, a's on ties.
            double x0 = Unsafe.Add(ref a, i0);
            double y0 = Unsafe.Add(ref b, j0);
            bool front = x0 <= y0;
            nint fromA0 = Unsafe.As<bool, byte>(ref front);
            Unsafe.Add(ref output, i0 + j0) = Select(fromA0, x0, y0);
            i0 += fromA0;
            j0 += 1 - fromA0;

            // Back: the larger tail, b's on ties.
            double x1 = Unsafe.Add(ref a, i1);
            double y1 = Unsafe.Add(ref b, j1);
            bool back = x1 > y1;
            nint fromA1 = Unsafe.As<bool, byte>(ref back);
            Unsafe.Add(ref output, i1 + j1 + 1) = Select(fromA1, x1, y1);
            i1 -= fromA1;
            j1 -= 1 - fromA1;
        }

        if ((total & 1) != 0)
        {
            double x0 = Unsafe.Add(ref a, i0);
            double y0 = Unsafe.Add(ref b, j0);
            Unsafe.Add(ref output, i0 + j0) = x0 <= y0 ? x0 : y0;
        }
    }

    // Whether the items kept from the sorted run buf[start..start+length) may interleave with the level above
    // it: if not (as for a sorted stream), the ordinary merge predicts every branch and beats the branch-free one.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Interleaved(double[] buf, int start, int length, int popAbove)
    {
        double runLow = buf[start];
        double runHigh = buf[start + length - 1];
        int above = start + length;
        return !(buf[above + popAbove - 1] < runLow || runHigh <= buf[above]);
    }

    // x when pick is 1, y when it is 0, without a branch.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Select(nint pick, double x, double y)
    {
        long xBits = BitConverter.DoubleToInt64Bits(x);
        long yBits = BitConverter.DoubleToInt64Bits(y);
        return BitConverter.Int64BitsToDouble(yBits ^ ((xBits ^ yBits) & -(long)pick));
    }

    // Front-to-back merge; safe when the output overlaps the tail of b as the compaction arranges it.
    private static void MergeSorted(double[] a, int aStart, int aLength, double[] b, int bStart, int bLength, double[] output, int outStart)
    {
        int aEnd = aStart + aLength;
        int bEnd = bStart + bLength;
        int i = aStart;
        int j = bStart;
        int o = outStart;
        while (i < aEnd && j < bEnd)
        {
            output[o++] = a[i] <= b[j] ? a[i++] : b[j++];
        }

        while (i < aEnd)
        {
            output[o++] = a[i++];
        }

        if (ReferenceEquals(output, b) && o == j)
        {
            // In a compaction the rest of b is already in place once a is used up.
            return;
        }

        while (j < bEnd)
        {
            output[o++] = b[j++];
        }
    }
}
