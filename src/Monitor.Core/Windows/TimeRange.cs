using System.Globalization;

namespace Monitor.Core.Windows;

/// <summary>A half-open UTC time interval [Start, End).</summary>
public readonly record struct TimeRange(DateTimeOffset Start, DateTimeOffset End)
{
    /// <summary>Whether the instant lies in [Start, End).</summary>
    public bool Contains(DateTimeOffset t) => t >= Start && t < End;

    /// <summary>ISO-8601 UTC, e.g. <c>2026-11-28T06:00:00Z/2026-11-28T07:00:00Z</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Start.UtcDateTime:yyyy-MM-ddTHH:mm:ss.FFFFFFFK}/{End.UtcDateTime:yyyy-MM-ddTHH:mm:ss.FFFFFFFK}");
}
