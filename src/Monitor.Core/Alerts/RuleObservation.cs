using System.Globalization;
using Monitor.Core.Drift;
using Monitor.Core.Evaluation;
using Monitor.Core.Windows;

namespace Monitor.Core.Alerts;

/// <summary>One condition as seen in one report: its severity, the findings behind it, and a chart.</summary>
/// <param name="Severity">The worst finding's severity.</param>
/// <param name="Evidence">Findings at warning or above, worst first.</param>
/// <param name="Chart">The worst drifting feature's distribution, when the report carries it.</param>
/// <param name="All">Every finding at any severity, so a resolve notice can show where the fired ones stand now.</param>
/// <param name="Detail">A phrase for the summary that the evidence cannot give (e.g. how many features drifted).</param>
internal sealed record RuleObservation(Severity Severity, IReadOnlyList<AlertEvidence> Evidence, DistributionChart? Chart, IReadOnlyList<AlertEvidence> All, string? Detail = null)
{
    /// <summary>
    /// Observes <paramref name="rule"/> in <paramref name="report"/>, or null when the report says nothing about it
    /// (no test result, check or floor at all, e.g. a window without traffic): such a window is neither bad nor clean.
    /// </summary>
    public static RuleObservation? Of(string rule, WindowReport report) => rule switch
    {
        AlertRuleNames.FeatureDrift => Drift(report, StreamRole.Feature, dataset: null),
        AlertRuleNames.PredictionDrift => Drift(report, StreamRole.Prediction, dataset: null),
        AlertRuleNames.DatasetDrift => report.Dataset is { } d ? Drift(report, StreamRole.Feature, d) : null,
        AlertRuleNames.Performance => report.Performance is { Judged: true } p ? Performance(p) : null,
        AlertRuleNames.DataQuality => Quality(report),
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "Unknown alert rule."),
    };

    private static RuleObservation? Drift(WindowReport report, StreamRole role, DatasetDriftReport? dataset)
    {
        var findings = new List<Finding>();
        foreach (var f in report.Features)
        {
            if (f.Role != role)
            {
                continue;
            }

            foreach (var t in f.Tests)
            {
                double value = t.ThresholdKind == ThresholdKind.PValueBelow ? t.AdjustedPValue ?? t.PValue ?? double.NaN : t.Statistic;
                if (!double.IsFinite(value))
                {
                    continue;
                }

                double exceedance = t.ThresholdKind == ThresholdKind.PValueBelow
                    ? (value > 0 ? t.Warning / value : double.MaxValue)
                    : (t.Warning > 0 ? value / t.Warning : value);
                findings.Add(new Finding(new AlertEvidence(f.Feature, t.Test, value, t.Warning, t.Critical, t.Severity), exceedance));
            }
        }

        var ordered = Order(findings);
        var drifted = ordered.Where(e => e.Severity != Severity.None).ToList();
        DistributionChart? chart = null;
        if (drifted.Count > 0)
        {
            var worst = report.Features.First(f => f.Role == role && string.Equals(f.Feature, drifted[0].Feature, StringComparison.Ordinal));
            if (worst.Distribution is { } d)
            {
                chart = new DistributionChart(worst.Feature, d.Labels, d.Reference, d.Current);
            }
        }

        if (dataset is null)
        {
            if (ordered.Count == 0)
            {
                return null;
            }

            var severity = drifted.Count > 0 ? drifted[0].Severity : Severity.None;
            return new RuleObservation(severity, drifted, chart, ordered);
        }

        var share = new AlertEvidence("dataset", "drifted_share", dataset.Share, dataset.WarningShare, dataset.CriticalShare, dataset.Severity);
        var all = new List<AlertEvidence>(ordered.Count + 1) { share };
        all.AddRange(ordered);
        var evidence = new List<AlertEvidence>();
        if (dataset.Severity != Severity.None)
        {
            evidence.Add(share);
            evidence.AddRange(drifted);
        }

        string detail = string.Create(CultureInfo.InvariantCulture, $"{dataset.Drifted} of {dataset.Features} features drifted");
        return new RuleObservation(dataset.Severity, evidence, dataset.Severity != Severity.None ? chart : null, all, detail);
    }

    private static RuleObservation? Quality(WindowReport report)
    {
        var findings = new List<Finding>();
        foreach (var f in report.Features)
        {
            foreach (var q in f.Quality)
            {
                if (!double.IsFinite(q.Value))
                {
                    continue;
                }

                double exceedance = q.Limit is > 0 ? q.Value / q.Limit.Value : q.Value;
                findings.Add(new Finding(new AlertEvidence(f.Feature, q.Check, q.Value, q.Limit, null, q.Severity), exceedance));
            }
        }

        return Simple(findings);
    }

    private static RuleObservation? Performance(PerformanceReport p)
    {
        var findings = new List<Finding>();
        foreach (var floor in p.Floors)
        {
            if (floor.Value is not { } v || !double.IsFinite(v))
            {
                continue;
            }

            // How far past the warning limit, in the bad direction, so the worst breach comes first.
            double limit = floor.Warning ?? floor.Critical ?? v;
            double exceedance = floor.HigherIsBetter ? limit - v : v - limit;
            findings.Add(new Finding(new AlertEvidence(floor.Metric, floor.HigherIsBetter ? "floor" : "ceiling", v, floor.Warning, floor.Critical, floor.Severity), exceedance));
        }

        return Simple(findings);
    }

    private static RuleObservation? Simple(List<Finding> findings)
    {
        if (findings.Count == 0)
        {
            return null;
        }

        var ordered = Order(findings);
        var bad = ordered.Where(e => e.Severity != Severity.None).ToList();
        return new RuleObservation(bad.Count > 0 ? bad[0].Severity : Severity.None, bad, null, ordered);
    }

    private static List<AlertEvidence> Order(List<Finding> findings) =>
        findings
            .OrderByDescending(f => f.Evidence.Severity)
            .ThenByDescending(f => f.Exceedance)
            .ThenBy(f => f.Evidence.Feature, StringComparer.Ordinal)
            .ThenBy(f => f.Evidence.Test, StringComparer.Ordinal)
            .Select(f => f.Evidence)
            .ToList();

    private readonly record struct Finding(AlertEvidence Evidence, double Exceedance);
}
