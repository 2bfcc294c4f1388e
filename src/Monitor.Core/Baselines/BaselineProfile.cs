using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Monitor.Core.Accumulators;
using Monitor.Core.Drift;
using Monitor.Core.Drift.Numeric;
using Monitor.Core.Sketches;

namespace Monitor.Core.Baselines;

/// <summary>
/// A versioned profile of the reference data a model is compared with: per numeric channel its moments, PSI bin
/// edges with exact counts, and its values (exact up to a limit, else a KLL sketch); per categorical channel its
/// category counts; the reference's own performance where labels were present; and where it came from.
/// </summary>
/// <remarks>
/// Written as JSON (<c>format</c> 1) so that people can read and diff it. The prediction is profiled like a
/// feature under the name <see cref="PredictionChannel"/>.
/// </remarks>
public sealed record BaselineProfile
{
    /// <summary>The current file format.</summary>
    public const int CurrentFormat = 1;

    /// <summary>The channel name the model's prediction is profiled under.</summary>
    public const string PredictionChannel = "prediction";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    /// <summary>The file format version.</summary>
    public int Format { get; init; } = CurrentFormat;

    /// <summary>A stable id: model, version and the first 12 hex digits of the source hash.</summary>
    public required string Id { get; init; }

    /// <summary>The model.</summary>
    public required string Model { get; init; }

    /// <summary>The model version the reference belongs to, if known.</summary>
    public string? ModelVersion { get; init; }

    /// <summary>When the profile was built.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Where the reference came from.</summary>
    public required BaselineSource Source { get; init; }

    /// <summary>Numeric channels by name.</summary>
    public required Dictionary<string, NumericProfile> Numeric { get; init; }

    /// <summary>Categorical channels by name.</summary>
    public required Dictionary<string, CategoricalProfile> Categorical { get; init; }

    /// <summary>The reference's performance metrics (when it had labels and predictions).</summary>
    public Dictionary<string, double?>? Performance { get; init; }

    /// <summary>
    /// This profile without the numeric channels' exact values: what a compiled model keeps once its drift tests
    /// hold samples of them. Everything else (ids, counts, moments, bins, sketches, categories) is shared.
    /// </summary>
    public BaselineProfile WithoutNumericValues() =>
        this with { Numeric = Numeric.ToDictionary(kv => kv.Key, kv => kv.Value.WithoutValues(), Numeric.Comparer) };

    /// <summary>Writes the profile as JSON.</summary>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        JsonSerializer.Serialize(stream, this, Json);
    }

    /// <summary>Reads a profile; a wrong format or a corrupt field is an <see cref="InvalidDataException"/> naming it.</summary>
    public static BaselineProfile Load(Stream stream, string nameForErrors)
    {
        ArgumentNullException.ThrowIfNull(stream);
        BaselineProfile? profile;
        try
        {
            profile = JsonSerializer.Deserialize<BaselineProfile>(stream, Json);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{nameForErrors}: not a baseline profile ({ex.Message}). Fix: rebuild it with 'monitor baseline build'.", ex);
        }

        if (profile is null)
        {
            throw new InvalidDataException($"{nameForErrors}: empty baseline file. Fix: rebuild it with 'monitor baseline build'.");
        }

        if (profile.Format != CurrentFormat)
        {
            throw new InvalidDataException($"{nameForErrors}: baseline format {profile.Format} is not supported (expected {CurrentFormat}). Fix: rebuild it with 'monitor baseline build'.");
        }

        foreach (var (name, numeric) in profile.Numeric)
        {
            numeric.Validate($"{nameForErrors}: numeric.{name}");
        }

        return profile;
    }
}

/// <summary>Where a baseline's reference data came from.</summary>
/// <param name="Kind"><c>file</c>, <c>window</c> or <c>rolling</c>.</param>
/// <param name="Description">The file path, or the window range.</param>
/// <param name="Sha256">The SHA-256 of the source file's bytes (for files).</param>
/// <param name="Rows">Rows (events) read.</param>
public sealed record BaselineSource(string Kind, string Description, string? Sha256, long Rows);

/// <summary>The profile of one numeric channel.</summary>
public sealed record NumericProfile
{
    /// <summary>Valid values.</summary>
    public long Count { get; init; }

    /// <summary>Missing values.</summary>
    public long Missing { get; init; }

    /// <summary>Wrongly typed values.</summary>
    public long TypeErrors { get; init; }

    /// <summary>Mean (null when empty).</summary>
    public double? Mean { get; init; }

    /// <summary>Population standard deviation (null when empty).</summary>
    public double? Std { get; init; }

    /// <summary>Smallest value.</summary>
    public double? Min { get; init; }

    /// <summary>Largest value.</summary>
    public double? Max { get; init; }

    /// <summary>Inner PSI bin edges (reference deciles, duplicates dropped).</summary>
    public double[] BinEdges { get; init; } = [];

