using Monitor.Core.Baselines;
using Monitor.Core.Drift;
using Monitor.Core.Pipeline;
using Monitor.Core.Rules;
using Monitor.Worker.Rules;

namespace Monitor.Worker.Models;

/// <summary>A valid rule file and where it was read from (relative paths in it resolve against its folder).</summary>
internal sealed record RuleFile(string Path, ModelRules Rules)
{
    /// <summary>The baseline file the rules name, resolved against the rule file's folder; null for window/rolling baselines.</summary>
    public string? BaselinePath =>
        Rules.Baseline is { Kind: BaselineKind.File, Path: { } p }
            ? System.IO.Path.GetFullPath(p, System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path)) ?? ".")
            : null;
}

/// <summary>Thrown when a file a command needs is missing or unreadable; the message names the file and the fix.</summary>
internal sealed class MonitorInputException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Loads rule files and baselines, and compiles models, with errors that name the file and the fix.</summary>
internal static class ModelCatalog
{
    /// <summary>Loads and validates every rule file of a path (all errors at once).</summary>
    public static IReadOnlyList<RuleFile> LoadRules(string path, DriftTestRegistry registry)
    {
        var set = new RuleFileLoader(registry).LoadPath(path);
        set.EnsureValid();
        return [.. set.Files.Select(f => new RuleFile(f.File, f.Rules!))];
    }

    /// <summary>Loads the baseline at <paramref name="path"/>.</summary>
    public static BaselineProfile LoadBaseline(string path, string model)
    {
        if (!File.Exists(path))
        {
            throw new MonitorInputException($"{path}: the baseline of model '{model}' does not exist. Fix: build it with 'monitor baseline build --rules <rule file> --input <training data> --out {path}'.");
        }

        using var stream = File.OpenRead(path);
        var profile = BaselineProfile.Load(stream, path);
        if (!string.Equals(profile.Model, model, StringComparison.Ordinal))
        {
            throw new MonitorInputException($"{path}: the baseline is for model '{profile.Model}', not '{model}'. Fix: point baseline.path at {model}'s baseline.");
        }

        return profile;
    }

    /// <summary>Compiles one rule file with its baseline (the override path, or the one the rules name, if any).</summary>
    public static CompiledModel Compile(RuleFile file, DriftTestRegistry registry, string? baselineOverride = null, bool modelFieldRequired = true, bool forceExact = false)
    {
        string? path = baselineOverride ?? file.BaselinePath;
        var baseline = path is null ? null : LoadBaseline(path, file.Rules.Name!);
        return CompiledModel.Compile(file.Rules, baseline, registry, modelFieldRequired, forceExact);
    }
}
