using Monitor.Alerts.Channels;
using Monitor.Core.Alerts;

namespace Monitor.Alerts.Tests.Channels;

public sealed class ChartRendererTests
{
    [Fact]
    public void RenderPng_BinnedFeature_DecodesAsPngOfTheChartSize()
    {
        var chart = new DistributionChart("amount", ["(0, 10]", "(10, 25]", "(25, 100]"], [0.5, 0.3, 0.2], [0.2, 0.3, 0.5]);

        byte[]? png = ChartRenderer.RenderPng(chart);

        Assert.NotNull(png);
        var (width, height) = Png.Decode(png);
        Assert.Equal(ChartRenderer.Width, width);
        Assert.Equal(ChartRenderer.Height, height);
    }

    [Fact]
    public void RenderPng_NoChart_ReturnsNull()
    {
        Assert.Null(ChartRenderer.RenderPng(null));
        Assert.Null(ChartRenderer.RenderPng(new DistributionChart("x", [], [], [])));
    }
}
