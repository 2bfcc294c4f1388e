namespace Monitor.Core.Drift;

/// <summary>The kind of a monitored feature, which decides the drift tests that apply to it.</summary>
public enum FeatureKind
{
    /// <summary>A real-valued feature (amounts, ages, model scores).</summary>
    Numeric,

    /// <summary>A feature with a finite set of labels (countries, predicted classes).</summary>
    Categorical,
}
