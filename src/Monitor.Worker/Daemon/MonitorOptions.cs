using Microsoft.Extensions.Options;

namespace Monitor.Worker.Daemon;

/// <summary>
/// The daemon's settings: section <c>Monitor</c> of appsettings.json, overridable by environment variables
/// (<c>Monitor__Kafka__BootstrapServers</c>) and the command line. Validated at start-up: every problem is
/// reported at once with its key and the fix.
/// </summary>
public sealed class MonitorOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Monitor";

    /// <summary>The value of <see cref="Rules"/> when the models are compiled by the caller (the demo).</summary>
    internal const string CompiledByCaller = "(compiled by the caller)";

    /// <summary>A rule file or a folder of them (default <c>rules</c>).</summary>
    public string Rules { get; set; } = "rules";

    /// <summary>Where checkpoints and the alert outbox live (default <c>state</c>).</summary>
    public string StateDirectory { get; set; } = "state";

    /// <summary>The HTTP endpoint for /healthz, /readyz, /metrics and /api (default <c>http://127.0.0.1:9464</c>).</summary>
    public string HttpUrl { get; set; } = "http://127.0.0.1:9464";

    /// <summary>Kafka connection and consumption.</summary>
    public KafkaOptions Kafka { get; set; } = new();
}

/// <summary>Kafka settings (section <c>Monitor:Kafka</c>).</summary>
public sealed class KafkaOptions
{
    /// <summary>The brokers (<c>host:port,host:port</c>); required.</summary>
    public string? BootstrapServers { get; set; }

    /// <summary>The consumer group (default <c>monitor</c>). One Monitor instance per group (see docs/ingest.md).</summary>
    public string GroupId { get; set; } = "monitor";

    /// <summary>How often window state is checkpointed and offsets committed (default 5 s).</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Messages larger than this go to the dead-letter topic undecoded (default 1 MiB).</summary>
    public int MaxMessageBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Any librdkafka setting, passed through unchanged (e.g. <c>security.protocol</c>, <c>sasl.mechanism</c>,
    /// <c>sasl.username</c>, <c>ssl.ca.location</c>, <c>group.protocol</c>).
    /// </summary>
    public Dictionary<string, string> Settings { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>Checks <see cref="MonitorOptions"/> and reports every failure with its key and fix.</summary>
internal sealed class MonitorOptionsValidator : IValidateOptions<MonitorOptions>
{
    public ValidateOptionsResult Validate(string? name, MonitorOptions options)
    {
        var failures = new List<string>();
        void Fail(string key, string problem, string fix) => failures.Add($"{MonitorOptions.Section}:{key}: {problem}. Fix: {fix}");

        if (options.Rules == MonitorOptions.CompiledByCaller)
        {
            // The demo compiles its model itself.
        }
        else if (string.IsNullOrWhiteSpace(options.Rules))
        {
            Fail("Rules", "is empty", "set it to a rule file or folder, e.g. \"rules\"");
        }
        else if (!File.Exists(options.Rules) && !Directory.Exists(options.Rules))
        {
            Fail("Rules", $"'{options.Rules}' does not exist", "point it at the rules/ folder or a rule file");
        }

        if (string.IsNullOrWhiteSpace(options.StateDirectory))
        {
            Fail("StateDirectory", "is empty", "set a writable folder for checkpoints and the outbox, e.g. \"state\"");
        }

        if (!Uri.TryCreate(options.HttpUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            Fail("HttpUrl", $"'{options.HttpUrl}' is not an http(s) URL", "use e.g. http://127.0.0.1:9464");
        }

        var kafka = options.Kafka;
        if (string.IsNullOrWhiteSpace(kafka.BootstrapServers))
        {
            Fail("Kafka:BootstrapServers", "is not set", "set the brokers, e.g. Monitor__Kafka__BootstrapServers=kafka:9092");
        }

        if (string.IsNullOrWhiteSpace(kafka.GroupId))
        {
            Fail("Kafka:GroupId", "is empty", "set a consumer group id, e.g. \"monitor\"");
        }

        if (kafka.CheckpointInterval <= TimeSpan.Zero)
        {
            Fail("Kafka:CheckpointInterval", $"{kafka.CheckpointInterval} is not positive", "use a duration such as 00:00:05");
        }

        if (kafka.MaxMessageBytes < 1024)
        {
            Fail("Kafka:MaxMessageBytes", $"{kafka.MaxMessageBytes} is below 1024", "use at least 1024 (default 1048576)");
        }

        foreach (var key in kafka.Settings.Keys.Where(k => k is "enable.auto.commit" or "enable.auto.offset.store"))
        {
            Fail($"Kafka:Settings:{key}", "is managed by Monitor (offsets are committed only after a checkpoint)", "remove the setting");
        }

        if (failures.Count == 0)
        {
            foreach (string problem in IngestService.IngestOptions(options).ClientSettingErrors())
            {
                Fail("Kafka:Settings", problem, "correct or remove the setting (librdkafka's CONFIGURATION.md lists every property and its range)");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
