using System.CommandLine;
using System.Globalization;
using Monitor.Core.Baselines;
using Monitor.Core.Drift;
using Monitor.Core.Evaluation;
using Monitor.Core.Pipeline;
using Monitor.Core.Rules;
using Monitor.Kafka.Embedded;
using Monitor.Worker.Daemon;
using Monitor.Worker.Demo;
using Monitor.Worker.Models;
using Monitor.Worker.Rules;

namespace Monitor.Worker.Commands;

/// <summary>
/// <c>monitor demo</c>: the embedded default. Starts a Kafka-protocol broker in this process, builds the fraud
/// model's baseline from generated training data, produces its traffic (predictions and delayed labels) with a
/// drift that begins part-way on a fast simulated clock, and runs the real daemon against the broker over TCP.
/// </summary>
internal static class DemoCommand
{
    private const string Predictions = "fraud.predictions";
    private const string Labels = "fraud.labels";

    public static Command Create(DriftTestRegistry registry)
    {
        var duration = new Option<string?>("--duration") { Description = "Stop after this much real time (e.g. 60s, 5m); default: until Ctrl-C." };
        var speed = new Option<double>("--speed") { Description = "Simulated seconds per real second (default 60: an hour of traffic per minute).", DefaultValueFactory = _ => 60 };
        var window = new Option<string>("--window") { Description = "Window size in simulated time (default 5m).", DefaultValueFactory = _ => "5m" };
        var driftAfter = new Option<string>("--drift-after") { Description = "Simulated time before the drift begins (default 30m).", DefaultValueFactory = _ => "30m" };
        var rate = new Option<double>("--rate") { Description = "Predictions per simulated second (default 10).", DefaultValueFactory = _ => 10 };
        var port = new Option<int>("--port") { Description = "HTTP port for /metrics and the API on 127.0.0.1 (default 9464).", DefaultValueFactory = _ => 9464 };
        var rules = new Option<string>("--rules") { Description = "The demo model's rule file (default rules/fraud.yaml).", DefaultValueFactory = _ => Path.Combine("rules", "fraud.yaml") };
        var produceOnly = new Option<bool>("--produce-only") { Description = "Only produce the traffic to Monitor:Kafka:BootstrapServers (docker-compose's demo producer)." };
        var writeBaseline = new Option<string?>("--write-baseline") { Description = "Only write the demo model's baseline (built from generated training traffic) to this file and exit." };
        var command = new Command("demo", "Run Monitor on the embedded default: an in-process Kafka-protocol broker, demo traffic with drift, the real daemon.")
        {
            duration, speed, window, driftAfter, rate, port, rules, produceOnly, writeBaseline,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            var error = result.InvocationConfiguration.Error;
            try
            {
                var settings = new DemoSettings(
                    result.GetValue(duration) is { } d ? Parse(d, "--duration") : null,
                    Positive(result.GetValue(speed), "--speed"),
                    Parse(result.GetRequiredValue(window), "--window"),
                    Parse(result.GetRequiredValue(driftAfter), "--drift-after"),
                    Positive(result.GetValue(rate), "--rate"),
                    result.GetValue(port),
                    result.GetRequiredValue(rules));
                if (result.GetValue(writeBaseline) is { } baselineFile)
                {
                    return WriteBaseline(registry, settings, baselineFile, output);
                }

                return result.GetValue(produceOnly)
                    ? await ProduceOnlyAsync(settings, [.. result.UnmatchedTokens], output, cancellationToken).ConfigureAwait(false)
                    : await RunAsync(registry, settings, output, error, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is MonitorInputException or RuleValidationException or ArgumentException)
            {
                await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
                return MonitorCommandLine.InvalidInput;
            }
        });
        return command;
    }

    private sealed record DemoSettings(TimeSpan? Duration, double Speed, TimeSpan Window, TimeSpan DriftAfter, double Rate, int Port, string Rules);

