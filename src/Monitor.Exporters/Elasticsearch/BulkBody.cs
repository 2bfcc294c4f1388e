using System.Text;
using System.Text.Json;

namespace Monitor.Exporters.Elasticsearch;

/// <summary>
/// The <c>_bulk</c> request body (NDJSON: an <c>index</c> action line then the source line, per document) and the
/// per-item reading of its response (<c>errors</c>, and <c>items[i].index.status</c>/<c>error</c> in request order).
/// </summary>
internal static class BulkBody
{
    // {"index":{"_index":"","_id":""}} and two newlines; index names and ids are ASCII.
    private const int ActionOverhead = 34;

    /// <summary>The bytes one document adds to a bulk body.</summary>
    public static long SizeOf(ExportDocument document) =>
        document.Source.Length + document.Index.Length + document.Id.Length + ActionOverhead;

    /// <summary>Writes the NDJSON body for <paramref name="batch"/>.</summary>
    public static byte[] Write(IReadOnlyList<ExportDocument> batch)
    {
        var buffer = new MemoryStream();
        foreach (var doc in batch)
        {
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteStartObject("index");
                w.WriteString("_index", doc.Index);
                w.WriteString("_id", doc.Id);
                w.WriteEndObject();
                w.WriteEndObject();
            }

            buffer.WriteByte((byte)'\n');
            buffer.Write(doc.Source.Span);
            buffer.WriteByte((byte)'\n');
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// The outcome of each of the <paramref name="batchCount"/> documents sent, in order. A document the response does not mention
    /// is reported with status 0 (and is retried: nothing is assumed stored that Elasticsearch did not confirm).
    /// </summary>
    public static ItemOutcome[] Read(ReadOnlySpan<byte> response, int batchCount)
    {
        var outcomes = new ItemOutcome[batchCount];
        var reader = new Utf8JsonReader(response);
        using var doc = JsonDocument.ParseValue(ref reader);
        if (doc.RootElement.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var item in items.EnumerateArray())
            {
                if (i >= batchCount)
                {
                    break;
                }

                outcomes[i++] = ReadItem(item);
            }
        }

        return outcomes;
    }

    /// <summary>Whether a status is worth sending again: 429 (back-pressure), 5xx, and 0 (no answer).</summary>
    public static bool IsRetryable(int status) => status is 0 or 408 or 429 || status >= 500;

    private static ItemOutcome ReadItem(JsonElement item)
    {
        foreach (var action in item.EnumerateObject())
        {
            var body = action.Value;
            var status = body.TryGetProperty("status", out var s) && s.TryGetInt32(out var v) ? v : 0;
            string? type = null;
            string? reason = null;
            if (body.TryGetProperty("error", out var error))
            {
                if (error.ValueKind == JsonValueKind.Object)
                {
                    type = error.TryGetProperty("type", out var t) ? t.GetString() : null;
                    reason = error.TryGetProperty("reason", out var r) ? r.GetString() : null;
                }
                else
                {
                    reason = error.ToString();
                }
            }

            return new ItemOutcome(status, type, reason);
        }

        return default;
    }

    /// <summary>Text of a response body for a log line, cut to a readable length.</summary>
    public static string Excerpt(ReadOnlySpan<byte> body)
    {
        const int Max = 512;
        var text = Encoding.UTF8.GetString(body.Length > Max ? body[..Max] : body);
        return body.Length > Max ? text + "…" : text;
    }
}

/// <summary>What Elasticsearch said about one bulk item.</summary>
/// <param name="Status">The HTTP-like status (201 created, 200 updated, 429, 400 …); 0 when absent.</param>
/// <param name="ErrorType">The error type, e.g. <c>mapper_parsing_exception</c>.</param>
/// <param name="Reason">The error reason.</param>
internal readonly record struct ItemOutcome(int Status, string? ErrorType, string? Reason)
{
    /// <summary>Whether the document is stored.</summary>
    public bool Succeeded => Status is >= 200 and < 300;
}
