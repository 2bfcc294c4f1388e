using System.CommandLine;
using System.Globalization;
using Monitor.Core.Drift;
using Monitor.Worker.Commands;

namespace Monitor.Worker.Tests.Support;

/// <summary>Runs the <c>monitor</c> command line in process and captures what it writes.</summary>
internal static class Cli
{
    /// <summary>Invokes <paramref name="args"/> with the default drift tests; output and error with '\n' line ends.</summary>
    public static async Task<(int Code, string Output, string Error)> InvokeAsync(params string[] args)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        int code = await MonitorCommandLine.Create(DriftTestRegistry.Default)
            .Parse(args)
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (code, Lines(output), Lines(error));
    }

    private static string Lines(StringWriter writer) => writer.ToString().Replace("\r", string.Empty, StringComparison.Ordinal);
}
