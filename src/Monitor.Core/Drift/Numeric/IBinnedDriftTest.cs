namespace Monitor.Core.Drift.Numeric;

/// <summary>
/// A numeric test computed from counts in the reference's quantile bins (PSI, Jensen–Shannon, Hellinger, KL).
/// Baselines persist the bins and the reference's exact counts, and windows count into the same bins exactly,
/// so these tests stay exact at any window size, even when the values themselves are held in a sketch.
/// </summary>
public interface IBinnedDriftTest : INumericDriftTest
{
    /// <summary>A detector over persisted bins and the reference's exact counts in them.</summary>
    BinnedDriftDetector FitCounts(QuantileBins bins, ReadOnlySpan<long> referenceCounts);
}
