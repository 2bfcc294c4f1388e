using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Monitor.Core.Alerts;
using Monitor.Core.Evaluation;
using Serilog.Events;

namespace Monitor.Exporters.Elasticsearch;

/// <summary>
/// Turns reports, alerts and log events into Elasticsearch documents. Report documents are the lines of
/// <see cref="ReportLines"/> with <c>@timestamp</c> and <c>doc_type</c> added in front, so the replay output and the
/// indexed documents can never disagree on a field name.
/// </summary>
internal static class Documents
{
    /// <summary>Index of drift documents (one per window × feature × test).</summary>
    public const string DriftPrefix = "monitor-drift-";

    /// <summary>Index of window documents (one per window).</summary>
    public const string WindowsPrefix = "monitor-windows-";

    /// <summary>Index of alert documents.</summary>
    public const string AlertsPrefix = "monitor-alerts-";

    /// <summary>Index of Monitor's own log events.</summary>
    public const string LogsPrefix = "monitor-logs-";

    /// <summary>The daily index for <paramref name="prefix"/> on the UTC day of <paramref name="t"/>.</summary>
    public static string IndexName(string prefix, DateTimeOffset t) =>
        prefix + t.UtcDateTime.ToString("yyyy.MM.dd", CultureInfo.InvariantCulture);

