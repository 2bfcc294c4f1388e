using System.CommandLine;
using System.Globalization;
using Monitor.Core.Drift;
using Monitor.Core.Rules;
using Monitor.Worker.Rules;

namespace Monitor.Worker.Commands;

/// <summary>
/// <c>monitor validate &lt;file-or-dir&gt;</c>: checks rule files the way start-up does, printing one summary line
/// per valid file, or every error of every file.
/// </summary>
internal static class ValidateCommand
{
    public static Command Create(DriftTestRegistry registry)
    {
        var path = new Argument<string>("path")
        {
            Description = "A rule file, or a directory whose *.yaml files are all checked (e.g. rules/).",
        };
        var command = new Command("validate", "Check rule files and print every error with its file, line, key and fix.")
        {
            path,
        };
        command.SetAction(result =>
        {
            var output = result.InvocationConfiguration.Output;
            var error = result.InvocationConfiguration.Error;
            return Run(new RuleFileLoader(registry), result.GetRequiredValue(path), output, error);
        });
        return command;
    }

    internal static int Run(RuleFileLoader loader, string path, TextWriter output, TextWriter error)
    {
        var set = loader.LoadPath(path);
        foreach (var file in set.Files.Where(f => f.IsValid))
        {
            output.WriteLine(Summary(file.File, file.Rules!));
        }

        var errors = set.Errors;
        if (set.IsValid)
        {
            return MonitorCommandLine.Success;
        }

        foreach (var e in errors)
        {
            error.WriteLine(e.ToString());
        }

        int badFiles = set.Files.Count(f => !f.IsValid);
        error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{errors.Count} error(s) in {badFiles} of {set.Files.Count} file(s)."));
        return MonitorCommandLine.InvalidInput;
    }

    internal static string Summary(string file, ModelRules rules)
    {
        string version = rules.Version is null ? "all versions" : $"version {rules.Version}";
        string window = DurationText.Format(rules.Window.Size!.Value) + (rules.Window.Slide is { } s ? $" sliding by {DurationText.Format(s)}" : string.Empty);
        int floors = rules.Performance?.Floors.Count ?? 0;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{file}: ok — model {rules.Name} ({version}, {RuleNames.Of(rules.Task!.Value)}), {rules.Features.Count} features, {window} windows, baseline {RuleNames.Of(RuleNames.BaselineKinds, rules.Baseline!.Kind!.Value)}, {floors} performance floors, {rules.Alerts.Routes.Count} alert routes, retrain {(rules.Retrain is null ? "off" : "on")}");
    }
}