    /// <summary>Exact counts per bin (one more than the edges).</summary>
    public long[] BinCounts { get; init; } = [];

    /// <summary>Every value, when the reference was small enough to keep them (exact mode).</summary>
    public double[]? Values { get; init; }

    /// <summary>The serialized KLL sketch of the values, when it was not (sketch mode).</summary>
    public byte[]? Sketch { get; init; }

    /// <summary><c>exact</c> or <c>sketch</c>.</summary>
    [JsonIgnore]
    public EstimateMode Mode => Sketch is null ? EstimateMode.Exact : EstimateMode.Sketch;

    /// <summary>This profile without <see cref="Values"/> (the same object when it has none).</summary>
    public NumericProfile WithoutValues() => Values is null ? this : this with { Values = null };

    /// <summary>The reference values as a sample for the drift tests.</summary>
    public NumericSample ToSample() =>
        Sketch is not null ? KllSketch.ReadFrom(Sketch).ToSample() : NumericSample.FromValues(Values ?? []);

    /// <summary>The bins windows count into.</summary>
    public QuantileBins? ToBins() => BinCounts.Length == 0 ? null : QuantileBins.FromEdges(BinEdges);

    /// <summary>Profiles an accumulator; bins are fitted to its values and counted (exactly when its values are exact).</summary>
    /// <param name="accumulator">The reference values.</param>
    /// <param name="exactBinCounts">Exact counts from a second pass, when the accumulator is a sketch.</param>
    /// <param name="bins">Fitted bins to use instead of fitting from the accumulator.</param>
    public static NumericProfile From(NumericAccumulator accumulator, long[]? exactBinCounts = null, QuantileBins? bins = null)
    {
        ArgumentNullException.ThrowIfNull(accumulator);
        var sample = accumulator.ToSample();
        bins ??= sample.Count > 0 ? QuantileBins.FromReference(sample) : null;
        byte[]? sketch = null;
        double[]? values = null;
        if (accumulator.IsExact)
        {
            values = sample.Expand();
        }
        else
        {
            var buffer = new ArrayBufferWriter<byte>();
            accumulator.WriteSketch(buffer);
            sketch = buffer.WrittenSpan.ToArray();
        }

        bool empty = accumulator.Count == 0;
        return new NumericProfile
        {
            Count = accumulator.Count,
            Missing = accumulator.Missing,
            TypeErrors = accumulator.TypeErrors,
            Mean = empty ? null : accumulator.Mean,
            Std = empty ? null : Math.Sqrt(accumulator.Variance),
            Min = empty ? null : accumulator.Min,
            Max = empty ? null : accumulator.Max,
            BinEdges = bins is null ? [] : bins.Edges.ToArray(),
            BinCounts = bins is null ? [] : exactBinCounts ?? bins.Count(sample),
            Values = values,
            Sketch = sketch,
        };
    }

    internal void Validate(string where)
    {
        if (BinCounts.Length != 0 && BinCounts.Length != BinEdges.Length + 1)
        {
            throw new InvalidDataException($"{where}: {BinCounts.Length} bin counts for {BinEdges.Length} edges (expected {BinEdges.Length + 1}). Fix: rebuild the baseline.");
        }

        if ((Values is null) == (Sketch is null) && Count > 0)
        {
            throw new InvalidDataException($"{where}: a profile holds either values or a sketch. Fix: rebuild the baseline.");
        }

        try
        {
            _ = ToBins();
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"{where}: {ex.Message} Fix: rebuild the baseline.", ex);
        }

        if (Sketch is not null)
        {
            try
            {
                _ = KllSketch.ReadFrom(Sketch);
            }
            catch (InvalidDataException ex)
            {
                throw new InvalidDataException($"{where}: the sketch is unreadable ({ex.Message}). Fix: rebuild the baseline.", ex);
            }
        }
    }
}

/// <summary>The profile of one categorical channel.</summary>
public sealed class CategoricalProfile
{
    /// <summary>Valid values.</summary>
    public long Count { get; init; }

    /// <summary>Missing values.</summary>
    public long Missing { get; init; }

    /// <summary>Wrongly typed values.</summary>
    public long TypeErrors { get; init; }

    /// <summary>Counts per category.</summary>
    public Dictionary<string, long> Counts { get; init; } = new(StringComparer.Ordinal);

    /// <summary>The counts as a distribution for the drift tests.</summary>
    public CategoricalDistribution ToDistribution() => CategoricalDistribution.FromCounts(Counts);

    /// <summary>Profiles an accumulator.</summary>
    public static CategoricalProfile From(CategoricalAccumulator accumulator)
    {
        ArgumentNullException.ThrowIfNull(accumulator);
        return new CategoricalProfile
        {
            Count = accumulator.Count,
            Missing = accumulator.Missing,
            TypeErrors = accumulator.TypeErrors,
            Counts = new Dictionary<string, long>(accumulator.ToDistribution().Counts, StringComparer.Ordinal),
        };
    }
}
