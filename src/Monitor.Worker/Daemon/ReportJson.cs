using System.Text.Json;
using Monitor.Core.Drift;
using Monitor.Core.Evaluation;

namespace Monitor.Worker.Daemon;

/// <summary>A window report as one JSON object (the API's shape): the window line's fields plus the features with their tests.</summary>
internal static class ReportJson
{
    public static void Write(Utf8JsonWriter w, WindowReport report)
    {
        w.WriteStartObject();
        w.WriteString("model", report.Model);
        w.WriteString("model_version", report.ModelVersion);
        w.WriteString("baseline_id", report.BaselineId);
        w.WriteString("window_start", ReportLines.Iso(report.Window.Start));
        w.WriteString("window_end", ReportLines.Iso(report.Window.End));
        w.WriteBoolean("final", report.Final);
        w.WriteNumber("revision", report.Revision);
        w.WriteNumber("events", report.Events);
        w.WriteString("severity", ReportLines.Name(report.Severity));
        if (report.Dataset is { } d)
        {
            w.WriteStartObject("dataset_drift");
            w.WriteNumber("features", d.Features);
            w.WriteNumber("drifted", d.Drifted);
            w.WriteNumber("share", d.Share);
            w.WriteString("severity", ReportLines.Name(d.Severity));
            w.WriteEndObject();
        }

        w.WriteStartArray("features");
        foreach (var f in report.Features)
        {
            w.WriteStartObject();
            w.WriteString("feature", f.Feature);
            w.WriteString("role", f.Role.ToString().ToLowerInvariant());
            w.WriteString("kind", f.Kind.ToString().ToLowerInvariant());
            w.WriteNumber("count", f.Count);
            w.WriteNumber("missing", f.Missing);
            w.WriteNumber("type_errors", f.TypeErrors);
            w.WriteNumber("out_of_range", f.OutOfRange);
            w.WriteNumber("unseen", f.Unseen);
            w.WriteString("mode", f.Mode == EstimateMode.Exact ? "exact" : "sketch");
            w.WriteString("severity", ReportLines.Name(f.Severity));
            w.WriteStartArray("tests");
            foreach (var t in f.Tests)
            {
                w.WriteStartObject();
                w.WriteString("test", t.Test);
                Number(w, "statistic", t.Statistic);
                Number(w, "p_value", t.PValue);
                Number(w, "p_value_adjusted", t.AdjustedPValue);
                Number(w, "warning", t.Warning);
                Number(w, "critical", t.Critical);
                w.WriteBoolean("drifted", t.Drifted);
                w.WriteString("severity", ReportLines.Name(t.Severity));
                w.WriteString("mode", t.Mode == EstimateMode.Exact ? "exact" : "sketch");
                Number(w, "bound", t.Bound);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("quality");
            foreach (var q in f.Quality)
            {
                w.WriteStartObject();
                w.WriteString("check", q.Check);
                Number(w, "value", q.Value);
                Number(w, "limit", q.Limit);
                w.WriteString("severity", ReportLines.Name(q.Severity));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (report.Performance is { } p)
        {
            w.WriteStartObject("performance");
            w.WriteNumber("labelled", p.Labelled);
            Number(w, "label_coverage", p.Coverage);
            w.WriteBoolean("judged", p.Judged);
            w.WriteStartObject("metrics");
            foreach (var (name, value) in p.Metrics.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                Number(w, name, value);
            }

            w.WriteEndObject();
            w.WriteString("severity", ReportLines.Name(p.Severity));
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

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
