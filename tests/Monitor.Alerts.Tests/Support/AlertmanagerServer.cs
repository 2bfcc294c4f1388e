using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Monitor.Alerts.Tests;

/// <summary>
/// A real Prometheus Alertmanager (Debian's <c>prometheus-alertmanager</c>) on a loopback port with a generated
/// config, a temporary storage path and clustering off. Installed with apt on first use when the tests run as root.
/// </summary>
internal sealed class AlertmanagerServer : IAsyncDisposable
{
    public const string Binary = "/usr/bin/prometheus-alertmanager";

    private static readonly SemaphoreSlim InstallLock = new(1, 1);
    private readonly Process _process;
    private readonly string _dataDir;
    private readonly HttpClient _http;

    private AlertmanagerServer(Process process, string dataDir, int port)
    {
        _process = process;
        _dataDir = dataDir;
        BaseUrl = $"http://127.0.0.1:{port}";
        _http = new HttpClient { BaseAddress = new Uri(BaseUrl + "/"), Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>The base URL, i.e. what a Monitor route names as its Alertmanager target.</summary>
    public string BaseUrl { get; }

    /// <summary>Alertmanager's own log lines (stderr), for failure messages.</summary>
    public ConcurrentQueue<string> Log { get; } = new();

    public static async Task<AlertmanagerServer> StartAsync(string configYaml)
    {
        await EnsureInstalledAsync();
        string dataDir = Directory.CreateTempSubdirectory("alertmanager-").FullName;
        string config = Path.Combine(dataDir, "alertmanager.yml");
        await File.WriteAllTextAsync(config, configYaml);
        int port = Poll.FreePort();
        var psi = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[]
        {
            "--config.file=" + config, $"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=",
            "--storage.path=" + Path.Combine(dataDir, "data"), "--log.level=debug",
        })
        {
            psi.ArgumentList.Add(arg);
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("Alertmanager did not start");
        var server = new AlertmanagerServer(process, dataDir, port);
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await Poll.UntilAsync(async () =>
            {
                Assert.False(process.HasExited, "Alertmanager exited during start-up:\n" + server.LogText);
                try
                {
                    using var r = await server._http.GetAsync("-/ready");
                    return r.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(30), "Alertmanager's /-/ready");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public string LogText => string.Join("\n", Log);

    /// <summary><c>GET /api/v2/alerts</c> with the given query (e.g. <c>active=false</c>).</summary>
    public async Task<List<JsonElement>> AlertsAsync(string query = "")
    {
        using var doc = JsonDocument.Parse(await _http.GetStringAsync("api/v2/alerts" + (query.Length > 0 ? "?" + query : string.Empty)));
        return [.. doc.RootElement.EnumerateArray().Select(a => a.Clone())];
    }

    /// <summary>The value of one sample on <c>/metrics</c>, e.g. <c>alertmanager_alerts_received_total{status="resolved",version="v2"}</c>; 0 when absent.</summary>
    public async Task<double> MetricAsync(string series)
    {
        string text = await _http.GetStringAsync("metrics");
        foreach (string line in text.Split('\n'))
        {
            if (line.StartsWith(series + " ", StringComparison.Ordinal))
            {
                return double.Parse(line.AsSpan(series.Length + 1), CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            Log.Enqueue(line);
        }
    }

    private static async Task EnsureInstalledAsync()
    {
        await InstallLock.WaitAsync();
        try
        {
            if (File.Exists(Binary))
            {
                return;
            }

            Assert.True(Environment.IsPrivilegedProcess, $"{Binary} is missing: install it with `apt-get install -y prometheus-alertmanager` (Debian 0.25), or run the tests as root to install it automatically");
            var psi = new ProcessStartInfo("apt-get") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.Environment["DEBIAN_FRONTEND"] = "noninteractive";
            foreach (string a in new[] { "install", "-y", "prometheus-alertmanager" })
            {
                psi.ArgumentList.Add(a);
            }

            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync();
            Assert.True(p.ExitCode == 0 && File.Exists(Binary), "`apt-get install -y prometheus-alertmanager` failed:\n" + await stdout + await stderr);
        }
        finally
        {
            InstallLock.Release();
        }
    }
}
