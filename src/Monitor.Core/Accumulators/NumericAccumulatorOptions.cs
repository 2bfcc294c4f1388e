namespace Monitor.Core.Accumulators;

/// <summary>How a numeric accumulator stores values and checks ranges.</summary>
public sealed record NumericAccumulatorOptions
{
    /// <summary>The default exact limit: 100,000 values (800 KB per stream per pane) before switching to a sketch.</summary>
    public const int DefaultExactLimit = 100_000;

    /// <summary>Values kept exactly per pane before the accumulator switches to a KLL sketch.</summary>
    public int ExactLimit { get; init; } = DefaultExactLimit;

    /// <summary>The KLL sketch's k (accuracy/size trade-off; default 200).</summary>
    public int SketchK { get; init; } = 200;

    /// <summary>Seed for the sketch's compaction coin flips, so that a replay reproduces the same numbers.</summary>
    public ulong SketchSeed { get; init; } = 0x6D6F6E69746F72UL;

    /// <summary>Lower bound of the valid range (values below count as out of range); −∞ for none.</summary>
    public double RangeMin { get; init; } = double.NegativeInfinity;

    /// <summary>Upper bound of the valid range; +∞ for none.</summary>
    public double RangeMax { get; init; } = double.PositiveInfinity;

    /// <summary>Forces exact mode whatever the size (replay's --exact).</summary>
    public static NumericAccumulatorOptions Exact { get; } = new() { ExactLimit = int.MaxValue };
}
