using Monitor.Core.Windows;

namespace Monitor.Core.Tests.Windows;

public sealed class WindowSpecTests
{
    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("2026-11-28T06:00:00Z", "2026-11-28T06:00:00Z")]
    [InlineData("2026-11-28T06:59:59.9999999Z", "2026-11-28T06:00:00Z")]
    [InlineData("2026-11-28T07:00:00Z", "2026-11-28T07:00:00Z")]
    [InlineData("1969-12-31T23:30:00Z", "1969-12-31T23:00:00Z")]
    public void PaneOf_HourlyTumbling_StartsOnTheHourAndIsHalfOpen(string timestamp, string expectedStart)
    {
        var spec = new WindowSpec(TimeSpan.FromHours(1));

        var pane = spec.PaneOf(At(timestamp));

        Assert.Equal(At(expectedStart), pane.Start);
        Assert.Equal(At(expectedStart).AddHours(1), pane.End);
        Assert.True(pane.Contains(At(timestamp)));
    }

    [Fact]
    public void PaneOf_WeeklyWithFourDayOffset_StartsOnMonday()
    {
        var spec = new WindowSpec(TimeSpan.FromDays(7), offset: TimeSpan.FromDays(4));

        var pane = spec.PaneOf(At("2026-11-28T12:00:00Z")); // a Saturday

        Assert.Equal(DayOfWeek.Monday, pane.Start.DayOfWeek);
        Assert.Equal(At("2026-11-23T00:00:00Z"), pane.Start);
        Assert.Equal(At("2026-11-30T00:00:00Z"), pane.End);
    }

    [Fact]
    public void PaneOf_TimestampWithOffsetZone_UsesUtc()
    {
        var spec = new WindowSpec(TimeSpan.FromDays(1));

        var pane = spec.PaneOf(At("2026-11-28T01:00:00+02:00"));

        Assert.Equal(At("2026-11-27T00:00:00Z"), pane.Start);
    }

    [Fact]
    public void WindowsContaining_SlidingHourEvery15Minutes_ReturnsFourWindowsInOrder()
    {
        var spec = new WindowSpec(TimeSpan.FromHours(1), slide: TimeSpan.FromMinutes(15));
        var pane = spec.PaneOf(At("2026-11-28T06:20:00Z"));

        var windows = spec.WindowsContaining(pane).ToList();

        Assert.Equal(At("2026-11-28T06:15:00Z"), pane.Start);
        Assert.Equal(4, windows.Count);
        Assert.Equal(At("2026-11-28T05:30:00Z"), windows[0].Start);
        Assert.Equal(At("2026-11-28T07:15:00Z"), windows[^1].End);
        Assert.All(windows, w => Assert.True(w.Contains(pane.Start) && w.End >= pane.End));
        Assert.Equal(4, spec.PaneStartsOf(windows[0]).Count());
    }

    [Fact]
    public void IsClosed_AtEndPlusLateness_IsClosedAndNotBefore()
    {
        var spec = new WindowSpec(TimeSpan.FromHours(1), allowedLateness: TimeSpan.FromMinutes(10));
        var window = spec.PaneOf(At("2026-11-28T06:30:00Z"));

        Assert.False(spec.IsClosed(window, At("2026-11-28T07:09:59.9999999Z")));
        Assert.True(spec.IsClosed(window, At("2026-11-28T07:10:00Z")));
    }

    [Fact]
    public void Constructor_InvalidShape_Throws()
    {
        var hour = TimeSpan.FromHours(1);

        Assert.Throws<ArgumentOutOfRangeException>(() => new WindowSpec(TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WindowSpec(hour, slide: TimeSpan.FromMinutes(7)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WindowSpec(hour, slide: TimeSpan.FromMinutes(90)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WindowSpec(hour, slide: TimeSpan.FromMinutes(-15)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WindowSpec(hour, allowedLateness: TimeSpan.FromMinutes(-1)));
    }

    [Fact]
    public void Offset_LargerThanSlide_IsReducedModuloSlide()
    {
        var spec = new WindowSpec(TimeSpan.FromHours(1), offset: TimeSpan.FromMinutes(75));

        Assert.Equal(TimeSpan.FromMinutes(15), spec.Offset);
        Assert.Equal(At("2026-11-28T06:15:00Z"), spec.PaneOf(At("2026-11-28T07:00:00Z")).Start);
    }
}