    private static async Task<int> RunAsync(DriftTestRegistry registry, DemoSettings s, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var c = CultureInfo.InvariantCulture;
        var time = TimeProvider.System;
        var eventStart = new DateTimeOffset(time.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero);
        var driftStart = eventStart + s.DriftAfter;

        output.WriteLine("Monitor demo: starting an embedded Kafka-protocol broker (3 brokers, real protocol over TCP)...");
        using var cluster = new EmbeddedKafkaCluster();
        foreach (string topic in new[] { Predictions, Labels, "fraud.dead-letter", "monitor.dead-letters" })
        {
            cluster.CreateTopic(topic, partitions: 4);
        }

        var file = LoadDemoRules(registry, s);
        output.WriteLine(string.Create(c, $"Broker at {cluster.BootstrapServers}. Model 'fraud' from {s.Rules}, {DurationText.Format(s.Window)} windows, drift begins after {DurationText.Format(s.DriftAfter)} of traffic."));
        var baseline = BuildBaseline(file.Rules, registry, eventStart, time);
        output.WriteLine($"Baseline {baseline.Id} built from {baseline.Source.Rows} generated training rows.");
        var model = CompiledModel.Compile(file.Rules, baseline, registry);
        var runtimes = new ModelRuntimes([new ModelRuntime(file, model)]);

        string state = Directory.CreateTempSubdirectory("monitor-demo-").FullName;
        string url = string.Create(c, $"http://127.0.0.1:{s.Port}");
        Environment.SetEnvironmentVariable("FRAUD_RETRAIN_SECRET", Environment.GetEnvironmentVariable("FRAUD_RETRAIN_SECRET") ?? "monitor-demo-secret");
        var settings = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["Monitor:Rules"] = MonitorOptions.CompiledByCaller,
            ["Monitor:StateDirectory"] = state,
            ["Monitor:HttpUrl"] = url,
            ["Monitor:Kafka:BootstrapServers"] = cluster.BootstrapServers,
            ["Monitor:Kafka:GroupId"] = "monitor-demo",
            ["Monitor:Kafka:CheckpointInterval"] = "00:00:02",
            ["Alerts:Http:Secret"] = "monitor-demo-secret",
        };

