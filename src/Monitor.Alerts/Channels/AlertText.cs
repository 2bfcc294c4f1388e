using System.Globalization;
using System.Net;
using System.Text;
using Monitor.Core.Alerts;
using Monitor.Core.Evaluation;
using Monitor.Core.Windows;

namespace Monitor.Alerts.Channels;

/// <summary>The human-readable renderings of an alert shared by e-mail, Slack and Alertmanager annotations.</summary>
internal static class AlertText
{
    /// <summary>How many evidence rows a message lists; the rest are counted.</summary>
    public const int MaxEvidenceRows = 10;

    private const int MaxSubjectFeatures = 3;

    /// <summary>E.g. <c>[CRITICAL] fraud: feature drift — amount, country (window 06:00–07:00Z)</c>.</summary>
    public static string Subject(AlertNotification n)
    {
        var sb = new StringBuilder();
        sb.Append('[').Append(Tag(n)).Append("] ").Append(n.Model).Append(": ").Append(RuleTitle(n.Rule));
        var features = TopFeatures(n, MaxSubjectFeatures);
        if (features.Count > 0)
        {
            sb.Append(" — ").Append(string.Join(", ", features));
            int more = DistinctFeatureCount(n) - features.Count;
            if (more > 0)
            {
                sb.Append(CultureInfo.InvariantCulture, $" +{more}");
            }
        }

        sb.Append(" (window ").Append(ShortWindow(n.Window)).Append(')');
        return sb.ToString();
    }

    /// <summary><c>CRITICAL</c>, <c>WARNING</c>, or <c>RESOLVED</c>.</summary>
    public static string Tag(AlertNotification n) => n.State == AlertState.Resolved ? "RESOLVED" : SeverityName(n.Severity).ToUpperInvariant();

    /// <summary>Lower-case severity as used in labels and JSON.</summary>
    public static string SeverityName(Severity s) => s switch
    {
        Severity.Critical => "critical",
        Severity.Warning => "warning",
        _ => "none",
    };

    /// <summary>Lower-case state as used in JSON.</summary>
    public static string StateName(AlertState s) => s == AlertState.Resolved ? "resolved" : "firing";

    /// <summary><c>feature_drift</c> → <c>feature drift</c>.</summary>
    public static string RuleTitle(string rule) => rule.Replace('_', ' ');

    /// <summary><c>06:00–07:00Z</c> for a window within one UTC day, else the ISO range with dates.</summary>
    public static string ShortWindow(TimeRange w)
    {
        DateTime s = w.Start.UtcDateTime, e = w.End.UtcDateTime;
        bool sameDay = s.Date == e.Date || (e.TimeOfDay == TimeSpan.Zero && e.Date == s.Date.AddDays(1) && s.TimeOfDay != TimeSpan.Zero);
        return sameDay
            ? string.Create(CultureInfo.InvariantCulture, $"{s:HH:mm}–{e:HH:mm}Z")
            : string.Create(CultureInfo.InvariantCulture, $"{s:yyyy-MM-dd HH:mm}–{e:yyyy-MM-dd HH:mm}Z");
    }

    /// <summary>The distinct features of the evidence, worst first (the evidence is ordered worst first).</summary>
    public static List<string> TopFeatures(AlertNotification n, int max)
    {
        var list = new List<string>(max);
        foreach (var e in n.Evidence)
        {
            if (list.Count == max)
            {
                break;
            }

            if (!list.Contains(e.Feature, StringComparer.Ordinal))
            {
                list.Add(e.Feature);
            }
        }

        return list;
    }

    /// <summary>A number as shown to people: 4 significant digits, invariant culture, <c>n/a</c> when absent.</summary>
    public static string Number(double? v) => v switch
    {
        null => "n/a",
        { } d when double.IsNaN(d) => "NaN",
        { } d => d.ToString("G4", CultureInfo.InvariantCulture),
    };

