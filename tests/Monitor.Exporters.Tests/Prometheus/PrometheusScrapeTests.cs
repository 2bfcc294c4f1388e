using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Monitor.Exporters.Prometheus;
using Prometheus;
using Xunit.Abstractions;

namespace Monitor.Exporters.Tests.Prometheus;

/// <summary>A real Prometheus scrapes the exporter's text from a loopback port and answers a query with the published value.</summary>
public sealed class PrometheusScrapeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task RealPrometheus_ScrapesPublishedDriftScore_QueryReturnsExactValue()
    {
        await PrometheusTools.EnsureInstalledAsync();
        const double published = 0.1 + 0.2; // 0.30000000000000004: needs all 17 digits to round-trip
        var metrics = new MonitorMetrics(Metrics.NewCustomRegistry());
        metrics.Publish(Some.Report(features: [Some.Amount(Some.Psi(published)), Some.Country()]), Some.Start.AddHours(2));

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        int targetPort = FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{targetPort}/");
        listener.Start();
        var serving = ServeAsync(listener, metrics, cts.Token);

        string dir = Directory.CreateTempSubdirectory("monitor-prom-").FullName;
        int webPort = FreePort();
        string config = Path.Combine(dir, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: monitor
                scrape_interval: 1s
                static_configs:
                  - targets: ['127.0.0.1:{targetPort}']
            """);
        var log = new StringBuilder();
        using var prometheus = StartPrometheus(config, Path.Combine(dir, "data"), webPort, log);
        var started = Stopwatch.StartNew();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{webPort}"), Timeout = TimeSpan.FromSeconds(5) };
            await PollAsync(async () => (await TryGet(http, "/-/ready", cts.Token)) is not null, "Prometheus /-/ready", prometheus, log);
            var ready = started.Elapsed;

            const string query = """monitor_feature_drift_score{model="fraud",feature="amount",test="psi"}""";
            JsonElement? series = null;
            await PollAsync(async () => (series = await QueryOne(http, query, cts.Token)) is not null, "the first scraped sample", prometheus, log);
            var firstSample = started.Elapsed;

            var s = series!.Value;
            double value = double.Parse(s.GetProperty("value")[1].GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture);
            Assert.Equal(published, value);
            var labels = s.GetProperty("metric");
            Assert.Equal("7", labels.GetProperty("version").GetString());
            Assert.Equal("monitor", labels.GetProperty("job").GetString());
            output.WriteLine(FormattableString.Invariant(
                $"prometheus ready after {ready.TotalSeconds:F2} s; first sample queryable after {firstSample.TotalSeconds:F2} s (scrape_interval 1s)"));
        }
        finally
        {
            if (!prometheus.HasExited)
            {
                prometheus.Kill(entireProcessTree: true);
            }

            await prometheus.WaitForExitAsync(CancellationToken.None);
            await cts.CancelAsync();
            listener.Close(); // not Stop(): the disposal after it would re-bind the port on Linux
            await serving;
            Directory.Delete(dir, recursive: true);
        }
    }

    private static Process StartPrometheus(string config, string data, int port, StringBuilder log)
    {
        var psi = new ProcessStartInfo(PrometheusTools.Prometheus)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add($"--config.file={config}");
        psi.ArgumentList.Add($"--storage.tsdb.path={data}");
        psi.ArgumentList.Add($"--web.listen-address=127.0.0.1:{port}");
        var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => Append(log, e.Data);
        process.ErrorDataReceived += (_, e) => Append(log, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Append(StringBuilder log, string? line)
    {
        if (line is not null)
        {
            lock (log)
            {
                log.AppendLine(line);
            }
        }
    }

    private static async Task PollAsync(Func<Task<bool>> condition, string what, Process prometheus, StringBuilder log)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < Deadline)
        {
            if (prometheus.HasExited)
            {
                Assert.Fail($"prometheus exited ({prometheus.ExitCode}) while waiting for {what}:\n{Snapshot(log)}");
            }

            if (await condition())
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"No {what} within {Deadline.TotalSeconds} s. Prometheus log:\n{Snapshot(log)}");
    }

    private static string Snapshot(StringBuilder log)
    {
        lock (log)
        {
            return log.ToString();
        }
    }

    private static async Task<JsonElement?> QueryOne(HttpClient http, string query, CancellationToken ct)
    {
        string? body = await TryGet(http, "/api/v1/query?query=" + Uri.EscapeDataString(query), ct);
        if (body is null)
        {
            return null;
        }

        using var doc = JsonDocument.Parse(body);
        var result = doc.RootElement.GetProperty("data").GetProperty("result");
        return result.GetArrayLength() switch
        {
            0 => null,
            1 => result[0].Clone(),
            _ => throw new InvalidOperationException($"Expected one series, got: {body}"),
        };
    }

    private static async Task<string?> TryGet(HttpClient http, string path, CancellationToken ct)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative), ct);
            return response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync(ct) : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static async Task ServeAsync(HttpListener listener, MonitorMetrics metrics, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var context = await listener.GetContextAsync();
                using var body = new MemoryStream();
                await metrics.WriteAsync(body, ct);
                context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                context.Response.ContentLength64 = body.Length;
                body.Position = 0;
                await body.CopyToAsync(context.Response.OutputStream, ct);
                context.Response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException or OperationCanceledException or IOException)
            {
                if (ct.IsCancellationRequested || !listener.IsListening)
                {
                    return;
                }
            }
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
