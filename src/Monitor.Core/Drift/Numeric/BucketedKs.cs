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
    public static double Statistic(BucketIndex reference, ReadOnlySpan<double> current)
    {
        int buckets = reference.BucketCount;
        double min = reference.Min;
        double max = reference.Max;
        double scale = reference.Scale;
        int last = buckets - 1;

        // Slot 0 holds current values below the reference, slot b + 1 bucket b, the last slot those above it.
        var currentCounts = new int[buckets + 2];
        foreach (double x in current)
        {
            int slot = x < min ? 0 : x > max ? buckets + 1 : Math.Min((int)((x - min) * scale), last) + 1;
            currentCounts[slot]++;
        }

        double na = reference.Count;
        double nb = current.Length;
        // The reference's offsets padded with the empty outer slots.
        var referenceOffsets = new int[buckets + 3];
        reference.Offsets.CopyTo(referenceOffsets.AsSpan(1));
        referenceOffsets[^1] = reference.Count;
        var candidates = new List<Candidate>();
        double best = Scan(referenceOffsets, currentCounts, 0, 0, na, nb, candidates);
        if (!HasWork(candidates, best))
        {
            return Math.Min(best, 1);
        }

        // One pass gathers the current values of every bucket that may need a look.
        var slotOf = new int[buckets + 2];
        Array.Fill(slotOf, -1);
        var starts = new int[candidates.Count + 1];
        for (int i = 0; i < candidates.Count; i++)
        {
            slotOf[candidates[i].Bucket] = i;
            starts[i + 1] = starts[i] + currentCounts[candidates[i].Bucket];
        }

        var gathered = new double[starts[^1]];
        var fill = starts[..^1];
        foreach (double x in current)
        {
            if (x >= min && x <= max)
            {
                int s = slotOf[Math.Min((int)((x - min) * scale), last) + 1];
                if (s >= 0)
                {
                    gathered[fill[s]++] = x;
                }
            }
        }

        var order = Order(candidates);
        foreach (int i in order)
        {
            var c = candidates[i];
            if (c.Bound <= best)
            {
                break;
            }

            int bucket = c.Bucket - 1;
            var r = reference.Bucket(bucket).ToArray();
            Refine(r, gathered.AsSpan(starts[i], starts[i + 1] - starts[i]), c.Before, c.BeforeCurrent, na, nb, ref best);
        }

        return Math.Min(best, 1);
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

        var (amin, amax) = BucketIndex.MinMax(a);
        var (bmin, bmax) = BucketIndex.MinMax(b);
        double min = Math.Min(amin, bmin);
        double max = Math.Max(amax, bmax);
        if (min == max)
        {
            return; // one distinct value: its difference is the stretch's end, which the caller has counted
        }

        int buckets = Math.Clamp((int)BitOperations.RoundUpToPowerOf2((uint)((a.Length + b.Length) / 8)), 2, BucketIndex.MaxBuckets);
        if (!BucketIndex.TryScale(min, max, buckets, out double scale))
        {
            SortAndWalk(a, b, ca, cb, na, nb, ref best);
            return;
        }

        var aOffsets = new int[buckets + 1];
        var bOffsets = new int[buckets + 1];
        var aGrouped = new double[a.Length];
        var bGrouped = new double[b.Length];
        BucketIndex.Group(a, min, scale, aOffsets, aGrouped);
        BucketIndex.Group(b, min, scale, bOffsets, bGrouped);
        var bCounts = new int[buckets];
        for (int i = 0; i < buckets; i++)
        {
            bCounts[i] = bOffsets[i + 1] - bOffsets[i];
        }

        var candidates = new List<Candidate>();
        best = Math.Max(best, Scan(aOffsets, bCounts, ca, cb, na, nb, candidates));
        if (!HasWork(candidates, best))
        {
            return;
        }

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

    /// <summary>
    /// Walks buckets in order: returns the largest |difference| at bucket ends and lists the buckets holding both
    /// samples with the bound of the difference inside them (a's counts as offsets, one longer than b's counts). Division and subtraction round monotonically, so
    /// inside a bucket the difference lies in [ca/na − cb'/nb, ca'/na − cb/nb] (primes: counts after it).
    /// </summary>
    private static double Scan(int[] aOffsets, int[] bCounts, long ca, long cb, double na, double nb, List<Candidate> candidates)
    {
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
            if (ka > 0 && kb > 0)
            {
                double high = (ca1 / na) - (cb / nb);
                double low = (ca / na) - (cb1 / nb);
                candidates.Add(new Candidate(k, Math.Max(high, -low), ca, cb));
            }

            double diff = (ca1 / na) - (cb1 / nb);
            best = Math.Max(best, Math.Abs(diff));
            ca = ca1;
            cb = cb1;
        }

        candidates.RemoveAll(c => c.Bound <= best);
        return best;
    }

    private static bool HasWork(List<Candidate> candidates, double best) => candidates.Count > 0 && candidates.Exists(c => c.Bound > best);

    private static int[] Order(List<Candidate> candidates)
    {
        var order = new int[candidates.Count];
        var bounds = new double[candidates.Count];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
            bounds[i] = -candidates[i].Bound;
        }

        Array.Sort(bounds, order);
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
