using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using Monitor.Core.Baselines;
using Monitor.Core.Drift;
using Monitor.Core.Pipeline;
using Monitor.Core.Rules;
using Monitor.Worker.Io;
using Monitor.Worker.Models;

namespace Monitor.Worker.Commands;

/// <summary>
/// <c>monitor baseline build</c>: profiles reference data (training rows) into the baseline file a model's
/// windows are compared with.
/// </summary>
internal static class BaselineCommand
{
    public static Command Create(DriftTestRegistry registry, TimeProvider time)
    {
        var input = new Option<string>("--input") { Description = "Reference rows: .jsonl/.ndjson/.json (event-shaped objects) or .csv (header row; feature-named columns).", Required = true };
        var rules = new Option<string>("--rules") { Description = "The model's rule file.", Required = true };
        var output = new Option<string>("--out") { Description = "The baseline file to write (JSON).", Required = true };
        var build = new Command("build", "Build a baseline profile from training data.") { input, rules, output };
        build.SetAction(result => Build(
            registry, time, result.GetRequiredValue(input), result.GetRequiredValue(rules), result.GetRequiredValue(output),
            result.InvocationConfiguration.Output, result.InvocationConfiguration.Error));
        return new Command("baseline", "Baseline profiles: the reference data windows are compared with.") { build };
    }

    internal static int Build(DriftTestRegistry registry, TimeProvider time, string inputPath, string rulesPath, string outPath, TextWriter output, TextWriter log)
    {
        try
        {
            var files = ModelCatalog.LoadRules(rulesPath, registry);
            if (files.Count != 1)
            {
                throw new MonitorInputException($"{rulesPath}: baseline build takes one rule file, found {files.Count}. Fix: pass --rules rules/<model>.yaml.");
            }

            if (!File.Exists(inputPath))
            {
                throw new MonitorInputException($"{inputPath}: no such file (given as --input).");
            }

            var rules = files[0].Rules;
            var model = CompiledModel.Compile(rules, null, registry, modelFieldRequired: false);
            var rows = RowReader(inputPath, rules);
            var builder = new BaselineBuilder(model, rules.Baseline?.PsiBins ?? 10);
            foreach (var row in rows())
            {
                builder.Add(row.Span);
            }

            if (builder.NeedsSecondPass)
            {
                builder.BeginSecondPass();
                foreach (var row in rows())
                {
                    builder.AddSecondPass(row.Span);
                }
            }

            var source = new BaselineSource("file", Path.GetFileName(inputPath), Sha256(inputPath), builder.Rows);
            var profile = builder.Build(source, time.GetUtcNow());
            string? dir = Path.GetDirectoryName(Path.GetFullPath(outPath));
            if (dir is not null)
            {
                Directory.CreateDirectory(dir);
            }

            string temp = outPath + ".tmp";
            using (var stream = File.Create(temp))
            {
                profile.Save(stream);
            }

            File.Move(temp, outPath, overwrite: true);
            string rejected = builder.Rejected.Count == 0 ? string.Empty : $"; {builder.Rejected.Values.Sum()} rows rejected ({string.Join(", ", builder.Rejected.Select(kv => $"{ReplayCommand.Reason(kv.Key)} {kv.Value}"))})";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{outPath}: baseline {profile.Id} of model {profile.Model} from {builder.Rows} rows, {profile.Numeric.Count} numeric and {profile.Categorical.Count} categorical channels{(profile.Performance is null ? string.Empty : ", with reference performance")}{rejected}"));
            return MonitorCommandLine.Success;
        }
        catch (Exception ex) when (ex is MonitorInputException or Rules.RuleValidationException or InvalidDataException or IOException or FormatException)
        {
            log.WriteLine(ex.Message);
            return MonitorCommandLine.InvalidInput;
        }
    }

    private static Func<IEnumerable<ReadOnlyMemory<byte>>> RowReader(string path, ModelRules rules)
    {
        string ext = Path.GetExtension(path).ToLowerInvariant();
        return ext switch
        {
            ".jsonl" or ".ndjson" or ".json" => () => JsonLines.Read(path),
            ".csv" => () => CsvRows.Read(path, new HashSet<string>(rules.Features.Where(f => f.Path is null).Select(f => f.Name!), StringComparer.Ordinal), rules.Fields.Features),
            ".parquet" => throw new MonitorInputException($"{path}: Parquet input is not supported yet. Fix: export the training data as CSV or JSON lines."),
            _ => throw new MonitorInputException($"{path}: unknown input format '{ext}'. Fix: use .jsonl, .ndjson, .json (one object per line) or .csv."),
        };
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