    /// <summary>A short stable id: the first 16 bytes of SHA-256 over the parts joined with '|', in hex.</summary>
    public static string Id(params string[] parts)
    {
        var bytes = Encoding.UTF8.GetBytes(string.Join('|', parts));
        return Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 16));
    }

    /// <summary>One drift document per (feature, test) and one window document.</summary>
    public static List<ExportDocument> FromReport(WindowReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var docs = new List<ExportDocument>();
        var timestamp = ReportLines.Iso(report.Window.End);
        var start = ReportLines.Iso(report.Window.Start);
        var revision = report.Revision.ToString(CultureInfo.InvariantCulture);
        foreach (var feature in report.Features)
        {
            foreach (var test in feature.Tests)
            {
                var line = Line(w => ReportLines.WriteTestLine(w, report, feature, test));
                docs.Add(new ExportDocument(
                    IndexName(DriftPrefix, report.Window.End),
                    Id("drift", report.Model, start, timestamp, feature.Feature, test.Test, revision),
                    Prefixed(line, timestamp, "drift"),
                    DocumentLane.Data));
            }
        }

        var window = Line(w => ReportLines.WriteWindowLine(w, report));
        docs.Add(new ExportDocument(
            IndexName(WindowsPrefix, report.Window.End),
            Id("window", report.Model, start, timestamp, revision),
            Prefixed(window, timestamp, "window"),
            DocumentLane.Data));
        return docs;
    }

    /// <summary>
    /// The alert document. Its index follows the window's end and its id the idempotency key and route, so a
    /// notification re-sent by the outbox lands on the same document.
    /// </summary>
    public static ExportDocument FromAlert(AlertNotification alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("@timestamp", ReportLines.Iso(alert.CreatedAt));
            w.WriteString("doc_type", "alert");
            w.WriteString("created_at", ReportLines.Iso(alert.CreatedAt));
            w.WriteString("model", alert.Model);
            WriteOptional(w, "model_version", alert.ModelVersion);
            WriteOptional(w, "baseline_id", alert.BaselineId);
            w.WriteString("rule", alert.Rule);
            w.WriteString("severity", ReportLines.Name(alert.Severity));
            w.WriteString("state", alert.State == AlertState.Firing ? "firing" : "resolved");
            w.WriteString("window_start", ReportLines.Iso(alert.Window.Start));
            w.WriteString("window_end", ReportLines.Iso(alert.Window.End));
            w.WriteString("summary", alert.Summary);
            w.WriteString("route", alert.Route);
            w.WriteString("channel", alert.Channel.ToString().ToLowerInvariant());
            w.WriteString("idempotency_key", alert.IdempotencyKey);
            WriteOptional(w, "runbook_url", alert.RunbookUrl);
            WriteOptional(w, "dashboard_url", alert.DashboardUrl);
            w.WriteStartArray("evidence");
            foreach (var e in alert.Evidence)
            {
                w.WriteStartObject();
                w.WriteString("feature", e.Feature);
                w.WriteString("test", e.Test);
                Number(w, "value", e.Value);
                Number(w, "warning", e.Warning);
                Number(w, "critical", e.Critical);
                w.WriteString("severity", ReportLines.Name(e.Severity));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return new ExportDocument(
            IndexName(AlertsPrefix, alert.Window.End),
            Id("alert", alert.IdempotencyKey, alert.Route),
            buffer.ToArray(),
            DocumentLane.Data);
    }

    /// <summary>The log document: level, rendered message, template, exception and properties under <c>fields</c>.</summary>
    public static ExportDocument FromLogEvent(LogEvent logEvent, string id)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("@timestamp", ReportLines.Iso(logEvent.Timestamp));
            w.WriteString("doc_type", "log");
            w.WriteString("level", logEvent.Level.ToString());
            w.WriteString("message", logEvent.RenderMessage(CultureInfo.InvariantCulture));
            w.WriteString("message_template", logEvent.MessageTemplate.Text);
            if (logEvent.Exception is { } ex)
            {
                w.WriteString("exception", ex.ToString());
            }

            w.WriteStartObject("fields");
            foreach (var (name, value) in logEvent.Properties)
            {
                w.WritePropertyName(name);
                WriteLogValue(w, value);
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        return new ExportDocument(IndexName(LogsPrefix, logEvent.Timestamp), id, buffer.ToArray(), DocumentLane.Logs);
    }

    private static void WriteLogValue(Utf8JsonWriter w, LogEventPropertyValue value)
    {
        switch (value)
        {
            case ScalarValue { Value: null }:
                w.WriteNullValue();
                break;
            case ScalarValue { Value: bool b }:
                w.WriteBooleanValue(b);
                break;
            case ScalarValue { Value: double d }:
                WriteNumberOrString(w, d);
                break;
            case ScalarValue { Value: float f }:
                WriteNumberOrString(w, f);
                break;
            case ScalarValue { Value: int or long or short or byte or uint or ulong or ushort or sbyte or decimal } s:
                w.WriteRawValue(Convert.ToString(s.Value, CultureInfo.InvariantCulture)!);
                break;
            case ScalarValue { Value: DateTimeOffset t }:
                w.WriteStringValue(ReportLines.Iso(t));
                break;
            case ScalarValue { Value: DateTime t }:
                w.WriteStringValue(ReportLines.Iso(new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc))));
                break;
            case ScalarValue s:
                w.WriteStringValue(Convert.ToString(s.Value, CultureInfo.InvariantCulture));
                break;
            case SequenceValue seq:
                w.WriteStartArray();
                foreach (var item in seq.Elements)
                {
                    WriteLogValue(w, item);
                }

                w.WriteEndArray();
                break;
            case StructureValue st:
                w.WriteStartObject();
                foreach (var p in st.Properties)
                {
                    w.WritePropertyName(p.Name);
                    WriteLogValue(w, p.Value);
                }

                w.WriteEndObject();
                break;
            case DictionaryValue dict:
                w.WriteStartObject();
                foreach (var (key, item) in dict.Elements)
                {
                    w.WritePropertyName(Convert.ToString(key.Value, CultureInfo.InvariantCulture) ?? "null");
                    WriteLogValue(w, item);
                }

                w.WriteEndObject();
                break;
            default:
                w.WriteStringValue(value.ToString(null, CultureInfo.InvariantCulture));
                break;
        }
    }

    // A log property may legitimately be NaN; JSON cannot hold it, so it is kept as its name rather than lost.
    private static void WriteNumberOrString(Utf8JsonWriter w, double d)
    {
        if (double.IsFinite(d))
        {
            w.WriteNumberValue(d);
        }
        else
        {
            w.WriteStringValue(d.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static byte[] Line(Action<Utf8JsonWriter> write)
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            write(w);
        }

        return buffer.ToArray();
    }

    private static byte[] Prefixed(byte[] line, string timestamp, string docType)
    {
        using var parsed = JsonDocument.Parse(line);
        var buffer = new MemoryStream(line.Length + 64);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("@timestamp", timestamp);
            w.WriteString("doc_type", docType);
            foreach (var property in parsed.RootElement.EnumerateObject())
            {
                property.WriteTo(w);
            }

            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteOptional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }

    // Same rule as ReportLines: JSON has no NaN or infinity, so such a value is written as null, not invented.
    private static void Number(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v))
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
