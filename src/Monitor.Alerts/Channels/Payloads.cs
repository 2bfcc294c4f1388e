using System.Buffers;
using System.Text.Json;
using Monitor.Core.Alerts;
using Monitor.Core.Windows;

namespace Monitor.Alerts.Channels;

/// <summary>
/// The JSON bodies Monitor sends, written field by field so the documented schema (docs/delivery.md) is the code:
/// renaming a C# property can never change what receivers see. Non-finite numbers are written as <c>null</c>.
/// </summary>
internal static class Payloads
{
    /// <summary>The version of the generic webhook and retrain schema; bumped only on breaking changes.</summary>
    public const int SchemaVersion = 1;

    /// <summary>The generic webhook body (schema version 1).</summary>
    public static byte[] Webhook(AlertNotification n) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("schema_version", SchemaVersion);
        w.WriteString("type", "alert");
        w.WriteString("idempotency_key", n.IdempotencyKey);
        w.WriteString("model", n.Model);
        w.WriteString("model_version", n.ModelVersion);
        w.WriteString("rule", n.Rule);
        w.WriteString("severity", AlertText.SeverityName(n.Severity));
        w.WriteString("state", AlertText.StateName(n.State));
        w.WritePropertyName("window");
        Window(w, n.Window);
        w.WriteString("created_at", AlertText.Iso(n.CreatedAt));
        w.WriteString("summary", n.Summary);
        w.WritePropertyName("evidence");
        Evidence(w, n.Evidence);
        w.WritePropertyName("chart");
        if (n.Chart is null)
        {
            w.WriteNullValue();
        }
        else
        {
            w.WriteStartObject();
            w.WriteString("feature", n.Chart.Feature);
            w.WriteStartArray("labels");
            foreach (var l in n.Chart.Labels)
            {
                w.WriteStringValue(l);
            }

            w.WriteEndArray();
            NumberArray(w, "reference", n.Chart.Reference);
            NumberArray(w, "current", n.Chart.Current);
            w.WriteEndObject();
        }

