using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Monitor.Core.Drift.Numeric;

namespace Monitor.Core.Drift;

/// <summary>
/// Counts of an exact sample's values per slot of equal-width buckets over [<see cref="Min"/>, <see cref="Max"/>],
/// built in one O(n) pass without sorting. Slot s(x) = clamp(⌊(x − Min)·Scale⌋, −1, B) + 1 is monotone in IEEE
/// arithmetic (subtraction and multiplication by a positive constant round monotonically, floor and clamp are
/// monotone), so every value of a slot lies at or above every value of an earlier slot and equal values share a
/// slot; slot 0 and slot B + 1 catch values below and above the range (another sample's, or a heavy-tailed
/// sample's own tails, see <see cref="TryBuildOver"/>). KS and quantile bins use it to look only into the few slots
/// that matter, gathering and sorting just those.
/// </summary>
internal sealed class BucketIndex
{
    /// <summary>The most buckets an index may use (2^18).</summary>
    public const int MaxBuckets = 1 << 18;

    /// <summary>
    /// The most buckets a sample's own index uses (2^16: 256 KB of counts, a quarter of a typical L2 cache). With 2^18
    /// the exact KS and PSI of 1,000,000 against 1,000,000 values took ~25% longer: each count is a cache miss then.
    /// </summary>
    public const int DefaultMaxBuckets = 1 << 16;

    private readonly double[] _source;
    private readonly int[] _offsets;
    private readonly int[] _decileSlots;
    private readonly Lock _gate = new();

    // What Resolve found per slot, replaced whole under the gate and read without it. A dictionary over a reference
    // type shares code the runtime ships compiled, where a concurrent dictionary over value types is compiled on the
    // first evaluation (milliseconds of the first feature's time).
    private Dictionary<int, ResolvedSlot> _resolved = [];

    private BucketIndex(double[] source, double min, double max, int buckets, double scale, int[] offsets, bool integral)
    {
        _source = source;
        Integral = integral;
        Min = min;
        Max = max;
        Buckets = buckets;
        Scale = scale;
        _offsets = offsets;
        _decileSlots = new int[QuantileBins.DefaultBinCount - 1];
        for (int i = 1; i < QuantileBins.DefaultBinCount; i++)
        {
            _decileSlots[i - 1] = SlotOfRank(offsets, QuantileBins.Rank(i, source.Length, QuantileBins.DefaultBinCount) - 1);
        }
    }

    /// <summary>The lower end of the bucketed range: the smallest value, or a low quantile for heavy tails.</summary>
    public double Min { get; }

    /// <summary>The upper end of the bucketed range: the largest value, or a high quantile for heavy tails.</summary>
    public double Max { get; }

    /// <summary>The number of buckets B over [Min, Max]; there are B + 2 slots.</summary>
    public int Buckets { get; }

    /// <summary>Buckets per unit of value: B / (Max − Min).</summary>
    public double Scale { get; }

    /// <summary>
    /// Whether every value is an integer and buckets are at most half a unit wide: then no two integers share a
    /// slot, so every slot of the index holds one distinct value, and any integer sample's values in one of slots
    /// 1..B are that value too.
    /// </summary>
    public bool Integral { get; }

    /// <summary>The number of slots (B + 2).</summary>
    public int SlotCount => Buckets + 2;

    /// <summary>The number of values.</summary>
    public int Count => _source.Length;

    /// <summary>
    /// Stands for this index in what is derived from it (quantile bins, a <see cref="SlotTally"/>) without keeping its
    /// values alive.
    /// </summary>
    public object Identity { get; } = new();

    /// <summary>The slots holding the ranks of the default quantile bins' edges (ascending, may repeat).</summary>
    public ReadOnlySpan<int> DecileSlots => _decileSlots;

    /// <summary>
    /// Prefix counts: slot s holds the values of ranks Offsets[s]..Offsets[s + 1] − 1 (0-based) in sorted order.
    /// </summary>
    public ReadOnlySpan<int> Offsets => _offsets;

    /// <summary>The number of values in slot <paramref name="slot"/>.</summary>
    public int CountIn(int slot) => _offsets[slot + 1] - _offsets[slot];

