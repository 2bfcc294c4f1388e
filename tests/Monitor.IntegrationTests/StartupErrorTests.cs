using System.Globalization;
using Monitor.IntegrationTests.Support;
using Xunit.Abstractions;

namespace Monitor.IntegrationTests;

/// <summary>Bad input stops <c>monitor run</c> before anything starts, with a non-zero exit, the place, the key and the fix.</summary>
public sealed class StartupErrorTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("monitor-it-start-").FullName;

    [Fact]
    public async Task Run_InvalidRuleFile_ExitsNonZeroWithFileLineKeyAndFix()
    {
        File.WriteAllText(Path.Combine(_folder, "bad.yaml"), """
            model:
              name: bad
            task: binary_classification
            topics:
              predictions: bad.predictions
              dead_letter: bad.dead-letter
            features:
              - name: x
                kind: numerc
                tests:
                  psi: { warning: 0.1 }
            window: { size: 1m, allowed_lateness: 5s }
            baseline: { kind: rolling, windows: 2 }

            """);
        using var child = MonitorProcess.Start(_folder, "run", "--Monitor:Rules=bad.yaml", "--Monitor:Kafka:BootstrapServers=127.0.0.1:9",
            $"--Monitor:StateDirectory={Path.Combine(_folder, "state")}", string.Create(CultureInfo.InvariantCulture, $"--Monitor:HttpUrl=http://127.0.0.1:{Infrastructure.FreePort()}"));
        int code = await child.WaitForExitAsync(TimeSpan.FromSeconds(60));
        output.WriteLine(child.Output);
        Assert.Equal(1, code);
        Assert.Contains("bad.yaml:9:11", child.Output, StringComparison.Ordinal);
        Assert.Contains("features[0].kind", child.Output, StringComparison.Ordinal);
        Assert.Contains("'numerc' is not a valid kind. Fix: did you mean 'numeric'?", child.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Serving", child.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_BootstrapServersUnset_ExitsNonZeroNamingTheKeyAndTheFix()
    {
        string rules = ShopModel.Write(_folder);
        using var child = MonitorProcess.Start(_folder, "run", $"--Monitor:Rules={rules}",
            $"--Monitor:StateDirectory={Path.Combine(_folder, "state")}", string.Create(CultureInfo.InvariantCulture, $"--Monitor:HttpUrl=http://127.0.0.1:{Infrastructure.FreePort()}"));
        int code = await child.WaitForExitAsync(TimeSpan.FromSeconds(60));
        output.WriteLine(child.Output);
        Assert.Equal(1, code);
        Assert.Contains("Monitor:Kafka:BootstrapServers: is not set. Fix: set the brokers, e.g. Monitor__Kafka__BootstrapServers=kafka:9092", child.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Serving", child.Output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
