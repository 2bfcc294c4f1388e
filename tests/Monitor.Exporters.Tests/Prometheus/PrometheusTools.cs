using System.Diagnostics;

namespace Monitor.Exporters.Tests.Prometheus;

/// <summary>
/// Finds Debian's <c>prometheus</c> and <c>promtool</c>, installing the package when missing and running as root
/// (as CI does); otherwise fails with what to install.
/// </summary>
internal static class PrometheusTools
{
    public const string Prometheus = "/usr/bin/prometheus";
    public const string Promtool = "/usr/bin/promtool";

    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static async Task EnsureInstalledAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (File.Exists(Prometheus) && File.Exists(Promtool))
            {
                return;
            }

            if (!string.Equals(Environment.UserName, "root", StringComparison.Ordinal))
            {
                Assert.Fail($"{Prometheus} or {Promtool} is missing: install Debian's package with `apt-get install -y prometheus` (as root).");
            }

            var (code, output) = await RunAsync("apt-get", ["install", "-y", "--no-install-recommends", "prometheus"], null, TimeSpan.FromMinutes(5));
            if (code != 0)
            {
                await RunAsync("apt-get", ["update"], null, TimeSpan.FromMinutes(5));
                (code, output) = await RunAsync("apt-get", ["install", "-y", "--no-install-recommends", "prometheus"], null, TimeSpan.FromMinutes(5));
            }

            Assert.True(code == 0 && File.Exists(Prometheus) && File.Exists(Promtool),
                $"`apt-get install -y prometheus` failed (exit {code}); install it by hand. Output:\n{output}");
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Runs a tool to completion (killed at the deadline) and returns its exit code and combined output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> args, string? stdin, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} did not finish within {timeout}.");
        }

        return (process.ExitCode, (await stdout) + (await stderr));
    }
}
