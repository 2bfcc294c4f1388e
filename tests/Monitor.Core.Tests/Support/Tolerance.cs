namespace Monitor.Core.Tests.Support;

/// <summary>Comparisons against reference values with an explicit relative/absolute tolerance.</summary>
internal static class Tolerance
{
    /// <summary>Asserts |actual − expected| ≤ max(abs, rel·|expected|); NaN equals NaN and infinities must match.</summary>
    public static void Close(double expected, double actual, double rel, double abs, string what)
    {
        if (double.IsNaN(expected) || double.IsInfinity(expected))
        {
            Assert.True(expected.Equals(actual), $"{what}: expected {expected}, got {actual}");
            return;
        }

        double allowed = Math.Max(abs, rel * Math.Abs(expected));
        double diff = Math.Abs(actual - expected);
        Assert.True(diff <= allowed, $"{what}: expected {expected:R}, got {actual:R} (|diff| {diff:E3} > allowed {allowed:E3})");
    }

    /// <summary>The relative deviation used when reporting the largest deviation from the reference.</summary>
    public static double Relative(double expected, double actual) =>
        expected == actual ? 0 : Math.Abs(actual - expected) / Math.Max(Math.Abs(expected), 1e-300);
}
