using System.Text.Json;
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
        ReportLines.WriteDatasetDrift(w, report);
        w.WriteStartArray("features");
        foreach (var f in report.Features)
        {
            w.WriteStartObject();
            w.WriteString("feature", f.Feature);
            w.WriteString("role", f.Role.ToString().ToLowerInvariant());
            w.WriteString("kind", f.Kind.ToString().ToLowerInvariant());
            ReportLines.WriteFeatureCounts(w, f);
            w.WriteString("severity", ReportLines.Name(f.Severity));
            w.WriteStartArray("tests");
            foreach (var t in f.Tests)
            {
                w.WriteStartObject();
                ReportLines.WriteTestFields(w, t);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("quality");
            foreach (var q in f.Quality)
            {
                w.WriteStartObject();
                w.WriteString("check", q.Check);
                ReportLines.Number(w, "value", q.Value);
                ReportLines.Number(w, "limit", q.Limit);
                w.WriteString("severity", ReportLines.Name(q.Severity));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        ReportLines.WritePerformance(w, report);
        w.WriteEndObject();
    }
}