        var received = new List<string>();
        var app = DaemonHost.Build([], (builder, models) =>
        {
            DaemonServices.Add(builder, models);
            builder.Services.AddSingleton<IReportSink>(new ConsoleSink(output));
        }, settings, runtimes);
        app.MapPost("/demo/alerts", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            string body = await reader.ReadToEndAsync(http.RequestAborted).ConfigureAwait(false);
            lock (received)
            {
                received.Add(body);
            }

            bool signed = http.Request.Headers.ContainsKey("X-Monitor-Signature");
            output.WriteLine($"   >> webhook delivered to {http.Request.Path} ({(signed ? "HMAC-signed" : "unsigned")}, {body.Length} bytes)");
            return Results.Ok();
        });
        app.MapPost("/demo/retrain", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            string body = await reader.ReadToEndAsync(http.RequestAborted).ConfigureAwait(false);
            output.WriteLine($"   >> retrain webhook received ({body.Length} bytes): the training pipeline would start now");
            return Results.Accepted();
        });
        app.Services.GetRequiredService<AlertSink>().Decided += n =>
            output.WriteLine($"   ALERT {n.State.ToString().ToUpperInvariant()} [{ReportLines.Name(n.Severity)}] {n.Summary} → route {n.Route}");

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        output.WriteLine($"Daemon running: {url}/metrics, {url}/api/models, {url}/api/models/fraud/windows/latest, {url}/readyz");
        output.WriteLine(string.Create(c, $"Producing traffic at {s.Rate * s.Speed:F0} predictions per second ({s.Speed:G} simulated seconds per second); labels arrive 2–10 simulated minutes later."));

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (s.Duration is { } limit)
        {
            stop.CancelAfter(limit);
        }

        var traffic = new FraudTraffic(seed: 2026, driftStart, labelDelay: (TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10)));
        var producer = new DemoProducer(traffic, cluster.BootstrapServers, Predictions, Labels, eventStart, s.Speed, s.Rate, time);
        await producer.RunAsync(stop.Token).ConfigureAwait(false);

        var runtime = runtimes.All.Single();
        output.WriteLine();
        output.WriteLine(string.Create(c, $"Stopping. Produced {producer.Predictions} predictions and {producer.Labels} labels up to {producer.EventTime:HH:mm}Z simulated; {runtime.WindowsReported} windows closed."));
        await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
        int webhooks;
        lock (received)
        {
            webhooks = received.Count;
        }

        output.WriteLine($"Alert webhooks delivered: {webhooks}. State (checkpoints, outbox) was kept in {state}.");
        return MonitorCommandLine.Success;
    }

    private static async Task<int> ProduceOnlyAsync(DemoSettings s, string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build();
        string? bootstrap = configuration["Monitor:Kafka:BootstrapServers"] ?? configuration["Kafka:BootstrapServers"];
        if (string.IsNullOrWhiteSpace(bootstrap))
        {
            throw new MonitorInputException("monitor demo --produce-only: Monitor:Kafka:BootstrapServers is not set. Fix: set Monitor__Kafka__BootstrapServers=kafka:9092.");
        }

        var time = TimeProvider.System;
        var eventStart = time.GetUtcNow();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (s.Duration is { } limit)
        {
            stop.CancelAfter(limit);
        }

        var traffic = new FraudTraffic(seed: 2026, eventStart + s.DriftAfter, labelDelay: (TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10)));
        var producer = new DemoProducer(traffic, bootstrap, Predictions, Labels, eventStart, s.Speed, s.Rate, time);
        output.WriteLine($"Producing fraud traffic to {bootstrap} ({Predictions}, {Labels}); drift after {DurationText.Format(s.DriftAfter)} simulated.");
        await producer.RunAsync(stop.Token).ConfigureAwait(false);
        output.WriteLine($"Produced {producer.Predictions} predictions and {producer.Labels} labels.");
        return MonitorCommandLine.Success;
    }

    private static int WriteBaseline(DriftTestRegistry registry, DemoSettings s, string path, TextWriter output)
    {
        var files = ModelCatalog.LoadRules(s.Rules, registry);
        var time = TimeProvider.System;
        var baseline = BuildBaseline(files[0].Rules, registry, time.GetUtcNow(), time);
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } dir)
        {
            Directory.CreateDirectory(dir);
        }

        using (var stream = File.Create(path + ".tmp"))
        {
            baseline.Save(stream);
        }

        File.Move(path + ".tmp", path, overwrite: true);
        output.WriteLine($"{path}: baseline {baseline.Id} of model {baseline.Model} from {baseline.Source.Rows} generated training rows");
        return MonitorCommandLine.Success;
    }

    /// <summary>The fraud rules with demo timing: short windows, a fast schedule, and alert routes to the demo's own receiver.</summary>
    private static RuleFile LoadDemoRules(DriftTestRegistry registry, DemoSettings s)
    {
        var files = ModelCatalog.LoadRules(s.Rules, registry);
        if (files.Count != 1 || files[0].Rules.Name != "fraud")
        {
            throw new MonitorInputException($"{s.Rules}: the demo needs the fraud model's rule file. Fix: run from the repository root or pass --rules rules/fraud.yaml.");
        }

        var rules = files[0].Rules;
        string url = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{s.Port}");
        var demo = rules with
        {
            Window = rules.Window with { Size = s.Window, Slide = null, Offset = TimeSpan.Zero, AllowedLateness = s.Window / 10 },
            Schedule = rules.Schedule with { Cron = "*/5 * * * * ?", EvaluateOpenWindow = false },
            Performance = rules.Performance is null ? null : rules.Performance with { LabelJoinTtl = TimeSpan.FromHours(1), MinLabels = 200 },
            Alerts = rules.Alerts with
            {
                Routes =
                [
                    new AlertRoute { Name = "demo-oncall", Channel = AlertChannel.Webhook, Targets = [url + "/demo/alerts"], MinSeverity = AlertSeverity.Warning, ForWindows = 2, Cooldown = TimeSpan.FromMinutes(1), ResolveAfter = 2 },
                ],
            },
            Retrain = rules.Retrain is null ? null : rules.Retrain with { Webhook = url + "/demo/retrain", DatasetDriftWindows = 3, MinInterval = TimeSpan.FromHours(1) },
        };
        var problems = new RuleValidator(registry, RuleFileLoader.CronProblem).Validate(demo, files[0].Path);
        if (problems.Count > 0)
        {
            throw new MonitorInputException(string.Join(Environment.NewLine, problems.Select(p => $"{p.File} {p.Key}: {p.Message} Fix: {p.Fix}")));
        }

        return files[0] with { Rules = demo };
    }

    private static BaselineProfile BuildBaseline(ModelRules rules, DriftTestRegistry registry, DateTimeOffset eventStart, TimeProvider time)
    {
        var training = new FraudTraffic(seed: 1, driftStart: DateTimeOffset.MaxValue);
        var builder = new BaselineBuilder(CompiledModel.Compile(rules, null, registry, modelFieldRequired: false), rules.Baseline?.PsiBins ?? 10);
        var rows = Enumerable.Range(0, 20_000).Select(i => training.NextTrainingRow(eventStart.AddDays(-7).AddSeconds(i * 30))).ToList();
        foreach (var row in rows)
        {
            builder.Add(row);
        }

        if (builder.NeedsSecondPass)
        {
            builder.BeginSecondPass();
            foreach (var row in rows)
            {
                builder.AddSecondPass(row);
            }
        }

        return builder.Build(new BaselineSource("generated", "demo training traffic (seed 1)", null, rows.Count), time.GetUtcNow());
    }

    private static TimeSpan Parse(string text, string option) =>
        DurationParser.TryParse(text, out var value) && value > TimeSpan.Zero
            ? value
            : throw new MonitorInputException($"{option} {text}: not a positive duration. Fix: use e.g. 30s, 5m, 1h.");

    private static double Positive(double value, string option) =>
        value > 0 && double.IsFinite(value) ? value : throw new MonitorInputException($"{option} {value}: must be a positive number.");

    /// <summary>Prints each closed window's summary.</summary>
    private sealed class ConsoleSink(TextWriter output) : IReportSink
    {
        public string Name => "console";

        public void Publish(ModelRuntime model, IReadOnlyList<WindowReport> reports)
        {
            foreach (var report in reports.Where(r => r.Final))
            {
                output.Write(ConsoleSummary.Render(report));
            }
        }
    }
}
