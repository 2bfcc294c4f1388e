namespace Monitor.Core.Drift;

/// <summary>
/// Resolves the test names used in rule files, and picks a default test when a rule names none.
/// </summary>
/// <remarks>
/// Default selection (documented in README "Statistics"): p-value tests answer "could these be the same
/// distribution?", which at large n is always "no" for real traffic, so they alert on negligible shifts.
/// Monitor therefore uses p-value tests only for small windows and effect sizes above that:
/// numeric — <c>ks</c> (p &lt; 0.05) when the smaller of the two samples has at most
/// <see cref="SmallSampleLimit"/> observations, else <c>wasserstein_norm</c> (&gt; 0.1 reference standard
/// deviations); categorical — <c>chisquare</c> (p &lt; 0.05), or <c>ztest</c> for two categories, up to the
/// limit, else <c>jensenshannon</c> (&gt; 0.1).
/// </remarks>
public sealed class DriftTestRegistry
{
    /// <summary>The largest sample size for which defaults use a p-value test (1,000).</summary>
    public const long SmallSampleLimit = 1000;

    private readonly Dictionary<string, INumericDriftTest> _numeric = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ICategoricalDriftTest> _categorical = new(StringComparer.Ordinal);

    /// <summary>A registry holding every test Monitor ships.</summary>
    public static DriftTestRegistry Default { get; } = CreateDefault();

    /// <summary>The names of all registered numeric tests.</summary>
    public IEnumerable<string> NumericNames => _numeric.Keys.Order(StringComparer.Ordinal);

    /// <summary>The names of all registered categorical tests.</summary>
    public IEnumerable<string> CategoricalNames => _categorical.Keys.Order(StringComparer.Ordinal);

    /// <summary>Adds a test; a name may be registered once per kind.</summary>
    public DriftTestRegistry Add(IDriftTest test)
    {
        ArgumentNullException.ThrowIfNull(test);
        switch (test)
        {
            case INumericDriftTest n when test.Kind == FeatureKind.Numeric:
                if (!_numeric.TryAdd(n.Name, n))
                {
                    throw new InvalidOperationException($"A numeric test named '{n.Name}' is registered already.");
                }

                break;
            case ICategoricalDriftTest c when test.Kind == FeatureKind.Categorical:
                if (!_categorical.TryAdd(c.Name, c))
                {
                    throw new InvalidOperationException($"A categorical test named '{c.Name}' is registered already.");
                }

                break;
            default:
                throw new ArgumentException($"Test '{test.Name}' implements neither interface for its kind {test.Kind}.", nameof(test));
        }

        return this;
    }

    /// <summary>Finds a numeric test by its rule-file name.</summary>
    public bool TryGetNumeric(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out INumericDriftTest? test) =>
        _numeric.TryGetValue(name, out test);

    /// <summary>Finds a categorical test by its rule-file name.</summary>
    public bool TryGetCategorical(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ICategoricalDriftTest? test) =>
        _categorical.TryGetValue(name, out test);

    /// <summary>The default numeric test for samples of these sizes (see the class remarks).</summary>
    public INumericDriftTest DefaultNumeric(long referenceCount, long currentCount) =>
        _numeric[Math.Min(referenceCount, currentCount) <= SmallSampleLimit ? "ks" : "wasserstein_norm"];

    /// <summary>The default categorical test for these sizes and number of categories (see the class remarks).</summary>
    public ICategoricalDriftTest DefaultCategorical(long referenceCount, long currentCount, int categoryCount)
    {
        if (Math.Min(referenceCount, currentCount) > SmallSampleLimit)
        {
            return _categorical["jensenshannon"];
        }

        return _categorical[categoryCount <= 2 ? "ztest" : "chisquare"];
    }

    private static DriftTestRegistry CreateDefault()
    {
        var registry = new DriftTestRegistry();
        // Numeric tests (src/Monitor.Core/Drift/Numeric) — one line each.
        registry.Add(new Numeric.PsiTest());
        registry.Add(new Numeric.KsTest());
        registry.Add(new Numeric.WassersteinTest());
        registry.Add(new Numeric.WassersteinTest(normalized: true));
        registry.Add(new Numeric.JensenShannonTest());
        registry.Add(new Numeric.HellingerTest());
        registry.Add(new Numeric.KlDivergenceTest());
        registry.Add(new Numeric.AndersonDarlingTest());
        registry.Add(new Numeric.CramerVonMisesTest());
        registry.Add(new Numeric.EnergyDistanceTest());
        // Categorical tests (src/Monitor.Core/Drift/Categorical) — one line each.
        registry.Add(new Categorical.ChiSquareTest());
        registry.Add(new Categorical.CategoricalPsiTest());
        registry.Add(new Categorical.CategoricalJensenShannonTest());
        registry.Add(new Categorical.CategoricalHellingerTest());
        registry.Add(new Categorical.CategoricalKlDivergenceTest());
        registry.Add(new Categorical.LInfinityTest());
        registry.Add(new Categorical.ZTestProportions());
        return registry;
    }
}
