using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Monitor.Core.Tests.Support;

/// <summary>Builds prediction-log JSON in the event contract's default shape.</summary>
internal sealed class PredictionEventBuilder
{
    private readonly Dictionary<string, object?> _features = new(StringComparer.Ordinal);
    private string _id = "e1";
    private string _model = "fraud";
    private DateTimeOffset _timestamp = new(2026, 11, 28, 6, 0, 0, TimeSpan.Zero);
    private double? _score;
    private string? _label;

    public PredictionEventBuilder WithId(string id)
    {
        _id = id;
        return this;
    }

    public PredictionEventBuilder ForModel(string model)
    {
        _model = model;
        return this;
    }

    public PredictionEventBuilder At(DateTimeOffset timestamp)
    {
        _timestamp = timestamp;
        return this;
    }

    public PredictionEventBuilder With(string feature, object? value)
    {
        _features[feature] = value;
        return this;
    }

    public PredictionEventBuilder Scored(double score, string? label = null)
    {
        _score = score;
        _label = label;
        return this;
    }

    public byte[] Build() => Encoding.UTF8.GetBytes(ToJson());

    public string ToJson()
    {
        var prediction = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (_score is { } s)
        {
            prediction["score"] = s;
        }

        if (_label is not null)
        {
            prediction["label"] = _label;
        }

        var e = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["event_id"] = _id,
            ["model"] = _model,
            ["model_version"] = "7",
            ["timestamp"] = _timestamp.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
            ["features"] = _features,
            ["prediction"] = prediction,
        };
        return JsonSerializer.Serialize(e);
    }
}
