using System.Diagnostics;
using System.Text.Json;

namespace Monitor.Alerts.Tests;

/// <summary>
/// A real SMTP server (smtp4dev) on loopback ports, installed as a dotnet tool into the repository's ignored .tools/
/// folder on first use. Its HTTP API lists what it received.
/// </summary>
internal sealed class Smtp4dev : IAsyncDisposable
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);
    private readonly Process _process;
    private readonly string _dataDir;
    private readonly HttpClient _http;

    private Smtp4dev(Process process, string dataDir, int apiPort, int smtpPort)
    {
        _process = process;
        _dataDir = dataDir;
        ApiPort = apiPort;
        SmtpPort = smtpPort;
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}/"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public int ApiPort { get; }

    public int SmtpPort { get; }

    public static async Task<Smtp4dev> StartAsync(int smtpPort, int apiPort)
    {
        string exe = await EnsureInstalledAsync();
        string dataDir = Directory.CreateTempSubdirectory("smtp4dev-").FullName;
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[]
        {
            $"--urls=http://127.0.0.1:{apiPort}", $"--smtpport={smtpPort}", "--imapport=", "--pop3port=", "--bindaddress=127.0.0.1",
            "--tlsmode=None", "--db=", "--nousersettings", $"--baseappdatapath={dataDir}",
        })
        {
            psi.ArgumentList.Add(arg);
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("smtp4dev did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new Smtp4dev(process, dataDir, apiPort, smtpPort);
        try
        {
            await Poll.UntilAsync(async () =>
            {
                Assert.False(process.HasExited, "smtp4dev exited during start-up");
                try
                {
                    using var r = await server._http.GetAsync("api/messages");
                    return r.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(60), "smtp4dev to answer");
            // The HTTP API can come up before the SMTP listener.
            await Poll.UntilAsync(() =>
            {
                try
                {
                    using var c = new System.Net.Sockets.TcpClient();
                    c.Connect(System.Net.IPAddress.Loopback, smtpPort);
                    return true;
                }
                catch (System.Net.Sockets.SocketException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(30), "smtp4dev's SMTP port");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async Task<List<(string Id, string Subject, string[] To)>> MessagesAsync()
    {
        using var doc = JsonDocument.Parse(await _http.GetStringAsync("api/messages?pageSize=1000"));
        var results = doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement : doc.RootElement.GetProperty("results");
        return [.. results.EnumerateArray().Select(m => (
            m.GetProperty("id").GetString()!,
            m.GetProperty("subject").GetString() ?? string.Empty,
            m.GetProperty("to").EnumerateArray().Select(t => t.GetString()!).ToArray()))];
    }

    public Task<string> PlainTextAsync(string id) => _http.GetStringAsync($"api/messages/{id}/plaintext");

    public Task<byte[]> RawAsync(string id) => _http.GetByteArrayAsync($"api/messages/{id}/raw");

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

    private static async Task<string> EnsureInstalledAsync()
    {
        string root = RepoRoot();
        string toolDir = Path.Combine(root, ".tools", "smtp4dev");
        string exe = Path.Combine(toolDir, "smtp4dev");
        await InstallLock.WaitAsync();
        try
        {
            if (!File.Exists(exe))
            {
                var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                foreach (string a in new[] { "tool", "install", "Rnwood.Smtp4dev", "--version", "3.15.0", "--tool-path", toolDir })
                {
                    psi.ArgumentList.Add(a);
                }

                using var p = Process.Start(psi)!;
                string output = await p.StandardOutput.ReadToEndAsync() + await p.StandardError.ReadToEndAsync();
                await p.WaitForExitAsync();
                Assert.True(p.ExitCode == 0 && File.Exists(exe), "installing smtp4dev failed: " + output);
            }

            return exe;
        }
        finally
        {
            InstallLock.Release();
        }
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Monitor.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Monitor.sln not found above " + AppContext.BaseDirectory);
    }
}
