using System.CommandLine;
using Microsoft.Extensions.Options;
using Monitor.Worker.Daemon;
using Monitor.Worker.Models;

namespace Monitor.Worker.Commands;

/// <summary><c>monitor run</c>: the daemon.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var rules = new Option<string?>("--rules") { Description = "A rule file or folder (default: Monitor:Rules, else rules/)." };
        var config = new Option<string?>("--config") { Description = "An extra JSON settings file (default: appsettings.json beside the executable or in the working folder)." };
        var command = new Command("run", "Run the daemon: consume Kafka, evaluate windows, export metrics and send alerts. Settings: appsettings.json, environment (Monitor__Kafka__BootstrapServers=…), --Monitor:Key=value.")
        {
            rules, config,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (result, cancellationToken) =>
        {
            var settings = new Dictionary<string, string?>(StringComparer.Ordinal);
            if (result.GetValue(rules) is { } r)
            {
                settings["Monitor:Rules"] = r;
            }

            var extra = result.UnmatchedTokens.ToList();
            if (result.GetValue(config) is { } file)
            {
                extra.Add($"--config-file={file}");
            }

            return await RunAsync([.. extra], settings, result.InvocationConfiguration.Error, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    internal static async Task<int> RunAsync(string[] args, Dictionary<string, string?> settings, TextWriter error, CancellationToken cancellationToken)
    {
        WebApplication app;
        try
        {
            app = DaemonHost.Build(args, DaemonServices.Add, settings);
        }
        catch (Exception ex) when (ex is OptionsValidationException or Rules.RuleValidationException or MonitorInputException or InvalidDataException)
        {
            await error.WriteLineAsync("monitor run: cannot start:").ConfigureAwait(false);
            await error.WriteLineAsync(ex is OptionsValidationException o ? string.Join(Environment.NewLine, o.Failures) : ex.Message).ConfigureAwait(false);
            return MonitorCommandLine.InvalidInput;
        }

        await using (app.ConfigureAwait(false))
        {
            await app.RunAsync(cancellationToken).ConfigureAwait(false);
        }

        return MonitorCommandLine.Success;
    }
}