    /// <summary>ISO-8601 UTC with seconds.</summary>
    public static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The plain-text e-mail body and Slack/Alertmanager description.</summary>
    public static string PlainText(AlertNotification n)
    {
        var sb = new StringBuilder();
        sb.AppendLine(n.Summary).AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Model:     {n.Model}{(n.ModelVersion is null ? string.Empty : " (version " + n.ModelVersion + ")")}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"Rule:      {n.Rule}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"Severity:  {SeverityName(n.Severity)}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"State:     {StateName(n.State)}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"Window:    {Iso(n.Window.Start)} – {Iso(n.Window.End)}");
        if (n.BaselineId is not null)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"Baseline:  {n.BaselineId}");
        }

        if (n.Evidence.Count > 0)
        {
            sb.AppendLine().AppendLine("Top findings (statistic; warning / critical thresholds):");
            int rows = Math.Min(n.Evidence.Count, MaxEvidenceRows);
            for (int i = 0; i < rows; i++)
            {
                var e = n.Evidence[i];
                sb.AppendLine(CultureInfo.InvariantCulture,
                    $"  - {e.Feature}: {e.Test} = {Number(e.Value)} (warning {Number(e.Warning)}, critical {Number(e.Critical)}) [{SeverityName(e.Severity)}]");
            }

            if (n.Evidence.Count > rows)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"  … and {n.Evidence.Count - rows} more");
            }
        }

        sb.AppendLine();
        if (n.DashboardUrl is not null)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"Dashboard: {n.DashboardUrl}");
        }

        if (n.RunbookUrl is not null)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"Runbook:   {n.RunbookUrl}");
        }

        sb.AppendLine(CultureInfo.InvariantCulture, $"Alert key: {n.IdempotencyKey}");
        return sb.ToString();
    }

    /// <summary>The HTML e-mail body; <paramref name="chartContentId"/> references the inline chart when there is one.</summary>
    public static string Html(AlertNotification n, string? chartContentId)
    {
        static string H(string? s) => WebUtility.HtmlEncode(s ?? string.Empty);
        string color = n.State == AlertState.Resolved ? "#2e7d32" : n.Severity == Severity.Critical ? "#c62828" : "#ef6c00";
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html><body style=\"font-family:sans-serif\">");
        sb.Append(CultureInfo.InvariantCulture, $"<h2 style=\"color:{color}\">[{H(Tag(n))}] {H(n.Model)}: {H(RuleTitle(n.Rule))}</h2>");
        sb.Append(CultureInfo.InvariantCulture, $"<p>{H(n.Summary)}</p>");
        sb.Append("<table cellpadding=\"4\">");
        Row(sb, "Model", n.Model + (n.ModelVersion is null ? string.Empty : " (version " + n.ModelVersion + ")"));
        Row(sb, "Rule", n.Rule);
        Row(sb, "Severity", SeverityName(n.Severity));
        Row(sb, "State", StateName(n.State));
        Row(sb, "Window", Iso(n.Window.Start) + " – " + Iso(n.Window.End));
        if (n.BaselineId is not null)
        {
            Row(sb, "Baseline", n.BaselineId);
        }

        sb.Append("</table>");
        if (n.Evidence.Count > 0)
        {
            sb.Append("<h3>Top findings</h3><table border=\"1\" cellspacing=\"0\" cellpadding=\"4\">");
            sb.Append("<tr><th>Feature</th><th>Test</th><th>Statistic</th><th>Warning</th><th>Critical</th><th>Severity</th></tr>");
            int rows = Math.Min(n.Evidence.Count, MaxEvidenceRows);
            for (int i = 0; i < rows; i++)
            {
                var e = n.Evidence[i];
                sb.Append(CultureInfo.InvariantCulture,
                    $"<tr><td>{H(e.Feature)}</td><td>{H(e.Test)}</td><td>{H(Number(e.Value))}</td><td>{H(Number(e.Warning))}</td><td>{H(Number(e.Critical))}</td><td>{H(SeverityName(e.Severity))}</td></tr>");
            }

            sb.Append("</table>");
            if (n.Evidence.Count > rows)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<p>… and {n.Evidence.Count - rows} more</p>");
            }
        }

        if (chartContentId is not null && n.Chart is not null)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<h3>{H(n.Chart.Feature)}: reference vs current</h3>");
            sb.Append(CultureInfo.InvariantCulture, $"<img src=\"cid:{H(chartContentId)}\" alt=\"{H(n.Chart.Feature)} reference vs current distribution\" width=\"{ChartRenderer.Width}\" height=\"{ChartRenderer.Height}\">");
        }

        sb.Append("<p>");
        if (n.DashboardUrl is not null)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<a href=\"{H(n.DashboardUrl)}\">Dashboard</a> ");
        }

        if (n.RunbookUrl is not null)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<a href=\"{H(n.RunbookUrl)}\">Runbook</a>");
        }

        sb.Append(CultureInfo.InvariantCulture, $"</p><p style=\"color:#777;font-size:small\">Alert key: {H(n.IdempotencyKey)}</p></body></html>");
        return sb.ToString();
    }

    private static void Row(StringBuilder sb, string name, string value) =>
        sb.Append(CultureInfo.InvariantCulture, $"<tr><th align=\"left\">{WebUtility.HtmlEncode(name)}</th><td>{WebUtility.HtmlEncode(value)}</td></tr>");

    private static int DistinctFeatureCount(AlertNotification n)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in n.Evidence)
        {
            set.Add(e.Feature);
        }

        return set.Count;
    }
}
