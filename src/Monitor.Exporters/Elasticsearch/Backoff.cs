namespace Monitor.Exporters.Elasticsearch;

/// <summary>
/// Exponential back-off with jitter: the n-th consecutive failure waits a uniformly drawn share in [½, 1] of
/// <c>min(max, initial × 2ⁿ⁻¹)</c>. The jitter spreads the retries of many Monitor instances after a shared
/// outage; the lower half-bound keeps a retry from coming straight back.
/// </summary>
internal static class Backoff
{
    /// <summary>The wait before retry number <paramref name="failures"/> (1-based), for a draw <paramref name="u"/> in [0, 1).</summary>
    public static TimeSpan Delay(int failures, TimeSpan initial, TimeSpan max, double u)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failures, 1);
        if (!(u >= 0 && u < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(u), u, "The draw must lie in [0, 1).");
        }

        var exponent = Math.Min(failures - 1, 30);
        var ceiling = Math.Min(max.TotalMilliseconds, initial.TotalMilliseconds * Math.Pow(2, exponent));
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + (0.5 * u)));
    }
}