        w.WriteString("route", n.Route);
        w.WriteString("runbook_url", n.RunbookUrl);
        w.WriteString("dashboard_url", n.DashboardUrl);
        w.WriteString("baseline_id", n.BaselineId);
        w.WriteEndObject();
    });

    /// <summary>A Slack incoming-webhook message: a <c>text</c> fallback plus Block Kit blocks.</summary>
    public static byte[] Slack(AlertNotification n) => Write(w =>
    {
        string subject = AlertText.Subject(n);
        w.WriteStartObject();
        w.WriteString("text", subject);
        w.WriteStartArray("blocks");

        w.WriteStartObject();
        w.WriteString("type", "header");
        PlainTextObject(w, "text", Truncate(subject, 150));
        w.WriteEndObject();

        w.WriteStartObject();
        w.WriteString("type", "section");
        MarkdownObject(w, "text", Escape(n.Summary));
        w.WriteEndObject();

        if (n.Evidence.Count > 0)
        {
            var lines = new System.Text.StringBuilder();
            int rows = Math.Min(n.Evidence.Count, AlertText.MaxEvidenceRows);
            for (int i = 0; i < rows; i++)
            {
                var e = n.Evidence[i];
                lines.Append("• *").Append(Escape(e.Feature)).Append("* ").Append(Escape(e.Test)).Append(" = `").Append(AlertText.Number(e.Value))
                    .Append("` (warning ").Append(AlertText.Number(e.Warning)).Append(", critical ").Append(AlertText.Number(e.Critical)).Append(")\n");
            }

            if (n.Evidence.Count > rows)
            {
                lines.Append("… and ").Append(n.Evidence.Count - rows).Append(" more\n");
            }

            w.WriteStartObject();
            w.WriteString("type", "section");
            MarkdownObject(w, "text", Truncate(lines.ToString(), 2900));
            w.WriteEndObject();
        }

        var links = new List<string>(2);
        if (n.DashboardUrl is not null)
        {
            links.Add("<" + n.DashboardUrl + "|Dashboard>");
        }

        if (n.RunbookUrl is not null)
        {
            links.Add("<" + n.RunbookUrl + "|Runbook>");
        }

        w.WriteStartObject();
        w.WriteString("type", "context");
        w.WriteStartArray("elements");
        MarkdownElement(w, string.Join(" · ", [.. links, "window " + AlertText.Iso(n.Window.Start) + " – " + AlertText.Iso(n.Window.End), "key `" + n.IdempotencyKey + "`"]));
        w.WriteEndArray();
        w.WriteEndObject();

        w.WriteEndArray();
        w.WriteEndObject();
    });

    /// <summary>Alertmanager's <c>POST /api/v2/alerts</c> body: an array with one alert.</summary>
    public static byte[] Alertmanager(AlertNotification n) => Write(w =>
    {
        w.WriteStartArray();
        w.WriteStartObject();
        w.WriteStartObject("labels");
        w.WriteString("alertname", AlertName(n.Rule));
        w.WriteString("model", n.Model);
        w.WriteString("rule", n.Rule);
        w.WriteString("severity", AlertText.SeverityName(n.Severity));
        w.WriteString("route", n.Route);
        w.WriteEndObject();
        w.WriteStartObject("annotations");
        w.WriteString("summary", n.Summary);
        w.WriteString("description", AlertText.PlainText(n));
        if (n.RunbookUrl is not null)
        {
            w.WriteString("runbook_url", n.RunbookUrl);
        }

        if (n.DashboardUrl is not null)
        {
            w.WriteString("dashboard_url", n.DashboardUrl);
        }

        if (n.ModelVersion is not null)
        {
            w.WriteString("model_version", n.ModelVersion);
        }

        w.WriteString("window", n.Window.ToString());
        w.WriteString("idempotency_key", n.IdempotencyKey);
        w.WriteEndObject();
        w.WriteString("startsAt", AlertText.Iso(n.Window.Start));
        if (n.State == AlertState.Resolved)
        {
            w.WriteString("endsAt", AlertText.Iso(n.CreatedAt));
        }

        if (n.DashboardUrl is not null)
        {
            w.WriteString("generatorURL", n.DashboardUrl);
        }

        w.WriteEndObject();
        w.WriteEndArray();
    });

    /// <summary>The retrain webhook body (schema version 1).</summary>
    public static byte[] Retrain(RetrainRequest r) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("schema_version", SchemaVersion);
        w.WriteString("type", "retrain");
        w.WriteString("idempotency_key", r.IdempotencyKey);
        w.WriteString("model", r.Model);
        w.WriteString("version", r.ModelVersion);
        w.WriteString("reason", r.Reason);
        w.WritePropertyName("evidence");
        Evidence(w, r.Evidence);
        w.WriteStartArray("windows");
        foreach (var win in r.Windows)
        {
            Window(w, win);
        }

        w.WriteEndArray();
        w.WriteString("baseline_id", r.BaselineId);
        w.WriteString("created_at", AlertText.Iso(r.CreatedAt));
        w.WriteEndObject();
    });

    /// <summary><c>feature_drift</c> → <c>MonitorFeatureDrift</c>.</summary>
    public static string AlertName(string rule)
    {
        var sb = new System.Text.StringBuilder("Monitor", 7 + rule.Length);
        bool upper = true;
        foreach (char c in rule)
        {
            if (c is '_' or '-' or ' ' or '.')
            {
                upper = true;
                continue;
            }

            sb.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }

        return sb.ToString();
    }

    private static void Window(Utf8JsonWriter w, TimeRange t)
    {
        w.WriteStartObject();
        w.WriteString("start", AlertText.Iso(t.Start));
        w.WriteString("end", AlertText.Iso(t.End));
        w.WriteEndObject();
    }

    private static void Evidence(Utf8JsonWriter w, IReadOnlyList<AlertEvidence> evidence)
    {
        w.WriteStartArray();
        foreach (var e in evidence)
        {
            w.WriteStartObject();
            w.WriteString("feature", e.Feature);
            w.WriteString("test", e.Test);
            Number(w, "value", e.Value);
            Number(w, "warning", e.Warning);
            Number(w, "critical", e.Critical);
            w.WriteString("severity", AlertText.SeverityName(e.Severity));
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void Number(Utf8JsonWriter w, string name, double? v)
    {
        if (v is { } d && double.IsFinite(d))
        {
            w.WriteNumber(name, d);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void NumberArray(Utf8JsonWriter w, string name, IReadOnlyList<double> values)
    {
        w.WriteStartArray(name);
        foreach (double d in values)
        {
            if (double.IsFinite(d))
            {
                w.WriteNumberValue(d);
            }
            else
            {
                w.WriteNullValue();
            }
        }

        w.WriteEndArray();
    }

    private static void PlainTextObject(Utf8JsonWriter w, string name, string text)
    {
        w.WriteStartObject(name);
        w.WriteString("type", "plain_text");
        w.WriteString("text", text);
        w.WriteEndObject();
    }

    private static void MarkdownObject(Utf8JsonWriter w, string name, string text)
    {
        w.WriteStartObject(name);
        w.WriteString("type", "mrkdwn");
        w.WriteString("text", text);
        w.WriteEndObject();
    }

    private static void MarkdownElement(Utf8JsonWriter w, string text)
    {
        w.WriteStartObject();
        w.WriteString("type", "mrkdwn");
        w.WriteString("text", text);
        w.WriteEndObject();
    }

    // Slack's mrkdwn treats &, < and > as control characters.
    private static string Escape(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static string Truncate(string s, int max) => s.Length <= max ? s : string.Concat(s.AsSpan(0, max - 1), "…");

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            body(w);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
