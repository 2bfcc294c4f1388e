using System.Diagnostics;
using System.Text;

namespace Monitor.IntegrationTests.Support;

/// <summary>
/// The <c>monitor</c> executable as a child process (<c>dotnet monitor.dll …</c>, the build output copied next to this
/// test assembly), with its standard output and error captured.
/// </summary>
internal sealed class MonitorProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private MonitorProcess(Process process)
    {
        _process = process;
    }

    public static string MonitorDll
    {
        get
        {
            string path = Path.Combine(AppContext.BaseDirectory, "monitor.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("monitor.dll is not next to the test assembly: build tests/Monitor.IntegrationTests", path);
        }
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Everything the process wrote to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static MonitorProcess Start(string workingDirectory, params string[] args) => Start(workingDirectory, new Dictionary<string, string>(), args);

    /// <summary>Starts the child with <paramref name="environment"/> added to its environment (e.g. a secret's variable).</summary>
    public static MonitorProcess Start(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        // The SDK sets DOTNET_HOST_PATH for test runs; otherwise the dotnet on PATH.
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
        var info = new ProcessStartInfo(host)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Settings come from the arguments only, never from the environment the tests run in.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("Monitor__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        info.ArgumentList.Add(MonitorDll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        var process = new Process { StartInfo = info };
        var child = new MonitorProcess(process);
        process.OutputDataReceived += (_, e) => child.Append(e.Data);
        process.ErrorDataReceived += (_, e) => child.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>SIGKILL: no shutdown hook, no final checkpoint, no offset commit.</summary>
    public void KillHard()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
        }

        _process.WaitForExit();
    }

    /// <summary>Waits for the process to exit by itself (with its output fully read).</summary>
    public async Task<int> WaitForExitAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    /// <summary>SIGTERM, then wait: the host stops gracefully.</summary>
    public async Task StopAsync(TimeSpan within)
    {
        if (!_process.HasExited)
        {
            using var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await term.WaitForExitAsync();
        }

        try
        {
            await WaitForExitAsync(within);
        }
        catch (OperationCanceledException)
        {
            KillHard();
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            KillHard();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Append(line).Append('\n');
        }
    }
}
