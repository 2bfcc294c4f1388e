using System.Runtime.CompilerServices;
using System.Buffers;
using System.Numerics;

namespace Monitor.Core.Drift.Numeric;

/// <summary>
/// The exact two-sample KS statistic without sorting either sample: counts of both samples per bucket of the
/// reference's <see cref="BucketIndex"/> give the CDF difference exactly at every bucket end; inside a bucket it
/// can only exceed those where both samples have values, and only by a bound computed from the bucket's counts.
/// Just the buckets whose bound beats the best difference found so far are looked into (recursively bucketed,
/// then sorted when small), best bound first. Every difference is computed with the same expression from the
/// same counts as the sorted merge walk, so the result is bit-identical to it.
/// </summary>
internal static class BucketedKs
{
    private const int SortBelow = 64;

    /// <summary>sup |F_ref − F_cur| for a reference given by its index and the current sample's values in any order.</summary>
    public static double Statistic(BucketIndex reference, ReadOnlySpan<double> current) => Statistic(reference, current, false, out _);

    /// <summary>
    /// The statistic, and what the pass over the current values learned about the index's decile slots (null when no
    /// slot needed a look), which quantile bins fitted on the same reference count the current sample from.
    /// </summary>
    /// <param name="reference">The reference's index.</param>
    /// <param name="current">The current values.</param>
    /// <param name="currentIntegral">Whether every current value is an integer.</param>
    /// <param name="tally">The current sample's counts at the decile slots.</param>
    public static double Statistic(BucketIndex reference, ReadOnlySpan<double> current, bool currentIntegral, out SlotTally? tally)
    {
        var currentCounts = reference.CountSlots(current);
        try
        {
            return Statistic(reference, current, currentIntegral, currentCounts.AsSpan(0, reference.SlotCount), out tally);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(currentCounts);
        }
    }

    private static double Statistic(BucketIndex reference, ReadOnlySpan<double> current, bool currentIntegral, ReadOnlySpan<int> currentCounts, out SlotTally? tally)
    {
        tally = null;
        double na = reference.Count;
        double nb = current.Length;
        var candidates = new List<Candidate>();
        double best = Scan(reference.Offsets, currentCounts, 0, 0, na, nb, candidates);
        if (candidates.Count == 0)
        {
            return Math.Min(best, 1);
        }

        // One pass over the current sample gathers the values of every slot that may need a look, except where the
        // reference's values are all equal: there counts below and at that value are enough. The decile slots come
        // along (a few values each), so that quantile bins fitted on this reference need no pass of their own.
        var slotList = new List<int>(candidates.Count + 9);
        foreach (var c in candidates)
        {
            slotList.Add(c.Bucket);
        }

        var deciles = reference.DecileSlots;
        foreach (int slot in deciles)
        {
            if (!slotList.Contains(slot))
            {
                slotList.Add(slot);
            }
        }

        var slots = slotList.ToArray();
        reference.Resolve(slots);
        var counts = new int[slots.Length];
        var pivots = new double[slots.Length];
        for (int i = 0; i < slots.Length; i++)
        {
            if (reference.IsSingleValued(slots[i], out double v))
            {
                pivots[i] = v;
            }
            else
            {
                pivots[i] = double.NaN;
                counts[i] = currentCounts[slots[i]];
            }
        }

        var starts = BucketIndex.Starts(counts);
        var below = new long[slots.Length];
        var above = new long[slots.Length];
        var buffer = ArrayPool<double>.Shared.Rent(starts[^1]);
        try
        {
            Gather(reference, current, currentIntegral, slots, starts, buffer, pivots, below, above);
            foreach (int i in Order(candidates))
            {
                var c = candidates[i];
                if (c.Bound <= best)
                {
                    break;
                }

                if (!double.IsNaN(pivots[i]))
                {
                    best = Math.Max(best, AroundPoint(reference.CountIn(c.Bucket), below[i], currentCounts[c.Bucket] - below[i] - above[i], c.Before, c.BeforeCurrent, na, nb));
                }
                else
                {
                    var referenceSlot = reference.ValuesOf(c.Bucket).ToArray();
                    Refine(referenceSlot, buffer.AsSpan(starts[i], counts[i]), c.Before, c.BeforeCurrent, na, nb, ref best);
                }
            }

            tally = Tally(reference, deciles, slots, currentCounts, pivots, above, buffer, starts);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(buffer);
        }

        return Math.Min(best, 1);
    }

