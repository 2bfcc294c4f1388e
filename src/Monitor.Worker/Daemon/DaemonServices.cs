using Microsoft.Extensions.Options;
using Monitor.Alerts;
using Monitor.Core.Rules;
using Monitor.Exporters.Elasticsearch;
using Monitor.Kafka.Ingest;

namespace Monitor.Worker.Daemon;

/// <summary>The services of the running daemon: Kafka ingest, alert policies and delivery, Elasticsearch.</summary>
internal static class DaemonServices
{
    /// <summary>Adds the ingest, alerting and (when configured) Elasticsearch to a daemon host.</summary>
    public static void Add(WebApplicationBuilder builder, ModelRuntimes models)
    {
        var options = builder.Configuration.GetSection(MonitorOptions.Section).Get<MonitorOptions>() ?? new MonitorOptions();
        var defaults = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(builder.Configuration["Alerts:Outbox:Directory"]))
        {
            defaults["Alerts:Outbox:Directory"] = Path.Combine(options.StateDirectory, "outbox");
        }

        builder.Configuration.AddInMemoryCollection(defaults);
        CheckAlertSettings(builder.Configuration, models);

        // Hosted services start in registration order: subscribe to retrain answers before the outbox dispatches.
        builder.Services.AddHostedService<RetrainObserver>();
        builder.AddMonitorAlerts();
        builder.Services.AddSingleton<AlertSink>();
        builder.Services.AddSingleton<IReportSink>(sp => sp.GetRequiredService<AlertSink>());
        builder.Services.AddSingleton<ICheckpointParticipant>(sp => sp.GetRequiredService<AlertSink>());
        builder.Services.AddSingleton<IMetricsRefresher, OutboxMetrics>();

        builder.Services.AddSingleton<IngestService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<IngestService>());
        builder.Services.AddSingleton<IOpenWindowEvaluator>(sp => sp.GetRequiredService<IngestService>());
        builder.Services.AddSingleton<IReadinessCheck>(sp => sp.GetRequiredService<IngestService>());
        builder.Services.AddSingleton<IMetricsRefresher>(sp => sp.GetRequiredService<IngestService>());

        var es = builder.Configuration.GetSection(ElasticsearchExporterOptions.SectionName);
        if (es.Exists())
        {
            builder.Services.AddSingleton(sp => new ElasticsearchExporter(
                es.Get<ElasticsearchExporterOptions>() ?? new ElasticsearchExporterOptions(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<ElasticsearchExporter>>()));
            builder.Services.AddSingleton<IReportSink, ElasticsearchSink>();
            builder.Services.AddSingleton<DeferredLogSink>();
            builder.Services.AddSingleton<ElasticsearchService>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<ElasticsearchService>());
            builder.Services.AddSingleton<IMetricsRefresher>(sp => sp.GetRequiredService<ElasticsearchService>());
        }
    }

    /// <summary>Routes that need settings fail at start-up with the key and the fix, not at the first alert.</summary>
    private static void CheckAlertSettings(ConfigurationManager configuration, ModelRuntimes models)
    {
        var failures = new List<string>();
        foreach (var model in models.All)
        {
            var routes = model.Model.Rules.Alerts.Routes;
            for (int i = 0; i < routes.Count; i++)
            {
                if (routes[i].Channel == AlertChannel.Email && string.IsNullOrWhiteSpace(configuration["Alerts:Email:Host"]))
                {
                    failures.Add($"Alerts:Email:Host: {model.File.Path} alerts.routes[{i}] sends e-mail but no SMTP server is configured. Fix: set Alerts:Email:Host (and Port, Security, From), e.g. Alerts__Email__Host=smtp.example.com");
                }
            }

            if (model.Model.Rules.Retrain is { SecretEnv: { } env } && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(env)))
            {
                failures.Add($"{env}: {model.File.Path} retrain.secret_env names this environment variable, which is not set. Fix: export {env}=<the pipeline's HMAC secret>");
            }
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException("Alerts", typeof(MonitorOptions), failures.Distinct());
        }
    }
}

/// <summary>Sends every report to Elasticsearch (buffered; never blocks the evaluation).</summary>
internal sealed class ElasticsearchSink(ElasticsearchExporter exporter) : IReportSink
{
    public string Name => "elasticsearch";

    public void Publish(ModelRuntime model, IReadOnlyList<Core.Evaluation.WindowReport> reports)
    {
        foreach (var report in reports.Where(r => r.Final))
        {
            exporter.Export(report);
        }
    }
}

/// <summary>
/// Starts the Elasticsearch exporter's loop (templates first), sends it every alert decided, and flushes it on
/// shutdown.
/// </summary>
internal sealed class ElasticsearchService(ElasticsearchExporter exporter, AlertSink alerts, Exporters.Prometheus.MonitorMetrics metrics, DeferredLogSink logs) : IHostedService, IMetricsRefresher
{
    private long _droppedSeen;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        alerts.Decided += exporter.Export;
        logs.Attach(new ElasticsearchLogSink(exporter));
        exporter.Start();
        return Task.CompletedTask;
    }

    public void RefreshMetrics()
    {
        metrics.ElasticsearchBufferDepth(exporter.BufferDepth);
        long dropped = exporter.Dropped;
        long delta = dropped - Interlocked.Exchange(ref _droppedSeen, dropped);
        if (delta > 0)
        {
            metrics.ElasticsearchDropped(delta);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => exporter.StopAsync(cancellationToken);
}

/// <summary>Records every retrain call's answer in the API (/api/models) and in monitor_retrain_requests_total.</summary>
internal sealed class RetrainObserver(IEnumerable<Alerts.Channels.INotificationChannel> channels, ModelRuntimes models,
    Exporters.Prometheus.MonitorMetrics metrics, TimeProvider time) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var channel in channels.OfType<Alerts.Channels.RetrainChannel>())
        {
            channel.Answered += (request, status) =>
            {
                metrics.RetrainRequest(request.Model, status);
                if (models.Find(request.Model) is { } model)
                {
                    model.LastRetrain = (time.GetUtcNow(), request.Reason, status, request.IdempotencyKey);
                }
            };
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
