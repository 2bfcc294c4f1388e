using Monitor.Core.Drift;

namespace Monitor.Core.Tests.Rules;

/// <summary>
/// Stand-ins for the shipped drift tests: rule validation only needs their names, kinds and threshold kinds,
/// never their statistics.
/// </summary>
internal static class FakeDriftTests
{
    public static DriftTestRegistry Registry()
    {
        var registry = new DriftTestRegistry();
        foreach (var (name, kind, value) in new (string, ThresholdKind, double)[]
        {
            ("psi", ThresholdKind.StatisticAbove, 0.2), ("ks", ThresholdKind.PValueBelow, 0.05),
            ("wasserstein", ThresholdKind.StatisticAbove, 0.1), ("wasserstein_norm", ThresholdKind.StatisticAbove, 0.1),
            ("jensenshannon", ThresholdKind.StatisticAbove, 0.1), ("hellinger", ThresholdKind.StatisticAbove, 0.1),
            ("kl", ThresholdKind.StatisticAbove, 0.1), ("anderson", ThresholdKind.PValueBelow, 0.05),
            ("cramervonmises", ThresholdKind.PValueBelow, 0.05), ("energy", ThresholdKind.StatisticAbove, 0.1),
        })
        {
            registry.Add(new Numeric(name, kind, value));
        }

        foreach (var (name, kind, value) in new (string, ThresholdKind, double)[]
        {
            ("chisquare", ThresholdKind.PValueBelow, 0.05), ("psi", ThresholdKind.StatisticAbove, 0.2),
            ("jensenshannon", ThresholdKind.StatisticAbove, 0.1), ("hellinger", ThresholdKind.StatisticAbove, 0.1),
            ("kl", ThresholdKind.StatisticAbove, 0.1), ("linf", ThresholdKind.StatisticAbove, 0.1),
            ("ztest", ThresholdKind.PValueBelow, 0.05),
        })
        {
            registry.Add(new Categorical(name, kind, value));
        }

        return registry;
    }

    private sealed class Numeric(string name, ThresholdKind thresholdKind, double defaultThreshold) : INumericDriftTest
    {
        public string Name => name;

        public FeatureKind Kind => FeatureKind.Numeric;

        public ThresholdKind ThresholdKind => thresholdKind;

        public double DefaultThreshold => defaultThreshold;

        public INumericDriftDetector Fit(NumericSample reference) => throw new NotSupportedException("Rule validation never fits a test.");
    }

    private sealed class Categorical(string name, ThresholdKind thresholdKind, double defaultThreshold) : ICategoricalDriftTest
    {
        public string Name => name;

        public FeatureKind Kind => FeatureKind.Categorical;

        public ThresholdKind ThresholdKind => thresholdKind;

        public double DefaultThreshold => defaultThreshold;

        public ICategoricalDriftDetector Fit(CategoricalDistribution reference) => throw new NotSupportedException("Rule validation never fits a test.");
    }
}
