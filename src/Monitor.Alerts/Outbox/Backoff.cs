using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Monitor.Alerts.Outbox;

/// <summary>
/// Exponential backoff with full jitter: after the n-th failure wait U·min(max, base·2^(n−1)), U uniform in [0, 1).
/// U comes from a seeded generator keyed by (seed, item, attempt), so delays are reproducible whatever order
/// concurrent targets fail in, and across restarts.
/// </summary>
internal static class Backoff
{
    public static TimeSpan Ceiling(int failures, TimeSpan baseDelay, TimeSpan maxDelay)
    {
        int exponent = Math.Clamp(failures - 1, 0, 40);
        double ticks = baseDelay.Ticks * Math.Pow(2, exponent);
        return ticks >= maxDelay.Ticks ? maxDelay : TimeSpan.FromTicks((long)ticks);
    }

    public static TimeSpan Delay(int failures, double u, TimeSpan baseDelay, TimeSpan maxDelay)
    {
        if (!(u >= 0 && u < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(u), u, "The jitter draw must lie in [0, 1).");
        }

        return TimeSpan.FromTicks((long)(Ceiling(failures, baseDelay, maxDelay).Ticks * u));
    }

    /// <summary>A uniform draw in [0, 1) determined by (seed, item id, attempt).</summary>
    public static double Jitter(int seed, string itemId, int attempt)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{seed}:{itemId}:{attempt}")), hash);
        ulong bits = BinaryPrimitives.ReadUInt64LittleEndian(hash) >> 11;
        return bits * (1.0 / (1UL << 53));
    }
}
