using Microsoft.Extensions.Logging;

namespace Monitor.Exporters.Elasticsearch;

/// <summary>The Elasticsearch exporter's log lines.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Installed Elasticsearch index template {Template}")]
    public static partial void TemplateInstalled(ILogger logger, string template);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Elasticsearch request {Request} failed ({Status}: {Reason}); retrying in {Backoff} (failure {Failures} in a row)")]
    public static partial void RequestFailed(ILogger logger, string request, int status, string reason, TimeSpan backoff, int failures);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Error, Message = "Elasticsearch rejected document {Id} for index {Index} with status {Status} ({ErrorType}: {Reason}); it is not retried")]
    public static partial void DocumentRejected(ILogger logger, string id, string index, int status, string? errorType, string? reason);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Error, Message = "Elasticsearch rejected {Count} more documents in the same bulk request")]
    public static partial void MoreDocumentsRejected(ILogger logger, int count);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "Elasticsearch buffer full: dropped {Count} oldest documents since the last report ({Total} in all); {Depth} waiting")]
    public static partial void DocumentsDropped(ILogger logger, long count, long total, int depth);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "Elasticsearch accepted only part of a bulk request: {Retrying} documents answered {Status} will be sent again")]
    public static partial void ItemsRetrying(ILogger logger, int retrying, int status);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "Elasticsearch exporter stopped with {Count} documents unsent after the shutdown deadline")]
    public static partial void UnsentAtShutdown(ILogger logger, int count);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Error, Message = "Elasticsearch rejected a whole bulk request of {Count} documents with status {Status} ({Reason}); they are not retried")]
    public static partial void BulkRejected(ILogger logger, int count, int status, string reason);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Information, Message = "Elasticsearch reachable again after {Failures} failed requests")]
    public static partial void Recovered(ILogger logger, int failures);
}
