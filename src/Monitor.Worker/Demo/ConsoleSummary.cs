using System.Globalization;
using System.Text;
using Monitor.Core.Evaluation;
using Monitor.Core.Windows;

namespace Monitor.Worker.Demo;

/// <summary>Renders window reports as the demo's live console summary: one block per closed window.</summary>
internal static class ConsoleSummary
{
    public static string Render(WindowReport report)
    {
        var sb = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        string kind = report.Final ? (report.Revision > 0 ? $"back-fill #{report.Revision}" : "closed") : "open";
        sb.Append(c, $"── {report.Model} window {report.Window.Start:MM-dd HH:mm}–{report.Window.End:HH:mm}Z ({kind}) · {report.Events} events · severity {Upper(report.Severity)}");
        if (report.Dataset is { Features: > 0 } d)
        {
            sb.Append(c, $" · dataset drift {d.Drifted}/{d.Features} ({d.Share:P0})");
        }

        sb.AppendLine();
        foreach (var f in report.Features.Where(f => f.Tests.Count > 0))
        {
            var worst = f.Tests.OrderByDescending(t => t.Severity).ThenBy(t => t.Test, StringComparer.Ordinal).First();
            string mark = worst.Severity switch
            {
                Severity.Critical => "!!",
                Severity.Warning => "! ",
                _ => "  ",
            };
            sb.Append(c, $"   {mark} {f.Feature,-18}");
            foreach (var t in f.Tests)
            {
                string value = t.PValue is { } p && t.ThresholdKind == Core.Drift.ThresholdKind.PValueBelow ? $"p={p:0.###}" : $"{t.Statistic:0.###}";
                sb.Append(c, $" {t.Test} {value}{(t.Drifted ? "*" : string.Empty)}");
            }

            var quality = f.Quality.Where(q => q.Severity != Severity.None).Select(q => $"{q.Check} {q.Value:P1}").ToList();
            if (quality.Count > 0)
            {
                sb.Append(c, $"  [quality: {string.Join(", ", quality)}]");
            }

            sb.AppendLine();
        }

        if (report.Performance is { } perf)
        {
            sb.Append(c, $"   {(perf.Severity == Severity.None ? "  " : "! ")} performance        labels {perf.Labelled} ({perf.Coverage:P0})");
            foreach (var floor in perf.Floors)
            {
                sb.Append(c, $" {floor.Metric} {(floor.Value is { } v ? v.ToString("0.###", c) : "n/a")}{(floor.Severity == Severity.None ? string.Empty : "*")}");
            }

            if (!perf.Judged)
            {
                sb.Append(" (too few labels to judge)");
            }

            sb.AppendLine();
        }

        return sb.ToString();
    }

    private static string Upper(Severity s) => ReportLines.Name(s).ToUpperInvariant();

    /// <summary>The window label used in alerts lines.</summary>
    public static string Window(TimeRange w) => string.Create(CultureInfo.InvariantCulture, $"{w.Start:HH:mm}–{w.End:HH:mm}Z");
}
