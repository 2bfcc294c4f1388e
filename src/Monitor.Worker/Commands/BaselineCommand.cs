using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using Monitor.Core.Baselines;
using Monitor.Core.Drift;
using Monitor.Core.Ingest;
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
        var input = new Option<string>("--input") { Description = "Reference rows: .jsonl/.ndjson/.json (event-shaped objects), .csv (header row; feature-named columns) or .parquet (columns as in CSV).", Required = true };
        var rules = new Option<string>("--rules") { Description = "The model's rule file.", Required = true };
        var output = new Option<string>("--out") { Description = "The baseline file to write (JSON).", Required = true };
        var from = new Option<string?>("--from") { Description = "With --to: keep only rows whose event timestamp is at or after this ISO-8601 instant (a past window of logged traffic)." };
        var to = new Option<string?>("--to") { Description = "With --from: keep only rows whose event timestamp is before this ISO-8601 instant." };
        var build = new Command("build", "Build a baseline profile from training data or a past window of logged traffic.") { input, rules, output, from, to };
        build.SetAction(result => Build(
            registry, time, result.GetRequiredValue(input), result.GetRequiredValue(rules), result.GetRequiredValue(output),
            result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, result.GetValue(from), result.GetValue(to)));
        return new Command("baseline", "Baseline profiles: the reference data windows are compared with.") { build };
    }

    internal static int Build(
        DriftTestRegistry registry, TimeProvider time, string inputPath, string rulesPath, string outPath, TextWriter output, TextWriter log, string? from = null, string? to = null)
    {
        try
        {
            var window = TimeWindow.Parse(from, to);
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
            var read = RowReader(inputPath, rules, log);
            var filter = window is null ? null : new WindowFilter(model, window.Value);
            var builder = new BaselineBuilder(model, rules.Baseline?.PsiBins ?? 10);
            foreach (var row in filter is null ? read() : filter.Apply(read(), count: true))
            {
                builder.Add(row.Span);
            }

            if (builder.NeedsSecondPass)
            {
                builder.BeginSecondPass();
                foreach (var row in filter is null ? read() : filter.Apply(read(), count: false))
                {
                    builder.AddSecondPass(row.Span);
                }
            }

            if (filter is not null && builder.Rows == 0)
            {
                throw new MonitorInputException(string.Create(CultureInfo.InvariantCulture,
                    $"{inputPath}: no rows in {window} ({filter.Outside} outside it, {filter.BadTimestamps} without a parseable timestamp at '{model.PredictionSchema.TimestampPath}'). Fix: pick a window the log covers, or check fields.timestamp in the rule file."));
            }

            var source = window is { } w
                ? new BaselineSource("window", $"{Path.GetFileName(inputPath)} {w}", Sha256(inputPath), builder.Rows)
                : new BaselineSource("file", Path.GetFileName(inputPath), Sha256(inputPath), builder.Rows);
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
            var rejections = new Dictionary<DecodeOutcome, long>(builder.Rejected);
            if (filter is { BadTimestamps: > 0 })
            {
                rejections[DecodeOutcome.BadTimestamp] = rejections.GetValueOrDefault(DecodeOutcome.BadTimestamp) + filter.BadTimestamps;
            }

            string rejected = rejections.Count == 0 ? string.Empty
                : $"; {rejections.Values.Sum()} rows rejected ({string.Join(", ", rejections.OrderBy(kv => kv.Key).Select(kv => $"{ReplayCommand.Reason(kv.Key)} {kv.Value}"))})";
            string outside = filter is null ? string.Empty : string.Create(CultureInfo.InvariantCulture, $"; {filter.Outside} rows outside {window}");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{outPath}: baseline {profile.Id} of model {profile.Model} from {builder.Rows} rows, {profile.Numeric.Count} numeric and {profile.Categorical.Count} categorical channels{(profile.Performance is null ? string.Empty : ", with reference performance")}{outside}{rejected}"));
            return MonitorCommandLine.Success;
        }
        catch (Exception ex) when (ex is MonitorInputException or Rules.RuleValidationException or InvalidDataException or IOException or FormatException)
        {
            log.WriteLine(ex.Message);
            return MonitorCommandLine.InvalidInput;
        }
    }

    private static Func<IEnumerable<ReadOnlyMemory<byte>>> RowReader(string path, ModelRules rules, TextWriter log)
    {
        string ext = Path.GetExtension(path).ToLowerInvariant();
        var featureNames = new HashSet<string>(rules.Features.Where(f => f.Path is null).Select(f => f.Name!), StringComparer.Ordinal);
        switch (ext)
        {
            case ".jsonl" or ".ndjson" or ".json":
                return () => JsonLines.Read(path);
            case ".csv":
                return () => CsvRows.Read(path, featureNames, rules.Fields.Features);
            case ".parquet":
                var parquet = ParquetRows.Open(path, featureNames, rules.Fields.Features);
                foreach (string warning in parquet.Warnings)
                {
                    log.WriteLine("warning: " + warning);
                }

                return parquet.Read;
            default:
                throw new MonitorInputException($"{path}: unknown input format '{ext}'. Fix: use .jsonl, .ndjson, .json (one object per line), .csv or .parquet.");
        }
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
