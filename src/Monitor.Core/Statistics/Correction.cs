namespace Monitor.Core.Statistics;

/// <summary>How p-values of tests run together (one per feature of a model and window) are corrected.</summary>
public enum Correction
{
    /// <summary>No correction: each p-value is compared with α as it is.</summary>
    None,

    /// <summary>Bonferroni: controls the family-wise error rate; conservative when features are many.</summary>
    Bonferroni,

    /// <summary>Benjamini–Hochberg: controls the false discovery rate; the usual choice for many features.</summary>
    BenjaminiHochberg,
}