    /// <summary>
    /// Whether every value of <paramref name="slot"/> is the same (<paramref name="value"/>), so nobody needs to look
    /// inside it. Answers for slots <see cref="Resolve"/> has seen (false otherwise).
    /// </summary>
    public bool IsSingleValued(int slot, out double value)
    {
        if (Volatile.Read(ref _resolved).TryGetValue(slot, out var resolved) && resolved.IsSingle)
        {
            value = resolved.Single;
            return true;
        }

        value = double.NaN;
        return false;
    }

    /// <summary>The values of a slot <see cref="Resolve"/> has seen and found not single-valued, unsorted; never modify them.</summary>
    public ReadOnlySpan<double> ValuesOf(int slot) => Volatile.Read(ref _resolved)[slot].Values.Span;

    /// <summary>
    /// Looks into the listed slots (one pass over the sample for those not seen before, remembered for later
    /// calls): a slot holding one repeated value (discrete data) is only marked as such, the others' values are
    /// gathered. The slots holding the reference deciles come along with the first pass, because binned tests fit
    /// on the same reference.
    /// </summary>
    public void Resolve(ReadOnlySpan<int> slots)
    {
        var known = Volatile.Read(ref _resolved);
        var found = new Dictionary<int, ResolvedSlot>();
        var missing = new List<int>();
        foreach (int slot in slots)
        {
            if (CountIn(slot) > 0 && !known.ContainsKey(slot) && !missing.Contains(slot))
            {
                missing.Add(slot);
            }
        }

        if (missing.Count == 0)
        {
            return;
        }

        foreach (int slot in _decileSlots)
        {
            if (CountIn(slot) > 0 && !known.ContainsKey(slot) && !missing.Contains(slot))
            {
                missing.Add(slot);
            }
        }

        if (Integral)
        {
            // Every slot holds one integer, found from the slot number alone: no pass over the values.
            for (int i = missing.Count - 1; i >= 0; i--)
            {
                if (IntegerIn(missing[i]) is { } value)
                {
                    found[missing[i]] = new ResolvedSlot(true, value, default);
                    missing.RemoveAt(i);
                }
            }

            if (missing.Count == 0)
            {
                Publish(found);
                return;
            }
        }

        var counts = new int[missing.Count];
        for (int i = 0; i < counts.Length; i++)
        {
            counts[i] = CountIn(missing[i]);
        }

        var starts = Starts(counts);

        // Only marked slots' entries of target are ever read, so the rest of the rented array stays as it was.
        var target = ArrayPool<int>.Shared.Rent(SlotCount);
        var position = new int[missing.Count];
        var first = new double[missing.Count];
        var seen = new bool[missing.Count];
        var marked = new ulong[(SlotCount + 63) / 64];
        for (int i = 0; i < missing.Count; i++)
        {
            target[missing[i]] = i;
            marked[missing[i] >> 6] |= 1UL << missing[i];
            position[i] = starts[i];
        }

        // Values equal to the slot's first value are only counted (they fill the region's tail afterwards), so a
        // single-valued slot costs a comparison per value and no writes; the buffer's untouched pages stay unmapped.
        var buffer = GC.AllocateUninitializedArray<double>(starts[^1]);
        var keeper = new Keeper(target, first, seen, position, buffer);
        ForMarked(_source, Min, Scale, Buckets, missing.ToArray(), marked, ref keeper);
        ArrayPool<int>.Shared.Return(target);
        for (int i = 0; i < missing.Count; i++)
        {
            if (position[i] == starts[i])
            {
                found[missing[i]] = new ResolvedSlot(true, first[i], default);
            }
            else
            {
                buffer.AsSpan(position[i], starts[i + 1] - position[i]).Fill(first[i]);
                found[missing[i]] = new ResolvedSlot(false, double.NaN, buffer.AsMemory(starts[i], counts[i]));
            }
        }

        Publish(found);
    }

    /// <summary>Adds what a resolve found to the published slots; a slot another thread published first stays.</summary>
    private void Publish(Dictionary<int, ResolvedSlot> found)
    {
        lock (_gate)
        {
            var merged = new Dictionary<int, ResolvedSlot>(_resolved);
            foreach (var (slot, resolved) in found)
            {
                merged.TryAdd(slot, resolved);
            }

            Volatile.Write(ref _resolved, merged);
        }
    }

