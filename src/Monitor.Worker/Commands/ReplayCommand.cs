using System.CommandLine;
using System.Globalization;
using Monitor.Core.Drift;
using Monitor.Core.Evaluation;
using Monitor.Core.Ingest;
using Monitor.Core.Pipeline;
using Monitor.Worker.Io;
using Monitor.Worker.Models;

namespace Monitor.Worker.Commands;

/// <summary>
/// <c>monitor replay</c>: runs the daemon's engine over prediction and label files and writes one JSON line
/// per (window, feature, test) plus one per window (docs/replay.md), to backtest thresholds on past traffic.
/// </summary>
internal static class ReplayCommand
{
    public static Command Create(DriftTestRegistry registry)
    {
        var rules = new Option<string>("--rules") { Description = "The model's rule file (rules/<model>.yaml).", Required = true };
        var predictions = new Option<string>("--predictions") { Description = "Prediction log, one JSON event per line, in event-time order as logged.", Required = true };
        var labels = new Option<string?>("--labels") { Description = "Ground-truth log, one JSON label per line (merged in by its own timestamps)." };
        var baseline = new Option<string?>("--baseline") { Description = "Baseline file; default: the one the rules name (relative to the rule file)." };
        var output = new Option<string>("--out") { Description = "Where to write the report lines ('-' for standard output).", DefaultValueFactory = _ => "-" };
        var exact = new Option<bool>("--exact") { Description = "Keep every value exactly, whatever the window size (no sketches)." };
        var command = new Command("replay", "Run Monitor's engine over log files and write the window reports as JSON lines.")
        {
            rules, predictions, labels, baseline, output, exact,
        };
        command.SetAction(result => Run(
            registry,
            result.GetRequiredValue(rules),
            result.GetRequiredValue(predictions),
            result.GetValue(labels),
            result.GetValue(baseline),
            result.GetRequiredValue(output),
            result.GetValue(exact),
            result.InvocationConfiguration.Error));
        return command;
    }

    internal static int Run(DriftTestRegistry registry, string rulesPath, string predictionsPath, string? labelsPath, string? baselinePath, string outPath, bool exact, TextWriter log)
    {
        try
        {
            var files = ModelCatalog.LoadRules(rulesPath, registry);
            if (files.Count != 1)
            {
                throw new MonitorInputException($"{rulesPath}: replay takes one rule file, found {files.Count}. Fix: pass --rules rules/<model>.yaml.");
            }

            Require(predictionsPath, "--predictions");
            if (labelsPath is not null)
            {
                Require(labelsPath, "--labels");
            }

            var model = ModelCatalog.Compile(files[0], registry, baselinePath, modelFieldRequired: true, forceExact: exact);
            if (model.Baseline is null)
            {
                log.WriteLine($"{files[0].Path}: no baseline (kind {files[0].Rules.Baseline?.Kind}); windows are reported without drift tests.");
            }

            using var stream = outPath == "-" ? Console.OpenStandardOutput() : File.Create(outPath);
            var runner = new ReplayRunner(model);
            var summary = runner.Run(
                JsonLines.Read(predictionsPath),
                labelsPath is null ? [] : JsonLines.Read(labelsPath),
                report => ReportLines.Write(report, stream));
            stream.Flush();
            log.WriteLine(Describe(summary));
            return MonitorCommandLine.Success;
        }
        catch (Exception ex) when (ex is MonitorInputException or Rules.RuleValidationException or InvalidDataException or IOException)
        {
            log.WriteLine(ex.Message);
            return MonitorCommandLine.InvalidInput;
        }
    }

    internal static string Describe(ReplaySummary s)
    {
        string rejected = s.Rejected.Count == 0 ? "none" : string.Join(", ", s.Rejected.OrderBy(kv => kv.Key).Select(kv => $"{Reason(kv.Key)} {kv.Value}"));
        return string.Create(CultureInfo.InvariantCulture,
            $"replay: {s.Predictions} predictions, {s.Labels} labels ({s.LabelsJoined} joined), {s.Reports} window reports, {s.LateEvents} late events, rejected: {rejected}");
    }

    internal static string Reason(DecodeOutcome outcome) => outcome switch
    {
        DecodeOutcome.InvalidJson => "invalid_json",
        DecodeOutcome.NotAnObject => "not_an_object",
        DecodeOutcome.TooDeep => "too_deep",
        DecodeOutcome.TooLarge => "too_large",
        DecodeOutcome.BadTimestamp => "bad_timestamp",
        DecodeOutcome.MissingEventId => "missing_event_id",
        DecodeOutcome.MissingModel => "missing_model",
        DecodeOutcome.MissingLabel => "missing_label",
        DecodeOutcome.OtherModel => "other_model",
        _ => "ok",
    };

    private static void Require(string path, string option)
    {
        if (!File.Exists(path))
        {
            throw new MonitorInputException($"{path}: no such file (given as {option}).");
        }
    }
}
