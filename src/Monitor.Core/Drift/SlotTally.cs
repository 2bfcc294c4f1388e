namespace Monitor.Core.Drift;

/// <summary>
/// What a pass of an exact sample's values through another sample's <see cref="BucketIndex"/> learned about a few of
/// its slots: how many values lie in earlier slots, how many in the slot, and enough to count those at or below any
/// value of the slot (the slot's values themselves, or their counts around the one value the indexed sample holds
/// there). The exact KS statistic leaves it on the current sample for the index's decile slots, so quantile bins
/// fitted on the same reference count the current sample without another pass over it. Immutable.
/// </summary>
internal sealed class SlotTally
{
    private readonly int[] _slots;
    private readonly long[] _before;
    private readonly long[] _inSlot;
    private readonly double[] _pivots;
    private readonly long[] _above;
    private readonly ReadOnlyMemory<double>[] _values;

    /// <param name="source">The <see cref="BucketIndex.Identity"/> of the index whose slots these are.</param>
    /// <param name="slots">Distinct slots.</param>
    /// <param name="before">Per slot, the sample's values in earlier slots.</param>
    /// <param name="inSlot">Per slot, the sample's values in it.</param>
    /// <param name="pivots">Per slot, the indexed sample's only value there, or NaN when it holds several.</param>
    /// <param name="above">Per slot with a pivot, the sample's values of the slot above it.</param>
    /// <param name="values">Per slot without a pivot, the sample's values of the slot, in any order.</param>
    public SlotTally(object source, int[] slots, long[] before, long[] inSlot, double[] pivots, long[] above, ReadOnlyMemory<double>[] values)
    {
        Source = source;
        _slots = slots;
        _before = before;
        _inSlot = inSlot;
        _pivots = pivots;
        _above = above;
        _values = values;
    }

    /// <summary>The identity of the index the slots belong to.</summary>
    public object Source { get; }

    /// <summary>
    /// The sample's values at or below <paramref name="edge"/>, a value the indexed sample holds in
    /// <paramref name="slot"/>; false when the tally does not cover that slot.
    /// </summary>
    public bool TryCountAtOrBelow(int slot, double edge, out long count)
    {
        count = 0;
        int i = Array.IndexOf(_slots, slot);
        if (i < 0)
        {
            return false;
        }

        if (!double.IsNaN(_pivots[i]))
        {
            // Every value of the slot is below, at or above the pivot, and the edge is the pivot.
            if (edge != _pivots[i])
            {
                return false;
            }

            count = _before[i] + _inSlot[i] - _above[i];
            return true;
        }

        long below = 0;
        foreach (double x in _values[i].Span)
        {
            below += x <= edge ? 1 : 0;
        }

        count = _before[i] + below;
        return true;
    }
}
