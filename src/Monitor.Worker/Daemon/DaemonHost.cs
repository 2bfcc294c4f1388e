using System.Text.Json;
using Microsoft.Extensions.Options;
using Monitor.Core.Accumulators;
using Monitor.Core.Drift;
using Monitor.Exporters.Prometheus;
using Monitor.Worker.Models;
using Quartz;
using Serilog;
using Serilog.Formatting.Compact;

namespace Monitor.Worker.Daemon;

/// <summary>
/// Builds the daemon: configuration (appsettings.json, <c>MONITOR_</c>-free standard environment variables such as
/// <c>Monitor__Kafka__BootstrapServers</c>, command-line <c>--Monitor:Key=value</c>), validated options, the
/// models from the rule files, one Quartz cron trigger per model, the HTTP endpoints and Serilog.
/// </summary>
internal static class DaemonHost
{
    /// <summary>Builds the web application; rule files and options are validated here, so bad input fails before anything starts.</summary>
    /// <param name="args">Configuration arguments (<c>--Monitor:Rules=rules</c>).</param>
    /// <param name="configure">Adds services (ingest, sinks, readiness checks) for the command that runs the daemon.</param>
    /// <param name="settings">Settings that override configuration (the demo sets its own broker and ports).</param>
    /// <param name="models">Models compiled by the caller (the demo); by default they are loaded from <c>Monitor:Rules</c>.</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder, ModelRuntimes>? configure = null, IReadOnlyDictionary<string, string?>? settings = null, ModelRuntimes? models = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        if (builder.Configuration["config-file"] is { } configFile)
        {
            if (!File.Exists(configFile))
            {
                throw new MonitorInputException($"{configFile}: no such settings file (given as --config). Fix: pass the path of a JSON settings file.");
            }

            builder.Configuration.AddJsonFile(Path.GetFullPath(configFile), optional: false);
        }

        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        var section = builder.Configuration.GetSection(MonitorOptions.Section);
        var options = section.Get<MonitorOptions>() ?? new MonitorOptions();
        var validation = new MonitorOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(MonitorOptions.Section, typeof(MonitorOptions), validation.Failures);
        }

        builder.Services.AddOptions<MonitorOptions>().Bind(section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<MonitorOptions>, MonitorOptionsValidator>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.WebHost.UseUrls(options.HttpUrl);

        builder.Services.AddSerilog((services, logger) =>
        {
            logger.ReadFrom.Services(services).Enrich.FromLogContext();
            if (services.GetService<DeferredLogSink>() is { } elasticsearch)
            {
                logger.WriteTo.Sink(elasticsearch);
            }

            if (builder.Configuration.GetValue("Monitor:JsonLogs", false))
            {
                logger.WriteTo.Console(new CompactJsonFormatter());
            }
            else
            {
                logger.WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}");
            }

            logger.MinimumLevel.Information()
                .MinimumLevel.Override("Microsoft", Serilog.Events.LogEventLevel.Warning)
                .MinimumLevel.Override("Quartz", Serilog.Events.LogEventLevel.Warning);
        });

        var registry = DriftTestRegistry.Default;
        models ??= new ModelRuntimes(ModelCatalog.LoadRules(options.Rules, registry)
            .Select(file => new ModelRuntime(file, ModelCatalog.Compile(file, registry))));
        builder.Services.AddSingleton(models);
        builder.Services.AddHostedService(sp => new MemoryGiveBack(
            sp.GetRequiredService<TimeProvider>(), () => ExactValueMemory.ReleasedToCollector, sp.GetRequiredService<ILogger<MemoryGiveBack>>()));
        builder.Services.AddSingleton<ReportFanOut>();
        var metrics = new MonitorMetrics(Prometheus.Metrics.NewCustomRegistry());
        metrics.Retain(models.All.Select(m => m.Name));
        foreach (var model in models.All)
        {
            metrics.SetModelFeatures(model.Name, model.Model.Rules.Features.Select(f => f.Name!));
        }

        builder.Services.AddSingleton(metrics);
        builder.Services.AddSingleton<IReportSink, PrometheusSink>();
        builder.Services.AddSingleton<IReadinessCheck>(new RulesLoadedCheck(models));

        builder.Services.AddQuartz(q =>
        {
            foreach (var model in models.All)
            {
                // A missed evaluation (e.g. during a pause) runs once as soon as possible: closed windows wait.
                var schedule = CronScheduleBuilder.Create(model.Model.Rules.Schedule.Cron!)
                    .InTimeZone(TimeZoneInfo.Utc)
                    .WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed);
                q.ScheduleJob<EvaluationJob>(
                    trigger => trigger.WithIdentity($"cron-{model.Name}").WithSchedule(schedule),
                    job => job.WithIdentity($"evaluate-{model.Name}").UsingJobData(EvaluationJob.ModelKey, model.Name).DisallowConcurrentExecution());
            }
        });
        builder.Services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);

        configure?.Invoke(builder, models);

        var app = builder.Build();
        MapEndpoints(app, models);
        return app;
    }

    private static void MapEndpoints(WebApplication app, ModelRuntimes models)
    {
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/metrics", async (HttpContext http, MonitorMetrics metrics, IEnumerable<IMetricsRefresher> refreshers) =>
        {
            foreach (var refresher in refreshers)
            {
                refresher.RefreshMetrics();
            }

            http.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await metrics.WriteAsync(http.Response.Body, http.RequestAborted);
        });
        app.MapGet("/readyz", (IEnumerable<IReadinessCheck> checks) =>
        {
            var results = checks.Select(c => (c.Name, Result: c.Check())).ToList();
            bool ready = results.All(r => r.Result.Ready);
            var body = results.ToDictionary(r => r.Name, r => new { ready = r.Result.Ready, detail = r.Result.Detail });
            return Results.Json(new { ready, checks = body }, statusCode: ready ? 200 : 503);
        });
        app.MapGet("/api/models", () => Results.Json(models.All.OrderBy(m => m.Name, StringComparer.Ordinal).Select(m => new
        {
            model = m.Name,
            version = m.Model.Rules.Version,
            task = m.Model.Task.ToString(),
            window = m.Model.Layout.Window.Size.ToString(),
            baseline_id = m.Model.Baseline?.Id,
            latest_window_end = m.LatestFinal?.Window.End,
            severity = m.LatestFinal is { } r ? Core.Evaluation.ReportLines.Name(r.Severity) : null,
            last_retrain = m.LastRetrain is { } t ? new { at = t.At, reason = t.Reason, status = t.Status, idempotency_key = t.Key } : null,
        })));
        app.MapGet("/api/models/{model}/windows", async (string model, HttpContext http) =>
        {
            var runtime = models.Find(model);
            if (runtime is null)
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                await http.Response.WriteAsJsonAsync(new { error = $"no model '{model}'" });
                return;
            }

            http.Response.ContentType = "application/json";
            await using var writer = new Utf8JsonWriter(http.Response.Body);
            writer.WriteStartArray();
            foreach (var report in runtime.Recent)
            {
                ReportJson.Write(writer, report);
            }

            writer.WriteEndArray();
        });
        app.MapGet("/api/models/{model}/windows/latest", async (string model, HttpContext http) =>
        {
            var runtime = models.Find(model);
            if (runtime is null)
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                await http.Response.WriteAsJsonAsync(new { error = $"no model '{model}'" });
                return;
            }

            var report = runtime.LatestFinal;
            if (report is null)
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                await http.Response.WriteAsJsonAsync(new { error = $"model '{model}' has no closed window yet" });
                return;
            }

            http.Response.ContentType = "application/json";
            await using var writer = new Utf8JsonWriter(http.Response.Body);
            ReportJson.Write(writer, report);
        });
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Monitor.Daemon");
        string url = app.Services.GetRequiredService<IOptions<MonitorOptions>>().Value.HttpUrl;
        app.Lifetime.ApplicationStarted.Register(() => Log.Serving(logger, url));
        string names = string.Join(", ", models.All.Select(m => m.Name));
        string rules = app.Services.GetRequiredService<IOptions<MonitorOptions>>().Value.Rules;
        Log.ModelsLoaded(logger, models.All.Count, rules, names);
    }
}
