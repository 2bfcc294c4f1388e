using Monitor.Worker.Rules;

namespace Monitor.Worker.Tests.Rules;

public sealed class DurationParserTests
{
    [Theory]
    [InlineData("250ms", 0, 0, 0, 0, 250)]
    [InlineData("30s", 0, 0, 0, 30, 0)]
    [InlineData("5m", 0, 0, 5, 0, 0)]
    [InlineData("1h", 0, 1, 0, 0, 0)]
    [InlineData("1h30m", 0, 1, 30, 0, 0)]
    [InlineData("1.5h", 0, 1, 30, 0, 0)]
    [InlineData("7d", 7, 0, 0, 0, 0)]
    [InlineData("2w", 14, 0, 0, 0, 0)]
    [InlineData("1m30s", 0, 0, 1, 30, 0)]
    [InlineData("PT1H", 0, 1, 0, 0, 0)]
    [InlineData("P7D", 7, 0, 0, 0, 0)]
    [InlineData("PT1H30M", 0, 1, 30, 0, 0)]
    [InlineData("PT0.25S", 0, 0, 0, 0, 250)]
    [InlineData("0s", 0, 0, 0, 0, 0)]
    public void TryParse_ValidDuration_ReturnsItsValue(string text, int days, int hours, int minutes, int seconds, int ms)
    {
        Assert.True(DurationParser.TryParse(text, out var value));
        Assert.Equal(new TimeSpan(days, hours, minutes, seconds, ms), value);
    }

    [Theory]
    [InlineData("-5m", -5)]
    [InlineData("-PT5M", -5)]
    public void TryParse_NegativeDuration_IsReadSoValidationCanExplainIt(string text, int minutes)
    {
        Assert.True(DurationParser.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMinutes(minutes), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1 hour")]
    [InlineData("3600")]
    [InlineData("1h1h")]
    [InlineData("h")]
    [InlineData("1y")]
    [InlineData("P1Y2X")]
    [InlineData("99999999999999d")]
    public void TryParse_InvalidDuration_Fails(string text)
    {
        Assert.False(DurationParser.TryParse(text, out _));
    }
}
