using System.Text.Json;

namespace Monitor.Exporters.Elasticsearch;

/// <summary>The composable index templates shipped as embedded JSON, one per index pattern.</summary>
internal static class IndexTemplates
{
    /// <summary>Template names, each also the resource <c>Templates/{name}.json</c>.</summary>
    public static readonly IReadOnlyList<string> Names = ["monitor-drift", "monitor-windows", "monitor-alerts", "monitor-logs"];

    /// <summary>The <c>_meta</c> key holding a template's version: a newer shipped version replaces an older installed one.</summary>
    public const string VersionKey = "monitor_template_version";

    /// <summary>The template body for <c>PUT _index_template/{name}</c>.</summary>
    public static byte[] Body(string name)
    {
        var resource = $"Monitor.Exporters.Elasticsearch.Templates.{name}.json";
        using var stream = typeof(IndexTemplates).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The index template resource {resource} is missing from the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>The version in a template body's <c>_meta</c>, 0 when absent.</summary>
    public static int ShippedVersion(byte[] body)
    {
        using var doc = JsonDocument.Parse(body);
        return VersionIn(doc.RootElement);
    }

    /// <summary>
    /// The version of the installed template named <paramref name="name"/> in a <c>GET _index_template/{name}</c>
    /// response (<c>{"index_templates":[{"name":…,"index_template":{…,"_meta":{…}}}]}</c>); -1 when it is not there.
    /// </summary>
    public static int InstalledVersion(ReadOnlySpan<byte> response, string name)
    {
        var reader = new Utf8JsonReader(response);
        using var doc = JsonDocument.ParseValue(ref reader);
        if (!doc.RootElement.TryGetProperty("index_templates", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            return -1;
        }

        foreach (var entry in list.EnumerateArray())
        {
            if (entry.TryGetProperty("name", out var n) && n.GetString() == name
                && entry.TryGetProperty("index_template", out var template))
            {
                return VersionIn(template);
            }
        }

        return -1;
    }

    private static int VersionIn(JsonElement template) =>
        template.TryGetProperty("_meta", out var meta) && meta.ValueKind == JsonValueKind.Object
        && meta.TryGetProperty(VersionKey, out var v) && v.TryGetInt32(out var version)
            ? version
            : 0;
}
