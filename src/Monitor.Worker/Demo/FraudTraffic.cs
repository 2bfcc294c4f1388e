using System.Globalization;
using System.Text.Json;

namespace Monitor.Worker.Demo;

/// <summary>One generated prediction with its ground truth and when that truth becomes known.</summary>
/// <param name="EventId">The event id.</param>
/// <param name="Timestamp">The prediction's event time.</param>
/// <param name="Prediction">The prediction message (UTF-8 JSON in the event contract's shape).</param>
/// <param name="Label">The label message.</param>
/// <param name="LabelTime">When the label arrives (chargebacks come hours later).</param>
internal sealed record GeneratedEvent(string EventId, DateTimeOffset Timestamp, byte[] Prediction, byte[] Label, DateTimeOffset LabelTime);

/// <summary>
/// Synthetic traffic of the demo model <c>fraud</c> (rules/fraud.yaml): card transactions with nine features,
/// a score from a fixed logistic model, and labels drawn from the true fraud probability that arrive 1–6 hours
/// later. From <see cref="DriftStart"/> on, the traffic drifts the way a new merchant partnership would: larger
/// amounts, more transactions from two new countries, a new device type, and fraud that the model under-scores.
/// Deterministic for a seed.
/// </summary>
internal sealed class FraudTraffic
{
    private static readonly string[] Countries = ["DE", "FR", "GB", "ES", "IT", "NL", "PL", "SE"];
    private static readonly double[] CountryWeights = [0.28, 0.2, 0.16, 0.1, 0.1, 0.07, 0.05, 0.04];
    private static readonly string[] DriftCountries = ["DE", "FR", "GB", "ES", "IT", "NL", "PL", "SE", "BR", "IN"];
    private static readonly double[] DriftCountryWeights = [0.2, 0.14, 0.12, 0.08, 0.08, 0.05, 0.04, 0.03, 0.14, 0.12];
    private static readonly string[] Devices = ["ios", "android", "web", "pos"];
    private static readonly double[] DeviceWeights = [0.35, 0.35, 0.2, 0.1];
    private static readonly string[] DriftDevices = ["ios", "android", "web", "pos", "smart_tv"];
    private static readonly double[] DriftDeviceWeights = [0.3, 0.3, 0.15, 0.1, 0.15];
    private static readonly string[] Merchants = ["grocery", "electronics", "travel", "fashion", "gaming", "fuel"];
    private static readonly double[] MerchantWeights = [0.3, 0.15, 0.1, 0.2, 0.1, 0.15];

    private readonly Random _random;
    private long _sequence;

    /// <summary>Creates a generator.</summary>
    /// <param name="seed">The random seed.</param>
    /// <param name="driftStart">When drift begins (event time); <see cref="DateTimeOffset.MaxValue"/> for none.</param>
    /// <param name="driftEnd">When the traffic returns to normal; <see cref="DateTimeOffset.MaxValue"/> for never.</param>
    /// <param name="labelDelay">The range of label delays (default 1–6 hours, as chargebacks).</param>
    public FraudTraffic(int seed, DateTimeOffset driftStart, DateTimeOffset? driftEnd = null, (TimeSpan Min, TimeSpan Max)? labelDelay = null)
    {
        _random = new Random(seed);
        DriftStart = driftStart;
        DriftEnd = driftEnd ?? DateTimeOffset.MaxValue;
        LabelDelay = labelDelay ?? (TimeSpan.FromHours(1), TimeSpan.FromHours(6));
    }

    /// <summary>The range labels arrive in after their prediction.</summary>
    public (TimeSpan Min, TimeSpan Max) LabelDelay { get; }

    /// <summary>When drift begins.</summary>
    public DateTimeOffset DriftStart { get; }

    /// <summary>When drift ends.</summary>
    public DateTimeOffset DriftEnd { get; }