    /// <summary>A resolved slot: its one value, or its values in no particular order.</summary>
    private sealed record ResolvedSlot(bool IsSingle, double Single, ReadOnlyMemory<double> Values);

    // Values the range probe of TryBuildOver looks at.
    private const int TailSubsample = 1024;

    // Marked slots that the AVX-512 pass compares one by one rather than through its coarse groups.
    private const int ExactSlots = 8;

    /// <summary>
    /// The integer value this index holds in <paramref name="slot"/> when <see cref="Integral"/>: the one integer whose
    /// slot it is, found next to the slot's lower end and checked with <see cref="SlotOf"/>; null if none is.
    /// </summary>
    internal double? IntegerIn(int slot)
    {
        if (slot < 1 || slot > Buckets + 1)
        {
            return null;
        }

        if (slot == Buckets + 1)
        {
            // The last slot also takes every larger integer; of this index's values only the largest can be there.
            return SlotOf(Max, Min, Scale, Buckets) == slot ? Max : null;
        }

        double near = Math.Floor(Min + ((slot - 1) / Scale));
        for (int d = -1; d <= 2; d++)
        {
            double candidate = near + d;
            if (SlotOf(candidate, Min, Scale, Buckets) == slot)
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>What a pass over values does with each value of a listed slot.</summary>
    private interface ISlotVisitor
    {
        void Visit(double x, int slot);
    }

    /// <summary>Resolve's visitor: counts values equal to the slot's first one, writes the others.</summary>
    private readonly struct Keeper(int[] target, double[] first, bool[] seen, int[] position, double[] buffer) : ISlotVisitor
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Visit(double x, int slot)
        {
            int k = target[slot];
            if (!seen[k])
            {
                seen[k] = true;
                first[k] = x;
            }
            else if (x != first[k])
            {
                buffer[position[k]++] = x;
            }
        }
    }

    /// <summary>
    /// Calls <paramref name="visitor"/> for every value whose slot is marked in <paramref name="marked"/> (one bit per
    /// slot; <paramref name="slots"/> lists the marked slots), in input order.
    /// </summary>
    /// <remarks>
    /// Marked slots hold a tiny share of the values, so the pass is about ruling values out fast. With AVX-512 a
    /// coarse bitmap of 1,024 slot groups lives in two registers: sixteen values are ruled out at a time by one
    /// two-table permute and a shift, without extracting a lane or touching memory; only a hit looks at the lanes.
    /// </remarks>
    // Hot loop over every value: compiled fully optimised at once rather than after tier-0 and on-stack replacement.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForMarked<T>(ReadOnlySpan<double> values, double min, double scale, int buckets, ReadOnlySpan<int> slots, ulong[] marked, ref T visitor)
        where T : struct, ISlotVisitor, allows ref struct
    {
        int j = 0;
        if (Avx512F.IsSupported && values.Length >= 16 && slots.Length > 0)
        {
            // Up to eight outlying marked slots (quantile slots far from the KS candidates) are compared exactly; the
            // groups cover only the rest's span, so they are as narrow as 1,024 of them can be.
            var sorted = slots.ToArray();
            Array.Sort(sorted);
            int first = 0;
            int last = sorted.Length - 1;
            long narrowest = long.MaxValue;
            for (int i = 0; i <= Math.Min(ExactSlots, sorted.Length - 1); i++)
            {
                for (int k = 0; i + k <= ExactSlots && sorted.Length - 1 - k >= i; k++)
                {
                    long span = (long)sorted[sorted.Length - 1 - k] - sorted[i];
                    if (span < narrowest)
                    {
                        narrowest = span;
                        first = i;
                        last = sorted.Length - 1 - k;
                    }
                }
            }

            Span<int> exact = stackalloc int[ExactSlots];
            exact.Fill(-1);
            int e = 0;
            for (int i = 0; i < sorted.Length; i++)
            {
                if (i < first || i > last)
                {
                    exact[e++] = sorted[i];
                }
            }

            int low = sorted[first];
            int shift = 0;
            while (((sorted[last] - low) >> shift) >= 1024)
            {
                shift++;
            }

            // Group g = (slot − low) >> shift sits in word g & 31 (the permute's index), bit g >> 5. A slot below low
            // wraps to a huge g whose shift count is 32 or more, which clears the bit as a slot above the span does.
            Span<uint> coarse = stackalloc uint[32];
            coarse.Clear();
            for (int i = first; i <= last; i++)
            {
                int g = (sorted[i] - low) >> shift;
                coarse[g & 31] |= 1u << (g >> 5);
            }

            var vlow = Vector512.Create((uint)low);
            var lower = Vector512.Create((ReadOnlySpan<uint>)coarse[..16]);
            var upper = Vector512.Create((ReadOnlySpan<uint>)coarse[16..]);
            var e0 = Vector512.Create(exact[0]);
            var e1 = Vector512.Create(exact[1]);
            var e2 = Vector512.Create(exact[2]);
            var e3 = Vector512.Create(exact[3]);
            var e4 = Vector512.Create(exact[4]);
            var e5 = Vector512.Create(exact[5]);
            var e6 = Vector512.Create(exact[6]);
            var e7 = Vector512.Create(exact[7]);
            var vmin = Vector512.Create(min);
            var vscale = Vector512.Create(scale);
            var vhigh = Vector512.Create((double)buckets);
            for (; j <= values.Length - 16; j += 16)
            {
                var s = Vector512.Create(SlotsOf8(values.Slice(j, 8), vmin, vscale, vhigh), SlotsOf8(values.Slice(j + 8, 8), vmin, vscale, vhigh));
                var g = Vector512.ShiftRightLogical(s.AsUInt32() - vlow, shift);
                var words = Avx512F.PermuteVar16x32x2(lower, g, upper);
                // The group's bit moved to the sign position: one mask bit per lane whose group holds a marked slot.
                var grouped = Avx512F.ShiftLeftLogicalVariable(words, Vector512.Create(31u) - Vector512.ShiftRightLogical(g, 5)).AsInt32();
                var equal = (Vector512.Equals(s, e0) | Vector512.Equals(s, e1)) | (Vector512.Equals(s, e2) | Vector512.Equals(s, e3))
                    | (Vector512.Equals(s, e4) | Vector512.Equals(s, e5)) | (Vector512.Equals(s, e6) | Vector512.Equals(s, e7));
                uint hits = (uint)(grouped | equal).ExtractMostSignificantBits();
                if (hits == 0)
                {
                    continue;
                }

                do
                {
                    // The lane's slot moved to element 0 by a permute: a stack copy of the vector, read back a lane
                    // at a time, stalls store forwarding whenever the buffer straddles a cache line.
                    int lane = BitOperations.TrailingZeroCount(hits);
                    hits &= hits - 1;
                    int slot = Avx512F.PermuteVar16x32(s, Vector512.Create(lane)).ToScalar();
                    if ((marked[slot >> 6] & (1UL << slot)) != 0)
                    {
                        visitor.Visit(values[j + lane], slot);
                    }
                }
                while (hits != 0);
            }
        }
        else if (Avx.IsSupported && values.Length >= 4)
        {
            var vmin = Vector256.Create(min);
            var vscale = Vector256.Create(scale);
            var vhigh = Vector256.Create((double)buckets);
            for (; j <= values.Length - 4; j += 4)
            {
                var s = SlotsOf4(values.Slice(j, 4), vmin, vscale, vhigh);
                for (int lane = 0; lane < 4; lane++)
                {
                    // A bitmap small enough for L1 cache answers "not wanted" for most values without more lookups.
                    int slot = s.GetElement(lane);
                    if ((marked[slot >> 6] & (1UL << slot)) != 0)
                    {
                        visitor.Visit(values[j + lane], slot);
                    }
                }
            }
        }

        for (; j < values.Length; j++)
        {
            int slot = SlotOf(values[j], min, scale, buckets);
            if ((marked[slot >> 6] & (1UL << slot)) != 0)
            {
                visitor.Visit(values[j], slot);
            }
        }
    }

    /// <summary>
    /// About 4 values per bucket, a power of two, at most <see cref="DefaultMaxBuckets"/>: past that, the counting
    /// passes (a random increment per value) cost more in cache misses than the fewer, fuller buckets cost to look into.
    /// </summary>
    public static int DefaultBucketCount(int n) => Math.Clamp((int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(n / 4, 1)), 1, DefaultMaxBuckets);

    /// <summary>
    /// An index of <see cref="DefaultBucketCount"/> buckets for a sample whose smallest and largest values are
    /// <paramref name="min"/> and <paramref name="max"/>. Equal-width buckets over a heavy-tailed sample's full range
    /// would put most values into a few crowded buckets, so when a systematic subsample puts 99.8% of the values into
    /// less than a quarter of the range, the buckets cover just that part and the two outer slots take the tails
    /// (any monotone slot function gives the same exact results; only the work differs).
    /// </summary>
    public static BucketIndex? TryBuildOver(double[] values, double min, double max, bool integral)
    {
        int buckets = DefaultBucketCount(values.Length);
        if (values.Length >= 4 * TailSubsample)
        {
            var probe = new double[TailSubsample];
            long stride = values.Length / TailSubsample;
            for (int i = 0; i < probe.Length; i++)
            {
                probe[i] = values[i * stride];
            }

            Array.Sort(probe);
            double low = probe[TailSubsample / 1000];
            double high = probe[TailSubsample - 1 - (TailSubsample / 1000)];
            if (low < high && (high - low) * 4 < max - min && TryBuild(values, low, high, buckets) is { } narrow)
            {
                return narrow;
            }
        }

        return TryBuild(values, min, max, buckets, integral);
    }

    /// <summary>
    /// Counts finite <paramref name="values"/> (kept by reference: the caller never changes them) whose smallest
    /// and largest are <paramref name="min"/> and <paramref name="max"/>; null when the range is zero or too wide
    /// or narrow for a finite scale (callers then sort).
    /// </summary>
    /// <param name="values">The values.</param>
    /// <param name="min">Their smallest.</param>
    /// <param name="max">Their largest.</param>
    /// <param name="buckets">The number of buckets.</param>
    /// <param name="integral">Whether every value is an integer.</param>
    public static BucketIndex? TryBuild(double[] values, double min, double max, int buckets, bool integral = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(buckets, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(buckets, MaxBuckets);
        if (!TryScale(min, max, buckets, out double scale))
        {
            return null;
        }

        var offsets = new int[buckets + 3];
        Histogram(values, min, scale, buckets, offsets.AsSpan(1));
        PrefixSums(offsets);

        // Distinct integers differ by at least 1, so at scale ≥ 2 their computed (x − min)·scale differ by more than 1
        // (rounding moves them by far less than 1e-9 at up to 2^18 buckets) and their floors differ.
        return new BucketIndex(values, min, max, buckets, scale, offsets, integral && scale >= 2);
    }

    /// <summary>
    /// Counts <paramref name="values"/> (any finite values, in or out of range) per slot of this index into a
    /// pooled array of at least <see cref="SlotCount"/> elements; give it back with
    /// <see cref="ArrayPool{T}.Return(T[], bool)"/> on <see cref="ArrayPool{T}.Shared"/>.
    /// </summary>
    public int[] CountSlots(ReadOnlySpan<double> values)
    {
        var counts = ArrayPool<int>.Shared.Rent(SlotCount);
        counts.AsSpan(0, SlotCount).Clear();
        Histogram(values, Min, Scale, Buckets, counts.AsSpan(0, SlotCount));
        return counts;
    }

    /// <summary>Where each slot's values start in a gather buffer, plus the total at the end.</summary>
    internal static int[] Starts(ReadOnlySpan<int> counts)
    {
        var starts = new int[counts.Length + 1];
        for (int i = 0; i < counts.Length; i++)
        {
            starts[i + 1] = starts[i] + counts[i];
        }

        return starts;
    }

    /// <summary>The values grouped by slot (a full counting-sort scatter), with the slots' offsets.</summary>
    public double[] Grouped()
    {
        var grouped = new double[Count];
        Group(_source, Min, Scale, Buckets, _offsets, grouped);
        return grouped;
    }

    /// <summary>The slot of one value.</summary>
    internal static int SlotOf(double x, double min, double scale, int buckets) =>
        (int)Math.Clamp(Math.Floor((x - min) * scale), -1, buckets) + 1;

    /// <summary><see cref="SlotOf"/> for four values at once (AVX): the same floor, clamp and shift. The bounds
    /// come in as vectors the caller built once, so the loop keeps them in registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> SlotsOf4(ReadOnlySpan<double> four, Vector256<double> min, Vector256<double> scale, Vector256<double> high)
    {
        var t = Vector256.Floor((Vector256.Create(four) - min) * scale);
        return Avx.ConvertToVector128Int32WithTruncation(Vector256.MinNative(Vector256.MaxNative(t, Vector256.Create(-1.0)), high) + Vector256<double>.One);
    }

    /// <summary><see cref="SlotOf"/> for eight values at once (AVX-512): the same floor, clamp and shift.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> SlotsOf8(ReadOnlySpan<double> eight, Vector512<double> min, Vector512<double> scale, Vector512<double> high)
    {
        var t = Vector512.Floor((Vector512.Create(eight) - min) * scale);
        return Avx512F.ConvertToVector256Int32WithTruncation(Vector512.MinNative(Vector512.MaxNative(t, Vector512.Create(-1.0)), high) + Vector512<double>.One);
    }

    /// <summary>The bucket scale for [min, max], if it is finite and positive.</summary>
    internal static bool TryScale(double min, double max, int buckets, out double scale)
    {
        double range = max - min;
        scale = buckets / range;
        return range > 0 && double.IsFinite(range) && double.IsFinite(scale) && scale > 0;
    }

    /// <summary>Turns counts into running totals in place.</summary>
    // A loop over every slot: compiled fully optimised at once rather than after tier-0 and on-stack replacement.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PrefixSums(Span<int> counts)
    {
        for (int s = 1; s < counts.Length; s++)
        {
            counts[s] += counts[s - 1];
        }
    }

    /// <summary>Adds the slot counts of <paramref name="values"/> to <paramref name="counts"/> (B + 2 long).</summary>
    // Hot loop over every value: compiled fully optimised at once rather than after tier-0 and on-stack replacement.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Histogram(ReadOnlySpan<double> values, double min, double scale, int buckets, Span<int> counts)
    {
        int i = 0;
        if (Avx.IsSupported && values.Length >= 4)
        {
            var vmin = Vector256.Create(min);
            var vscale = Vector256.Create(scale);
            var vhigh = Vector256.Create((double)buckets);
            for (; i <= values.Length - 4; i += 4)
            {
                var s = SlotsOf4(values.Slice(i, 4), vmin, vscale, vhigh);
                counts[s.GetElement(0)]++;
                counts[s.GetElement(1)]++;
                counts[s.GetElement(2)]++;
                counts[s.GetElement(3)]++;
            }
        }

        for (; i < values.Length; i++)
        {
            counts[SlotOf(values[i], min, scale, buckets)]++;
        }
    }

    /// <summary>
    /// One pass over <paramref name="values"/> for the listed slots: a slot whose pivot is NaN (or with no pivots)
    /// has its values written to <paramref name="buffer"/> from starts[i] on; a slot with a pivot p instead counts
    /// its values below p into <paramref name="below"/> and above p into <paramref name="above"/>.
    /// </summary>
    internal static void GatherSlots(ReadOnlySpan<double> values, double min, double scale, int buckets, int[] slots, int[] starts, Span<double> buffer, double[]? pivots = null, long[]? below = null, long[]? above = null)
    {
        // Only marked slots' entries of target are ever read, so the rest of the rented array stays as it was.
        var target = ArrayPool<int>.Shared.Rent(buckets + 2);
        var position = new int[slots.Length];
        var pivot = new double[slots.Length];
        var marked = new ulong[(buckets + 2 + 63) / 64];
        for (int i = 0; i < slots.Length; i++)
        {
            target[slots[i]] = i;
            marked[slots[i] >> 6] |= 1UL << slots[i];
            position[i] = starts[i];
            pivot[i] = pivots?[i] ?? double.NaN;
        }

        below ??= new long[slots.Length];
        above ??= new long[slots.Length];
        var taker = new Taker(target, pivot, position, buffer, below, above);
        ForMarked(values, min, scale, buckets, slots, marked, ref taker);
        ArrayPool<int>.Shared.Return(target);
    }

    /// <summary>GatherSlots' visitor: writes a slot's values, or counts them below and above its pivot.</summary>
    private readonly ref struct Taker(int[] target, double[] pivot, int[] position, Span<double> buffer, long[] below, long[] above) : ISlotVisitor
    {
        private readonly Span<double> _buffer = buffer;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Visit(double x, int slot)
        {
            int k = target[slot];
            double p = pivot[k];
            if (double.IsNaN(p))
            {
                _buffer[position[k]++] = x;
            }
            else if (x != p)
            {
                // Discrete data: almost every value equals the pivot, so the common case is one predictable comparison.
                if (x < p)
                {
                    below[k]++;
                }
                else
                {
                    above[k]++;
                }
            }
        }
    }

    /// <summary>
    /// Counting-sort scatter of <paramref name="values"/> into <paramref name="grouped"/> by slot, given the slots'
    /// prefix counts <paramref name="offsets"/> (B + 3 long).
    /// </summary>
    // Hot loop over every value: compiled fully optimised at once rather than after tier-0 and on-stack replacement.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Group(ReadOnlySpan<double> values, double min, double scale, int buckets, ReadOnlySpan<int> offsets, Span<double> grouped)
    {
        var position = offsets[..^1].ToArray();
        foreach (double x in values)
        {
            grouped[position[SlotOf(x, min, scale, buckets)]++] = x;
        }
    }

    /// <summary>
    /// Groups <paramref name="values"/> into slots over their own range: returns false when there is nothing to
    /// split (all equal) or the range has no finite scale; otherwise the slots' prefix counts and grouped values.
    /// </summary>
    // Hot loop over every value: compiled fully optimised at once rather than after tier-0 and on-stack replacement.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool TrySplit(ReadOnlySpan<double> values, ReadOnlySpan<double> more, out int[] offsets, out double[] grouped, out int[] moreOffsets, out double[] moreGrouped)
    {
        offsets = [];
        grouped = [];
        moreOffsets = [];
        moreGrouped = [];
        double min = double.PositiveInfinity;
        double max = double.NegativeInfinity;
        foreach (double v in values)
        {
            min = v < min ? v : min;
            max = v > max ? v : max;
        }

        foreach (double v in more)
        {
            min = v < min ? v : min;
            max = v > max ? v : max;
        }

        int buckets = Math.Clamp((int)BitOperations.RoundUpToPowerOf2((uint)Math.Max((values.Length + more.Length) / 8, 2)), 2, MaxBuckets);
        if (!(min < max) || !TryScale(min, max, buckets, out double scale))
        {
            return false;
        }

        (offsets, grouped) = GroupOwn(values, min, scale, buckets);
        (moreOffsets, moreGrouped) = GroupOwn(more, min, scale, buckets);
        return true;
    }

    private static (int[] Offsets, double[] Grouped) GroupOwn(ReadOnlySpan<double> values, double min, double scale, int buckets)
    {
        var offsets = new int[buckets + 3];
        Histogram(values, min, scale, buckets, offsets.AsSpan(1));
        PrefixSums(offsets);

        var grouped = new double[values.Length];
        Group(values, min, scale, buckets, offsets, grouped);
        return (offsets, grouped);
    }

    /// <summary>
    /// The <paramref name="k"/>-th smallest (0-based) of <paramref name="values"/> by recursive bucketing (expected
    /// O(n)); <paramref name="values"/> may be reordered.
    /// </summary>
    internal static double Select(Span<double> values, int k)
    {
        while (values.Length > 64)
        {
            if (!TrySplit(values, [], out var offsets, out var grouped, out _, out _))
            {
                // All equal, or no usable scale: sort what is left.
                break;
            }

            int slot = SlotOfRank(offsets, k);
            k -= offsets[slot];
            values = grouped.AsSpan(offsets[slot], offsets[slot + 1] - offsets[slot]);
        }

        values.Sort();
        return values[k];
    }

    /// <summary>The slot holding 0-based rank <paramref name="k"/>: the last slot whose offset is at most k.</summary>
    internal static int SlotOfRank(ReadOnlySpan<int> offsets, long k)
    {
        int lo = 0;
        int hi = offsets.Length - 2;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) >>> 1;
            if (offsets[mid] <= k)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo;
    }
}
