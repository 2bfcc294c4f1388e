using Monitor.Core.Drift;

namespace Monitor.Core.Tests.Architecture;

public sealed class CoreDependencyTests
{
    private static readonly string[] ForbiddenPrefixes =
    [
        "Confluent", "Prometheus", "Elastic", "MailKit", "MimeKit", "Quartz", "Serilog",
        "Microsoft.Extensions.Hosting", "Microsoft.AspNetCore", "YamlDotNet",
    ];

    [Fact]
    public void CoreAssembly_References_OnlyTheRuntimeAndMathNet()
    {
        var references = typeof(NumericSample).Assembly.GetReferencedAssemblies();

        var offending = references
            .Select(r => r.Name ?? string.Empty)
            .Where(name => ForbiddenPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal)))
            .ToList();

        Assert.Empty(offending);
        Assert.All(
            references,
            r => Assert.True(
                r.Name is not null && (r.Name.StartsWith("System", StringComparison.Ordinal)
                    || r.Name.StartsWith("MathNet.Numerics", StringComparison.Ordinal)
                    || r.Name == "netstandard"),
                $"Monitor.Core references {r.Name}; it may depend on the runtime and MathNet.Numerics only."));
    }

    [Fact]
    public void CoreAssembly_DeclaresNoTypeNamedMonitor()
    {
        // A type named Monitor would hide System.Threading.Monitor everywhere it is imported.
        var types = typeof(NumericSample).Assembly.GetTypes();

        Assert.DoesNotContain(types, t => t.Name == "Monitor");
    }
}
