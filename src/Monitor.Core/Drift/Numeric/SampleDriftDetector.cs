namespace Monitor.Core.Drift.Numeric;

/// <summary>Computes a statistic and optional p-value from the fitted reference and a current sample.</summary>
internal delegate (double Statistic, double? PValue) SampleStatistic(NumericSample reference, NumericSample current);

/// <summary>
/// A test that compares sorted samples by a merge walk (KS, Wasserstein, energy, Anderson–Darling, Cramér–von
/// Mises). Fitting keeps the reference <see cref="NumericSample"/>; whatever it builds on first use (its sorted
/// values, or the bucket index the exact KS statistic uses) stays with it for every later window.
/// </summary>
internal sealed class SampleDriftDetector(
    string test,
    NumericSample reference,
    ThresholdKind thresholdKind,
    SampleStatistic statistic,
    bool ksErrorBound = false) : INumericDriftDetector
{
    public NumericSample Reference { get; } = reference;

    public DriftResult Evaluate(NumericSample current, double threshold)
    {
        Guard.NotEmpty(current, nameof(current));
        var (value, p) = statistic(Reference, current);
        if (!double.IsFinite(value) || (p is { } pv && double.IsNaN(pv)))
        {
            // Finite inputs can still overflow, e.g. a Wasserstein distance between values near ±1e308.
            throw new ArgumentException($"The {test} test produced a non-finite result ({value}, p = {p}); the values are too far apart for double precision.", nameof(current));
        }

        var result = DriftResult.Decide(test, value, p, threshold, thresholdKind);
        if (Reference.Mode == EstimateMode.Exact && current.Mode == EstimateMode.Exact)
        {
            return result;
        }

        // Sketch mode: the KS statistic is within ε_ref + ε_cur of the exact one; other statistics carry no bound.
        return result with
        {
            Mode = EstimateMode.Sketch,
            ErrorBound = ksErrorBound ? Reference.RankError + current.RankError : null,
        };
    }
}
