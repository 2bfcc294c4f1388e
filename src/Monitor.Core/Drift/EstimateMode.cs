namespace Monitor.Core.Drift;

/// <summary>Whether a result was computed from every value (exact) or from a bounded-memory sketch.</summary>
public enum EstimateMode
{
    /// <summary>Computed from all values of both samples.</summary>
    Exact,

    /// <summary>Computed from a quantile sketch; the result carries its error bound.</summary>
    Sketch,
}
