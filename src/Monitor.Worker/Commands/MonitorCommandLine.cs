using System.CommandLine;
using Monitor.Core.Drift;

namespace Monitor.Worker.Commands;

/// <summary>
/// The <c>monitor</c> command line. Each command lives in its own class with a <c>Create</c> method returning a
/// <see cref="Command"/>; adding a command is one line in <see cref="Create"/>.
/// </summary>
internal static class MonitorCommandLine
{
    /// <summary>Exit code: the command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>Exit code: the input (e.g. a rule file) is invalid; the errors were printed.</summary>
    public const int InvalidInput = 1;

    /// <summary>Builds the root command with every subcommand.</summary>
    /// <param name="registry">The drift tests rule files may name (<see cref="DriftTestRegistry.Default"/> in production).</param>
    /// <param name="time">The clock (system time in production).</param>
    public static RootCommand Create(DriftTestRegistry registry, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        var root = new RootCommand("Monitor watches ML models in production: drift, data quality and performance from Kafka logs.");
        root.Subcommands.Add(ValidateCommand.Create(registry));
        root.Subcommands.Add(ReplayCommand.Create(registry));
        root.Subcommands.Add(BaselineCommand.Create(registry, time));
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(DemoCommand.Create(registry));
        root.Subcommands.Add(BenchCommand.Create(registry));
        // run, demo, replay and baseline commands are added here, one line each.
        return root;
    }
}
