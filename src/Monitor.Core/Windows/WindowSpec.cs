namespace Monitor.Core.Windows;

/// <summary>
/// Event-time windows of one monitor: tumbling windows of <see cref="Size"/>, or sliding windows of
/// <see cref="Size"/> that advance by <see cref="Slide"/>, aligned to the Unix epoch plus <see cref="Offset"/>.
/// </summary>
/// <remarks>
/// Every event lands in exactly one <em>pane</em> of length <see cref="Slide"/> (for tumbling windows the pane
/// is the window). A window is the merge of the <see cref="PanesPerWindow"/> panes it covers, which is why
/// accumulators are mergeable. Alignment: 1970-01-01 was a Thursday, so a 7-day window with a 4-day offset
/// starts on Mondays at 00:00 UTC.
/// </remarks>
public sealed class WindowSpec
{
    /// <summary>Creates a window specification.</summary>
    /// <param name="size">Window length; positive.</param>
    /// <param name="offset">Shift of window starts from the epoch; reduced modulo the slide.</param>
    /// <param name="slide">How far consecutive windows advance; defaults to <paramref name="size"/> (tumbling). Must divide the size.</param>
    /// <param name="allowedLateness">How long after a window's end events for it are still accepted.</param>
    public WindowSpec(TimeSpan size, TimeSpan offset = default, TimeSpan? slide = null, TimeSpan allowedLateness = default)
    {
        if (size <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "A window size must be positive.");
        }

        var s = slide ?? size;
        if (s <= TimeSpan.Zero || s > size || size.Ticks % s.Ticks != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(slide), s, $"The slide must be positive and divide the window size {size}.");
        }

        if (allowedLateness < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(allowedLateness), allowedLateness, "Allowed lateness cannot be negative.");
        }

        Size = size;
        Slide = s;
        Offset = TimeSpan.FromTicks(Mod(offset.Ticks, s.Ticks));
        AllowedLateness = allowedLateness;
    }

    /// <summary>Window length.</summary>
    public TimeSpan Size { get; }

    /// <summary>Advance between consecutive windows (equal to <see cref="Size"/> for tumbling windows).</summary>
    public TimeSpan Slide { get; }

    /// <summary>Alignment shift from the Unix epoch, in [0, <see cref="Slide"/>).</summary>
    public TimeSpan Offset { get; }

    /// <summary>How long after a window's end its events are still accepted.</summary>
    public TimeSpan AllowedLateness { get; }

    /// <summary>Whether windows overlap.</summary>
    public bool IsSliding => Slide != Size;

    /// <summary>The number of panes one window merges.</summary>
    public int PanesPerWindow => checked((int)(Size.Ticks / Slide.Ticks));

    /// <summary>The pane that holds an event with this timestamp.</summary>
    public TimeRange PaneOf(DateTimeOffset timestamp)
    {
        long t = timestamp.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks - Offset.Ticks;
        long start = t - Mod(t, Slide.Ticks) + Offset.Ticks + DateTimeOffset.UnixEpoch.UtcTicks;
        return new TimeRange(new DateTimeOffset(start, TimeSpan.Zero), new DateTimeOffset(start + Slide.Ticks, TimeSpan.Zero));
    }

    /// <summary>The window that ends with the given pane (for tumbling windows, the pane itself).</summary>
    public TimeRange WindowEndingWith(TimeRange pane) => new(pane.End - Size, pane.End);

    /// <summary>The windows that contain the given pane, earliest first.</summary>
    public IEnumerable<TimeRange> WindowsContaining(TimeRange pane)
    {
        for (int i = 0; i < PanesPerWindow; i++)
        {
            var end = pane.End + TimeSpan.FromTicks(Slide.Ticks * i);
            yield return new TimeRange(end - Size, end);
        }
    }

    /// <summary>The starts of the panes a window merges, in order.</summary>
    public IEnumerable<DateTimeOffset> PaneStartsOf(TimeRange window)
    {
        for (var s = window.Start; s < window.End; s += Slide)
        {
            yield return s;
        }
    }

    /// <summary>
    /// Whether a window is closed for a watermark: its end plus the allowed lateness has passed. Events for a
    /// closed window are late: counted, never added.
    /// </summary>
    public bool IsClosed(TimeRange window, DateTimeOffset watermark) => watermark >= window.End + AllowedLateness;

    private static long Mod(long a, long m)
    {
        long r = a % m;
        return r < 0 ? r + m : r;
    }
}
