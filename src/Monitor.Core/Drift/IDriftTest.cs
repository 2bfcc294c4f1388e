namespace Monitor.Core.Drift;

/// <summary>
/// A named drift test as rule files refer to it. Tests are fitted once on the reference (the baseline) and
/// then evaluated on every window, so that the reference-side work (sorting, bin edges) is done once.
/// </summary>
public interface IDriftTest
{
    /// <summary>The name used in <c>rules/</c> files, lower-case (e.g. <c>ks</c>, <c>wasserstein_norm</c>).</summary>
    string Name { get; }

    /// <summary>The feature kind this test applies to.</summary>
    FeatureKind Kind { get; }

    /// <summary>Whether the threshold bounds the statistic or the p-value.</summary>
    ThresholdKind ThresholdKind { get; }

    /// <summary>The threshold used when a rule file gives none.</summary>
    double DefaultThreshold { get; }
}

/// <summary>A drift test over numeric features.</summary>
public interface INumericDriftTest : IDriftTest
{
    /// <summary>Prepares the test for a reference sample.</summary>
    INumericDriftDetector Fit(NumericSample reference);
}

/// <summary>A numeric drift test fitted to one reference sample.</summary>
public interface INumericDriftDetector
{
    /// <summary>Compares a current sample with the fitted reference.</summary>
    DriftResult Evaluate(NumericSample current, double threshold);
}

/// <summary>A drift test over categorical features.</summary>
public interface ICategoricalDriftTest : IDriftTest
{
    /// <summary>Prepares the test for a reference distribution.</summary>
    ICategoricalDriftDetector Fit(CategoricalDistribution reference);
}

/// <summary>A categorical drift test fitted to one reference distribution.</summary>
public interface ICategoricalDriftDetector
{
    /// <summary>Compares a current distribution with the fitted reference.</summary>
    DriftResult Evaluate(CategoricalDistribution current, double threshold);
}