    /// <summary>
    /// The pass over the current values for the listed slots. When both samples hold integers and the reference's
    /// buckets are at most half a unit wide, a current value in an inner slot can only be the reference's one value
    /// there (below and above stay 0), so only the two outer slots, which take everything beyond the reference's
    /// range, need a look, and often none does.
    /// </summary>
    private static void Gather(BucketIndex reference, ReadOnlySpan<double> current, bool currentIntegral, int[] slots, int[] starts, double[] buffer, double[] pivots, long[] below, long[] above)
    {
        if (!currentIntegral || !reference.Integral)
        {
            BucketIndex.GatherSlots(current, reference.Min, reference.Scale, reference.Buckets, slots, starts, buffer, pivots, below, above);
            return;
        }

        var needed = new List<int>();
        for (int i = 0; i < slots.Length; i++)
        {
            if (double.IsNaN(pivots[i]) || slots[i] == 0 || slots[i] == reference.Buckets + 1)
            {
                needed.Add(i);
            }
        }

        if (needed.Count == 0)
        {
            return;
        }

        var subSlots = new int[needed.Count];
        var subStarts = new int[needed.Count];
        var subPivots = new double[needed.Count];
        var subBelow = new long[needed.Count];
        var subAbove = new long[needed.Count];
        for (int k = 0; k < needed.Count; k++)
        {
            subSlots[k] = slots[needed[k]];
            subStarts[k] = starts[needed[k]];
            subPivots[k] = pivots[needed[k]];
        }

        BucketIndex.GatherSlots(current, reference.Min, reference.Scale, reference.Buckets, subSlots, subStarts, buffer, subPivots, subBelow, subAbove);
        for (int k = 0; k < needed.Count; k++)
        {
            below[needed[k]] = subBelow[k];
            above[needed[k]] = subAbove[k];
        }
    }

    /// <summary>The current sample's counts at the index's decile slots, from the gather pass's results.</summary>
    private static SlotTally Tally(BucketIndex reference, ReadOnlySpan<int> deciles, int[] slots, ReadOnlySpan<int> currentCounts, double[] pivots, long[] above, double[] buffer, int[] starts)
    {
        var distinct = new List<int>(deciles.Length);
        foreach (int slot in deciles)
        {
            if (distinct.Count == 0 || distinct[^1] != slot)
            {
                distinct.Add(slot);
            }
        }

        int n = distinct.Count;
        var before = new long[n];
        var inSlot = new long[n];
        var tallyPivots = new double[n];
        var tallyAbove = new long[n];
        var values = new ReadOnlyMemory<double>[n];
        long sum = 0;
        int from = 0;
        for (int d = 0; d < n; d++)
        {
            int slot = distinct[d];
            sum += Sum(currentCounts[from..slot]);
            from = slot;
            int i = Array.IndexOf(slots, slot);
            before[d] = sum;
            inSlot[d] = currentCounts[slot];
            tallyPivots[d] = pivots[i];
            tallyAbove[d] = above[i];
            values[d] = double.IsNaN(pivots[i]) ? buffer.AsSpan(starts[i], starts[i + 1] - starts[i]).ToArray() : ReadOnlyMemory<double>.Empty;
        }

        return new SlotTally(reference.Identity, [.. distinct], before, inSlot, tallyPivots, tallyAbove, values);
    }

    // A loop over up to every slot: compiled fully optimised at once rather than after tier-0 and on-stack replacement.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static long Sum(ReadOnlySpan<int> counts)
    {
        long sum = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            // Per-lane sums stay below the sample size, which is an int.
            var acc = Vector<int>.Zero;
            for (; i <= counts.Length - Vector<int>.Count; i += Vector<int>.Count)
            {
                acc += new Vector<int>(counts[i..]);
            }

            sum = Vector.Sum(acc);
        }

        for (; i < counts.Length; i++)
        {
            sum += counts[i];
        }

