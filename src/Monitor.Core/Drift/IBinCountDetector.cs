namespace Monitor.Core.Drift;

/// <summary>
/// A numeric detector whose statistic depends only on counts in the reference's bins (PSI, Jensen–Shannon,
/// Hellinger, KL). Windows count into the baseline's bins exactly at any size, so these tests stay exact even
/// when the window's values are held in a sketch.
/// </summary>
public interface IBinCountDetector
{
    /// <summary>The inner bin edges the counts must refer to.</summary>
    IReadOnlyList<double> Edges { get; }

    /// <summary>Evaluates the test from the current window's counts per bin.</summary>
    DriftResult EvaluateCounts(ReadOnlySpan<long> currentCounts, double threshold);
}
