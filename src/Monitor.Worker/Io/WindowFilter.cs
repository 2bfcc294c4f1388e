using System.Globalization;
using Monitor.Core.Ingest;
using Monitor.Core.Pipeline;
using Monitor.Worker.Models;

namespace Monitor.Worker.Io;

/// <summary>A half-open interval of event time, [<see cref="From"/>, <see cref="To"/>).</summary>
/// <param name="From">The first instant inside.</param>
/// <param name="To">The first instant after.</param>
internal readonly record struct TimeWindow(DateTimeOffset From, DateTimeOffset To)
{
    /// <summary>Parses <c>--from</c>/<c>--to</c>: both or neither (no window), ISO-8601, UTC when no offset is given.</summary>
    public static TimeWindow? Parse(string? from, string? to)
    {
        if (from is null && to is null)
        {
            return null;
        }

        if (from is null || to is null)
        {
            throw new MonitorInputException($"--from and --to go together (got only {(from is null ? "--to" : "--from")}). Fix: give both ends of the window, e.g. --from 2026-11-20T00:00:00Z --to 2026-11-27T00:00:00Z.");
        }

        var window = new TimeWindow(Instant(from, "--from"), Instant(to, "--to"));
        if (window.To <= window.From)
        {
            throw new MonitorInputException($"--to {to} is not after --from {from}. Fix: the window is [from, to) and must not be empty.");
        }

        return window;
    }

    /// <summary>Whether <paramref name="timestamp"/> is inside.</summary>
    public bool Contains(DateTimeOffset timestamp) => timestamp >= From && timestamp < To;

    /// <summary><c>[from, to)</c> in ISO-8601 UTC.</summary>
    public override string ToString() => $"[{Iso(From)}, {Iso(To)})";

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    private static DateTimeOffset Instant(string text, string option) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t
            : throw new MonitorInputException($"{option} '{text}' is not an ISO-8601 instant. Fix: e.g. {option} 2026-11-20T00:00:00Z.");
}

/// <summary>
/// Keeps the rows whose event timestamp (the rule file's <c>fields.timestamp</c> path, read exactly as the daemon
/// reads it) lies in a <see cref="TimeWindow"/>. Rows without a parseable timestamp are counted and dropped; rows
/// that are not JSON objects at all pass through so that the builder rejects and counts them with their reason.
/// </summary>
internal sealed class WindowFilter
{
    private readonly TimeWindow _window;
    private readonly EventDecoder _decoder;
    private readonly DecodedEvent _row;

    public WindowFilter(CompiledModel model, TimeWindow window)
    {
        ArgumentNullException.ThrowIfNull(model);
        _window = window;
        var schema = new EventSchema(model.Model, model.PredictionSchema.TimestampPath, null, null, null, requireEventId: false) { RequireTimestamp = true };
        _decoder = new EventDecoder(schema);
        _row = _decoder.CreateBuffer();
    }

    /// <summary>Rows dropped for a missing or unparseable timestamp (counted passes only).</summary>
    public long BadTimestamps { get; private set; }

    /// <summary>Rows dropped for a timestamp outside the window (counted passes only).</summary>
    public long Outside { get; private set; }

    /// <summary>Filters <paramref name="rows"/>; <paramref name="count"/> is false for a second read of the same rows.</summary>
    public IEnumerable<ReadOnlyMemory<byte>> Apply(IEnumerable<ReadOnlyMemory<byte>> rows, bool count)
    {
        ArgumentNullException.ThrowIfNull(rows);
        foreach (var row in rows)
        {
            var outcome = _decoder.Decode(row.Span, _row);
            if (outcome == DecodeOutcome.BadTimestamp)
            {
                BadTimestamps += count ? 1 : 0;
                continue;
            }

            if (outcome == DecodeOutcome.Ok && !_window.Contains(_row.Timestamp))
            {
                Outside += count ? 1 : 0;
                continue;
            }

            yield return row;
        }
    }
}