        return sum;
    }

    /// <summary>
    /// The largest |difference| inside a slot where the reference holds <paramref name="count"/> copies of one value
    /// v, given the current values of the slot below v and equal to v: only current values move the difference
    /// below and above v, so its extremes are at the largest current value below v, at v itself, and at the slot's
    /// end (which the caller has counted).
    /// </summary>
    private static double AroundPoint(int count, long below, long equal, long ca, long cb, double na, double nb)
    {
        double before = (ca / na) - ((cb + below) / nb);
        double at = ((ca + count) / na) - ((cb + below + equal) / nb);
        return Math.Max(Math.Abs(before), Math.Abs(at));
    }

    /// <summary>
    /// Raises <paramref name="best"/> to the largest |difference| at the distinct values of a stretch holding
    /// <paramref name="a"/> and <paramref name="b"/> (both may be reordered), given the counts before it.
    /// </summary>
    internal static void Refine(Span<double> a, Span<double> b, long ca, long cb, double na, double nb, ref double best)
    {
        if (a.Length + b.Length <= SortBelow)
        {
            SortAndWalk(a, b, ca, cb, na, nb, ref best);
            return;
        }

        if (!BucketIndex.TrySplit(a, b, out var aOffsets, out var aGrouped, out var bOffsets, out var bGrouped))
        {
            if (!AllEqual(a, b))
            {
                SortAndWalk(a, b, ca, cb, na, nb, ref best);
            }

            // One distinct value: its difference is the stretch's end, which the caller has counted.
            return;
        }

        var bCounts = new int[bOffsets.Length - 1];
        for (int i = 0; i < bCounts.Length; i++)
        {
            bCounts[i] = bOffsets[i + 1] - bOffsets[i];
        }

        var candidates = new List<Candidate>();
        best = Math.Max(best, Scan(aOffsets, bCounts, ca, cb, na, nb, candidates));
        foreach (int i in Order(candidates))
        {
            var c = candidates[i];
            if (c.Bound <= best)
            {
                break;
            }

            int k = c.Bucket;
            Refine(
                aGrouped.AsSpan(aOffsets[k], aOffsets[k + 1] - aOffsets[k]),
                bGrouped.AsSpan(bOffsets[k], bOffsets[k + 1] - bOffsets[k]),
                c.Before,
                c.BeforeCurrent,
                na,
                nb,
                ref best);
        }
    }

    private static bool AllEqual(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double first = a.IsEmpty ? b[0] : a[0];
        foreach (double v in a)
        {
            if (v != first)
            {
                return false;
            }
        }

        foreach (double v in b)
        {
            if (v != first)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Walks buckets in order: returns the largest |difference| at bucket ends and lists the buckets holding both
    /// samples whose bound of the difference inside beats it (a's counts as offsets, one longer than b's counts).
    /// Division and subtraction round monotonically, so inside a bucket the difference lies in
    /// [ca/na − cb'/nb, ca'/na − cb/nb] (primes: counts after it).
    /// </summary>
    // Hot loop over every slot: compiled fully optimised at once rather than after tier-0 and on-stack replacement.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Scan(ReadOnlySpan<int> aOffsets, ReadOnlySpan<int> bCounts, long ca, long cb, double na, double nb, List<Candidate> candidates)
    {
        // Products with the reciprocals are within 1e-15 of the exact quotients, so they rule out most slots without
        // a division; only a slot that may reach the best so far is computed exactly (with the walk's expression).
        const double Margin = 1e-12;
        double ia = 1 / na;
        double ib = 1 / nb;
        double best = 0;
        for (int k = 0; k < bCounts.Length; k++)
        {
            int ka = aOffsets[k + 1] - aOffsets[k];
            int kb = bCounts[k];
            if (ka == 0 && kb == 0)
            {
                continue;
            }

            long ca1 = ca + ka;
            long cb1 = cb + kb;
            if (Math.Abs((ca1 * ia) - (cb1 * ib)) > best - Margin)
            {
                best = Math.Max(best, Math.Abs((ca1 / na) - (cb1 / nb)));
            }

            if (ka > 0 && kb > 0 && Math.Max((ca1 * ia) - (cb * ib), (cb1 * ib) - (ca * ia)) > best - Margin)
            {
                double bound = Math.Max((ca1 / na) - (cb / nb), (cb1 / nb) - (ca / na));
                if (bound > best)
                {
                    candidates.Add(new Candidate(k, bound, ca, cb));
                }
            }

            ca = ca1;
            cb = cb1;
        }

        candidates.RemoveAll(c => c.Bound <= best);
        return best;
    }

    /// <summary>
    /// Candidate indexes by descending bound. An insertion sort: there are at most a few hundred, and the order only
    /// decides how soon the rest can be skipped, never the result (a skipped bound is at most the best already found).
    /// </summary>
    private static int[] Order(List<Candidate> candidates)
    {
        var order = new int[candidates.Count];
        for (int i = 0; i < order.Length; i++)
        {
            int j = i;
            double bound = candidates[i].Bound;
            while (j > 0 && candidates[order[j - 1]].Bound < bound)
            {
                order[j] = order[j - 1];
                j--;
            }

            order[j] = i;
        }

        return order;
    }

    private static void SortAndWalk(Span<double> a, Span<double> b, long ca, long cb, double na, double nb, ref double best)
    {
        a.Sort();
        b.Sort();
        best = Math.Max(best, KolmogorovSmirnov.Walk(a, b, ca, cb, na, nb));
    }

    private readonly record struct Candidate(int Bucket, double Bound, long Before, long BeforeCurrent);
}
