using System.Globalization;
using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;

namespace Monitor.Exporters.Elasticsearch;

/// <summary>
/// A Serilog sink writing Monitor's own log events to <c>monitor-logs-YYYY.MM.dd</c>. <see cref="Emit"/> never
/// blocks: events join the exporter's bounded log buffer (separate from findings, so a burst of logs never pushes
/// out a drift document) and leave in the exporter's <c>_bulk</c> batches.
/// </summary>
public sealed class ElasticsearchLogSink : ILogEventSink
{
    private readonly ElasticsearchExporter _exporter;

    /// <summary>Creates a sink shipping through <paramref name="exporter"/>.</summary>
    public ElasticsearchLogSink(ElasticsearchExporter exporter)
    {
        ArgumentNullException.ThrowIfNull(exporter);
        _exporter = exporter;
    }

    /// <summary>Queues the event; a version-7 GUID made from its timestamp is its document id for every retry.</summary>
    public void Emit(LogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        try
        {
            var id = Guid.CreateVersion7(logEvent.Timestamp).ToString("N", CultureInfo.InvariantCulture);
            _exporter.EnqueueLog(Documents.FromLogEvent(logEvent, id));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A sink must not throw into the logging call; Serilog's self-log is where sinks report their own trouble.
            SelfLog.WriteLine("ElasticsearchLogSink could not queue an event: {0}", ex);
        }
    }
}
