namespace Monitor.Core.Drift.Numeric;

/// <summary>Argument checks shared by the numeric tests.</summary>
internal static class Guard
{
    public static void NotEmpty(NumericSample sample, string paramName)
    {
        ArgumentNullException.ThrowIfNull(sample, paramName);
        if (sample.Count == 0)
        {
            throw new ArgumentException(
                $"The {(paramName == "reference" ? "reference" : "current")} sample is empty; a drift test needs at least one finite observation on each side.",
                paramName);
        }
    }

    public static void AtLeast(NumericSample sample, long minimum, string test, string paramName)
    {
        NotEmpty(sample, paramName);
        if (sample.Count < minimum)
        {
            throw new ArgumentException(
                $"The {paramName} sample has {sample.Count} observation(s); the {test} test needs at least {minimum}.",
                paramName);
        }
    }
}
