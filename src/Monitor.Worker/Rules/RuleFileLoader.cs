using System.Text.RegularExpressions;
using Monitor.Core.Drift;
using Monitor.Core.Rules;
using Quartz;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Monitor.Worker.Rules;

/// <summary>One rule file after loading: its rules when it is valid, otherwise every error found in it.</summary>
internal sealed record LoadedRuleFile(string File, ModelRules? Rules, IReadOnlyList<LocatedRuleError> Errors)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>All rule files of a path; valid only when no file has an error.</summary>
internal sealed record RuleSet(IReadOnlyList<LoadedRuleFile> Files)
{
    public IReadOnlyList<LocatedRuleError> Errors => [.. Files.SelectMany(f => f.Errors)];

    public bool IsValid => Files.Count > 0 && Files.All(f => f.IsValid);

    /// <summary>
    /// The rules of every file, or a <see cref="RuleValidationException"/> listing every error: what start-up
    /// calls, so that a bad file stops the daemon before it consumes anything.
    /// </summary>
    public IReadOnlyList<ModelRules> EnsureValid() =>
        IsValid ? [.. Files.Select(f => f.Rules!)] : throw new RuleValidationException(Errors);
}

/// <summary>Thrown at start-up when rule files are invalid; the message lists every error, one per line.</summary>
internal sealed class RuleValidationException(IReadOnlyList<LocatedRuleError> errors)
    : Exception("Invalid rule files:" + Environment.NewLine + string.Join(Environment.NewLine, errors))
{
    public IReadOnlyList<LocatedRuleError> Errors { get; } = errors;
}

/// <summary>
/// Loads <c>rules/*.yaml</c>: parses each file with YAML's representation model, validates it with
/// <see cref="RuleValidator"/>, and places every error at a line and column. Reports the errors of all files
/// together, so that one run shows everything to fix.
/// </summary>
internal sealed partial class RuleFileLoader
{
    private readonly RuleValidator _validator;

    public RuleFileLoader(DriftTestRegistry registry)
    {
        _validator = new RuleValidator(registry, CronProblem);
    }

    /// <summary>Why a Quartz cron expression is invalid, or <see langword="null"/> when it is valid.</summary>
    public static string? CronProblem(string expression)
    {
        // Quartz 4.7 replaced IsValidExpression with TryParse; Parse gives the reason when it fails.
        if (CronExpression.TryParse(expression, out _))
        {
            return null;
        }

        try
        {
            _ = CronExpression.Parse(expression);
            return "rejected by Quartz";
        }
        catch (FormatException e)
        {
            return e.Message;
        }
    }

    /// <summary>
    /// Loads a rule file, or every <c>*.yaml</c>/<c>*.yml</c> file directly in a directory (not its
    /// subdirectories: <c>rules/prometheus/</c> holds Prometheus rules, not model rules).
    /// </summary>
    public RuleSet LoadPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
        {
            var files = Directory.EnumerateFiles(path)
                .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal)
                .ToList();
            if (files.Count == 0)
            {
                return Failed(path, "the directory holds no *.yaml rule files", "add one rule file per model (copy rules/example.yaml), or pass the file itself");
            }

            return CheckAcrossFiles([.. files.Select(f => LoadText(f, File.ReadAllText(f)))]);
        }

        if (File.Exists(path))
        {
            return new RuleSet([LoadText(path, File.ReadAllText(path))]);
        }

        return Failed(path, "no such file or directory", "pass the path of a rule file or of the rules/ directory");
    }

    /// <summary>Parses and validates the text of one rule file; <paramref name="file"/> names it in errors.</summary>
    public LoadedRuleFile LoadText(string file, string text)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(text);
        var reader = new YamlReader(file);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            string message = SyntaxMessage(e);
            string fix = message.StartsWith("Duplicate key", StringComparison.Ordinal)
                ? "write each key once per mapping; merge the entries under one key"
                : "fix the YAML syntax at this position (check indentation, ':' after keys, and quotes)";
            reader.Error(RuleError.DocumentKey, e.Start, $"the file is not valid YAML: {message}", fix);
            return new LoadedRuleFile(file, null, reader.Errors);
        }

        if (stream.Documents.Count == 0)
        {
            reader.Error(RuleError.DocumentKey, new Mark(0, 1, 1), "the file is empty", "copy rules/example.yaml and adapt it");
            return new LoadedRuleFile(file, null, reader.Errors);
        }

        if (stream.Documents.Count > 1)
        {
            reader.Error(RuleError.DocumentKey, stream.Documents[1].RootNode.Start, "the file holds more than one YAML document", "keep one model per file: move each document after `---` to a file of its own");
        }

        var rules = RuleFileParser.Parse(stream.Documents[0].RootNode, reader);
        if (rules is null)
        {
            return new LoadedRuleFile(file, null, reader.Errors);
        }

        var errors = new List<LocatedRuleError>(reader.Errors);
        foreach (var error in _validator.Validate(rules, file))
        {
            if (reader.ErrorKeys.Any(k => Related(k, error.Key)))
            {
                continue;
            }

            var at = reader.Find(error.Key);
            errors.Add(new LocatedRuleError(error, at.Line, at.Column));
        }

        errors.Sort((a, b) => a.Line != b.Line ? a.Line.CompareTo(b.Line) : a.Column.CompareTo(b.Column));
        return new LoadedRuleFile(file, errors.Count == 0 ? rules : null, errors);
    }

    /// <summary>
    /// Two files watching the same events would double every alert: a model may have one file for all versions,
    /// or one file per version, not both.
    /// </summary>
    private static RuleSet CheckAcrossFiles(List<LoadedRuleFile> files)
    {
        var seen = new List<(string Name, string? Version, string File)>();
        for (int i = 0; i < files.Count; i++)
        {
            var rules = files[i].Rules;
            if (rules?.Name is not { } name)
            {
                continue;
            }

            var clash = seen.FirstOrDefault(s => s.Name == name && (s.Version is null || rules.Version is null || s.Version == rules.Version));
            if (clash.File is not null)
            {
                string what = rules.Version is null ? $"model '{name}'" : $"model '{name}' version {rules.Version}";
                var error = new RuleError(files[i].File, "model.name", $"{what} is also monitored by {clash.File}", "keep one rule file per model, or one per version with `model.version` set in each");
                files[i] = files[i] with { Rules = null, Errors = [new LocatedRuleError(error, 1, 1)] };
                continue;
            }

            seen.Add((name, rules.Version, files[i].File));
        }

        return new RuleSet(files);
    }

    private static RuleSet Failed(string path, string message, string fix) =>
        new([new LoadedRuleFile(path, null, [new LocatedRuleError(new RuleError(path, RuleError.DocumentKey, message, fix), 1, 1)])]);

    /// <summary>True when one key is the other or contains it, so one cause is reported once.</summary>
    private static bool Related(string parseKey, string validatorKey) =>
        IsWithin(validatorKey, parseKey) || IsWithin(parseKey, validatorKey);

    private static bool IsWithin(string key, string ancestor) =>
        key == ancestor || (key.StartsWith(ancestor, StringComparison.Ordinal) && ancestor.Length > 0 && key[ancestor.Length] is '.' or '[');

    private static string SyntaxMessage(YamlException e)
    {
        string message = e.InnerException is YamlException inner ? inner.Message : e.Message;
        return LocationPrefix().Replace(message, string.Empty).TrimEnd('.');
    }

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex LocationPrefix();
}