    /// <summary>Generates one event at <paramref name="timestamp"/>.</summary>
    public GeneratedEvent Next(DateTimeOffset timestamp)
    {
        bool drift = timestamp >= DriftStart && timestamp < DriftEnd;
        string id = "tx-" + (++_sequence).ToString("D9", CultureInfo.InvariantCulture);
        double amount = Math.Round(Math.Exp(Normal(drift ? 4.2 : 3.6, 1.0)), 2);
        double? age = _random.NextDouble() < 0.02 ? null : Math.Round(Math.Clamp(Normal(41, 13), 18, 95));
        double accountAge = Math.Round(-Math.Log(1 - _random.NextDouble()) * (drift ? 180 : 420));
        double txPerDay = Poisson(drift ? 4.5 : 3.0);
        double distance = Math.Round(Math.Exp(Normal(drift ? 3.4 : 2.5, 1.2)), 1);
        double riskScore = Math.Round(Beta(2, 8), 4);
        string country = Pick(drift ? DriftCountries : Countries, drift ? DriftCountryWeights : CountryWeights);
        string device = Pick(drift ? DriftDevices : Devices, drift ? DriftDeviceWeights : DeviceWeights);
        string merchant = Pick(Merchants, MerchantWeights);

        // The model scores with what it learnt before the drift...
        // (Before the drift: about 6% fraud, ROC AUC ≈ 0.94, PR AUC ≈ 0.61, Brier ≈ 0.034.)
        double z = -11.5 + Math.Log(amount) + (14 * riskScore) - (0.008 * accountAge) + (0.35 * txPerDay) + (0.5 * Math.Log(1 + distance))
            + (merchant == "electronics" ? 0.6 : 0) + (device == "web" ? 0.3 : 0);
        double score = Math.Round(1 / (1 + Math.Exp(-z)), 4);

        // ...while the world changed: fraud from the new countries and devices is under-scored.
        double zTrue = z + (drift && (country is "BR" or "IN" || device == "smart_tv") ? 2.0 : 0);
        int label = _random.NextDouble() < 1 / (1 + Math.Exp(-zTrue)) ? 1 : 0;

        var features = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["amount"] = amount,
            ["age"] = age,
            ["account_age_days"] = accountAge,
            ["tx_per_day"] = txPerDay,
            ["distance_km"] = distance,
            ["risk_score"] = riskScore,
            ["country"] = country,
            ["device"] = device,
            ["merchant_category"] = merchant,
        };
        var prediction = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["event_id"] = id,
            ["model"] = "fraud",
            ["model_version"] = "7",
            ["timestamp"] = Iso(timestamp),
            ["features"] = features,
            ["prediction"] = new Dictionary<string, object> { ["score"] = score, ["label"] = score >= 0.5 ? 1 : 0 },
        };
        var labelTime = timestamp + LabelDelay.Min + ((LabelDelay.Max - LabelDelay.Min) * _random.NextDouble());
        var labelEvent = new Dictionary<string, object> { ["event_id"] = id, ["timestamp"] = Iso(labelTime), ["label"] = label };
        return new GeneratedEvent(id, timestamp, JsonSerializer.SerializeToUtf8Bytes(prediction), JsonSerializer.SerializeToUtf8Bytes(labelEvent), labelTime);
    }

    /// <summary>A training row (features, score and label in one object, no timestamp needed) for baselines.</summary>
    public byte[] NextTrainingRow(DateTimeOffset timestamp)
    {
        var e = Next(timestamp);
        using var doc = JsonDocument.Parse(e.Prediction);
        using var labelDoc = JsonDocument.Parse(e.Label);
        var row = new Dictionary<string, JsonElement>(StringComparer.Ordinal)
        {
            ["features"] = doc.RootElement.GetProperty("features").Clone(),
            ["prediction"] = doc.RootElement.GetProperty("prediction").Clone(),
            ["model_version"] = doc.RootElement.GetProperty("model_version").Clone(),
            ["label"] = labelDoc.RootElement.GetProperty("label").Clone(),
        };
        return JsonSerializer.SerializeToUtf8Bytes(row);
    }

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private double Normal(double mean, double sd)
    {
        double u1 = 1 - _random.NextDouble();
        double u2 = _random.NextDouble();
        return mean + (sd * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
    }

    private double Poisson(double lambda)
    {
        double l = Math.Exp(-lambda);
        double p = 1;
        int k = 0;
        do
        {
            k++;
            p *= _random.NextDouble();
        }
        while (p > l);
        return k - 1;
    }

    private double Beta(double a, double b)
    {
        double x = Gamma(a);
        return x / (x + Gamma(b));
    }

    private double Gamma(double shape)
    {
        // Marsaglia–Tsang; shapes here are ≥ 1.
        double d = shape - (1.0 / 3);
        double c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x = Normal(0, 1);
            double v = Math.Pow(1 + (c * x), 3);
            if (v > 0 && Math.Log(1 - _random.NextDouble()) < (0.5 * x * x) + d - (d * v) + (d * Math.Log(v)))
            {
                return d * v;
            }
        }
    }

    private string Pick(string[] values, double[] weights)
    {
        double u = _random.NextDouble();
        for (int i = 0; i < values.Length; i++)
        {
            u -= weights[i];
            if (u < 0)
            {
                return values[i];
            }
        }

        return values[^1];
    }
}
