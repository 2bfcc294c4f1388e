namespace Monitor.Exporters.Elasticsearch;

/// <summary>
/// Settings of <see cref="ElasticsearchExporter"/>, bound from the <c>Elasticsearch</c> configuration section.
/// The defaults suit one Monitor instance writing to one cluster.
/// </summary>
public sealed class ElasticsearchExporterOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Elasticsearch";

    /// <summary>The cluster's URL. Default <c>http://localhost:9200</c>.</summary>
    public Uri Endpoint { get; set; } = new("http://localhost:9200");

    /// <summary>An API key (the base64 <c>id:key</c> form), preferred over user name and password. Default none.</summary>
    public string? ApiKey { get; set; }

    /// <summary>User name for basic authentication, used with <see cref="Password"/> when no API key is set.</summary>
    public string? Username { get; set; }

    /// <summary>Password for basic authentication.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// Drift, window and alert documents held while Elasticsearch is slow or down. When full, the oldest are dropped
    /// and counted. Default 100,000 (a few hundred MB at most for typical reports).
    /// </summary>
    public int BufferCapacity { get; set; } = 100_000;

    /// <summary>Log documents held, in their own buffer so logs never push out findings. Default 10,000.</summary>
    public int LogBufferCapacity { get; set; } = 10_000;

    /// <summary>The most documents in one <c>_bulk</c> request. Default 1,000.</summary>
    public int MaxBulkDocuments { get; set; } = 1_000;

    /// <summary>
    /// The most bytes in one <c>_bulk</c> request body (a single larger document is still sent, alone).
    /// Default 5 MiB, the size Elastic recommends starting from.
    /// </summary>
    public long MaxBulkBytes { get; set; } = 5L * 1024 * 1024;

    /// <summary>The first back-off after a failed request. Default 500 ms.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest back-off. Default 1 minute.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The timeout of one HTTP request. Default 30 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long shutdown keeps sending what is buffered before giving up (and counting the rest dropped). Default 10 s.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The least time between two log lines about dropped documents. Default 1 minute.</summary>
    public TimeSpan DropLogInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Every problem with these settings, each naming its key; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Endpoint is null || !Endpoint.IsAbsoluteUri || (Endpoint.Scheme != Uri.UriSchemeHttp && Endpoint.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"{SectionName}:Endpoint must be an absolute http(s) URL such as http://localhost:9200.");
        }

        if (Username is not null != Password is not null)
        {
            errors.Add($"{SectionName}:Username and {SectionName}:Password must be set together.");
        }

        Positive(errors, nameof(BufferCapacity), BufferCapacity);
        Positive(errors, nameof(LogBufferCapacity), LogBufferCapacity);
        Positive(errors, nameof(MaxBulkDocuments), MaxBulkDocuments);
        Positive(errors, nameof(MaxBulkBytes), MaxBulkBytes);
        Positive(errors, nameof(InitialBackoff), InitialBackoff);
        Positive(errors, nameof(RequestTimeout), RequestTimeout);
        Positive(errors, nameof(DropLogInterval), DropLogInterval);
        if (ShutdownTimeout < TimeSpan.Zero)
        {
            errors.Add($"{SectionName}:ShutdownTimeout must not be negative.");
        }

        if (MaxBackoff < InitialBackoff)
        {
            errors.Add($"{SectionName}:MaxBackoff must be at least {SectionName}:InitialBackoff.");
        }

        return errors;
    }

    private static void Positive(List<string> errors, string key, long value)
    {
        if (value <= 0)
        {
            errors.Add($"{SectionName}:{key} must be positive (was {value}).");
        }
    }

    private static void Positive(List<string> errors, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{SectionName}:{key} must be positive (was {value}).");
        }
    }
}
