using Monitor.Core.Alerts;
using ScottPlot;

namespace Monitor.Alerts.Channels;

/// <summary>Draws a feature's reference and current shares side by side as a PNG for the e-mail body.</summary>
internal static class ChartRenderer
{
    internal const int Width = 640;
    internal const int Height = 360;
    private const int MaxBars = 30;

    /// <summary>The chart as PNG bytes, or <see langword="null"/> when there is nothing to draw.</summary>
    public static byte[]? RenderPng(DistributionChart? chart)
    {
        if (chart is null || chart.Labels.Count == 0)
        {
            return null;
        }

        int n = Math.Min(Math.Min(chart.Labels.Count, MaxBars), Math.Min(chart.Reference.Count, chart.Current.Count));
        if (n == 0)
        {
            return null;
        }

        var plot = new Plot();
        try
        {
            var bars = new List<Bar>(2 * n);
            var ticks = new Tick[n];
            for (int i = 0; i < n; i++)
            {
                double center = i * 3;
                bars.Add(new Bar { Position = center - 0.5, Value = Finite(chart.Reference[i]), FillColor = Colors.SteelBlue });
                bars.Add(new Bar { Position = center + 0.5, Value = Finite(chart.Current[i]), FillColor = Colors.OrangeRed });
                ticks[i] = new Tick(center, chart.Labels[i]);
            }

            plot.Add.Bars(bars);
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
            plot.Axes.Bottom.TickLabelStyle.Rotation = n > 6 ? 45 : 0;
            plot.Axes.Bottom.TickLabelStyle.Alignment = n > 6 ? Alignment.MiddleLeft : Alignment.UpperCenter;
            plot.Axes.Margins(bottom: 0);
            plot.Title($"{chart.Feature}: reference vs current");
            plot.YLabel("share");
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = "reference", FillColor = Colors.SteelBlue });
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = "current", FillColor = Colors.OrangeRed });
            plot.ShowLegend(Edge.Right);
            return plot.GetImageBytes(Width, Height, ImageFormat.Png);
        }
        finally
        {
            plot.Dispose();
        }
    }

    // A non-finite share would break the axis limits; it is drawn as zero (the evidence table shows the value).
    private static double Finite(double v) => double.IsFinite(v) ? v : 0;
}
