namespace Monitor.Exporters.Elasticsearch;

/// <summary>Which queue a document waits in: Monitor's findings never make room for its own log lines.</summary>
internal enum DocumentLane
{
    /// <summary>Drift, window and alert documents.</summary>
    Data,

    /// <summary>Monitor's own log events.</summary>
    Logs,
}

/// <summary>
/// One document ready for <c>_bulk</c>: its index, its deterministic id and its UTF-8 JSON source. The id is fixed
/// when the document is made, so every retry of it overwrites the same document instead of adding another.
/// </summary>
internal sealed record ExportDocument(string Index, string Id, ReadOnlyMemory<byte> Source, DocumentLane Lane)
{
    /// <summary>How many times Elasticsearch answered this document with a retryable status.</summary>
    public int Attempts { get; set; }
}
