using System.Globalization;
using System.Text.Json;
using Monitor.Core.Drift;

namespace Monitor.Core.Evaluation;

/// <summary>
/// Writes a <see cref="WindowReport"/> as JSON lines: one per (window, feature, test) and one per window with
/// <c>"feature": null</c> holding performance and data quality. This is <c>monitor replay</c>'s output format
/// (documented in docs/replay.md) and the document shape sent to Elasticsearch.
/// </summary>
public static class ReportLines
{
    /// <summary>Writes every line of <paramref name="report"/>, each followed by '\n'.</summary>
    public static void Write(WindowReport report, Stream output)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(output);
        foreach (var feature in report.Features)
        {
            foreach (var test in feature.Tests)
            {
                using (var w = new Utf8JsonWriter(output))
                {
                    WriteTestLine(w, report, feature, test);
                }

                output.WriteByte((byte)'\n');
            }
        }

        using (var w = new Utf8JsonWriter(output))
        {
            WriteWindowLine(w, report);
        }

        output.WriteByte((byte)'\n');
    }

    /// <summary>Writes the (window, feature, test) object.</summary>
    public static void WriteTestLine(Utf8JsonWriter w, WindowReport report, FeatureReport feature, TestOutcome test)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(feature);
        ArgumentNullException.ThrowIfNull(test);
        w.WriteStartObject();
        WriteWindowHeader(w, report);
        w.WriteString("feature", feature.Feature);
        w.WriteString("role", feature.Role.ToString().ToLowerInvariant());
        w.WriteString("kind", feature.Kind.ToString().ToLowerInvariant());
        WriteTestFields(w, test);
        w.WriteNumber("n_reference", test.ReferenceCount);
        w.WriteNumber("n_current", test.CurrentCount);
        w.WriteNumber("missing", feature.Missing);
        w.WriteEndObject();
    }

    /// <summary>Writes the per-window object (<c>"feature": null</c>).</summary>
    public static void WriteWindowLine(Utf8JsonWriter w, WindowReport report)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(report);
        w.WriteStartObject();
        WriteWindowHeader(w, report);
        w.WriteNull("feature");
        w.WriteNumber("events", report.Events);
        w.WriteString("severity", Name(report.Severity));
        WriteDatasetDrift(w, report);
        w.WriteStartArray("data_quality");
        foreach (var f in report.Features)
        {
            w.WriteStartObject();
            w.WriteString("feature", f.Feature);
            WriteFeatureCounts(w, f);
            foreach (var q in f.Quality.Where(q => q.Limit is not null || q.Value > 0))
            {
                w.WriteStartObject(q.Check);
                Number(w, "value", q.Value);
                Number(w, "limit", q.Limit);
                w.WriteString("severity", Name(q.Severity));
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        WritePerformance(w, report);
        w.WriteEndObject();
    }

    /// <summary>The fields of one test's outcome, shared by the report lines and the API's nested report.</summary>
    public static void WriteTestFields(Utf8JsonWriter w, TestOutcome test)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(test);
        w.WriteString("test", test.Test);
        Number(w, "statistic", test.Statistic);
        Number(w, "p_value", test.PValue);
        Number(w, "p_value_adjusted", test.AdjustedPValue);
        w.WriteString("threshold_kind", test.ThresholdKind == ThresholdKind.PValueBelow ? "p_value_below" : "statistic_above");
        Number(w, "warning", test.Warning);
        Number(w, "critical", test.Critical);
        w.WriteBoolean("drifted", test.Drifted);
        w.WriteString("severity", Name(test.Severity));
        w.WriteString("mode", test.Mode == EstimateMode.Exact ? "exact" : "sketch");
        Number(w, "bound", test.Bound);
    }

    /// <summary>A feature's counts and whether its tests read exact values or a sketch.</summary>
    public static void WriteFeatureCounts(Utf8JsonWriter w, FeatureReport feature)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(feature);
        w.WriteNumber("count", feature.Count);
        w.WriteNumber("missing", feature.Missing);
        w.WriteNumber("type_errors", feature.TypeErrors);
        w.WriteNumber("out_of_range", feature.OutOfRange);
        w.WriteNumber("unseen", feature.Unseen);
        w.WriteString("mode", feature.Mode == EstimateMode.Exact ? "exact" : "sketch");
    }

    /// <summary>The <c>dataset_drift</c> object, when the report has one.</summary>
    public static void WriteDatasetDrift(Utf8JsonWriter w, WindowReport report)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(report);
        if (report.Dataset is { } d)
        {
            w.WriteStartObject("dataset_drift");
            w.WriteNumber("features", d.Features);
            w.WriteNumber("drifted", d.Drifted);
            Number(w, "share", d.Share);
            Number(w, "warning_share", d.WarningShare);
            Number(w, "critical_share", d.CriticalShare);
            w.WriteString("correction", d.Correction);
            w.WriteString("severity", Name(d.Severity));
            w.WriteEndObject();
        }
    }

    /// <summary>The <c>performance</c> object (metrics and floors), when labels are joined.</summary>
    public static void WritePerformance(Utf8JsonWriter w, WindowReport report)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(report);
        if (report.Performance is { } p)
        {
            w.WriteStartObject("performance");
            w.WriteNumber("labelled", p.Labelled);
            Number(w, "label_coverage", p.Coverage);
            w.WriteBoolean("exact", p.Exact);
            w.WriteBoolean("judged", p.Judged);
            w.WriteStartObject("metrics");
            foreach (var (name, value) in p.Metrics.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                Number(w, name, value);
            }

            w.WriteEndObject();
            w.WriteStartArray("floors");
            foreach (var f in p.Floors)
            {
                w.WriteStartObject();
                w.WriteString("metric", f.Metric);
                Number(w, "value", f.Value);
                Number(w, "baseline", f.Baseline);
                Number(w, "warning", f.Warning);
                Number(w, "critical", f.Critical);
                w.WriteString("severity", Name(f.Severity));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }
    }

    private static void WriteWindowHeader(Utf8JsonWriter w, WindowReport report)
    {
        w.WriteString("model", report.Model);
        if (report.ModelVersion is not null)
        {
            w.WriteString("model_version", report.ModelVersion);
        }

        if (report.BaselineId is not null)
        {
            w.WriteString("baseline_id", report.BaselineId);
        }

        w.WriteString("window_start", Iso(report.Window.Start));
        w.WriteString("window_end", Iso(report.Window.End));
        w.WriteBoolean("final", report.Final);
        w.WriteNumber("revision", report.Revision);
    }

    /// <summary>ISO-8601 UTC with a Z, to the millisecond when needed.</summary>
    public static string Iso(DateTimeOffset t) =>
        t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>The lower-case name of a severity.</summary>
    public static string Name(Severity s) => s switch
    {
        Severity.Warning => "warning",
        Severity.Critical => "critical",
        _ => "none",
    };

    /// <summary>A number, or null for a missing or non-finite value (JSON has no NaN or infinity; such a value,
    /// never expected from the tests, is written as null, not invented).</summary>
    public static void Number(Utf8JsonWriter w, string name, double? value)
    {
        ArgumentNullException.ThrowIfNull(w);
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
