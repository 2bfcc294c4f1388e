namespace Monitor.Core.Performance;

/// <summary>
/// Neumaier's compensated summation: the rounding error of a window-long sum stays near one ulp instead of growing
/// with the number of terms, so means over millions of pairs still agree with numpy's pairwise sums.
/// </summary>
internal struct CompensatedSum
{
    private double _sum;
    private double _compensation;

    public readonly double Value => _sum + _compensation;

    public void Add(double value)
    {
        double t = _sum + value;
        _compensation += Math.Abs(_sum) >= Math.Abs(value) ? (_sum - t) + value : (value - t) + _sum;
        _sum = t;
    }
}
