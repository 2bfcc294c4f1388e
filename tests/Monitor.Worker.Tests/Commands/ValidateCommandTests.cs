using System.CommandLine;
using Monitor.Core.Tests.Rules;
using Monitor.Worker.Commands;
using Monitor.Worker.Tests.Rules;

namespace Monitor.Worker.Tests.Commands;

// One test changes the process's current directory, so nothing in this class runs beside other tests.
[Collection(nameof(ValidateCommandTests))]
[CollectionDefinition(nameof(ValidateCommandTests), DisableParallelization = true)]
public sealed class ValidateCommandTests
{
    [Fact]
    public void Validate_ValidDirectory_ExitsZeroWithOneSummaryLinePerFile()
    {
        using var dir = new TempDirectory();
        dir.Write("fraud.yaml", RuleYaml.Valid);
        dir.Write("churn.yaml", RuleYaml.With("name: fraud", "name: churn"));

        var (code, output, error) = Invoke("validate", dir.Path);

        Assert.Equal(0, code);
        Assert.Empty(error);
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.EndsWith("churn.yaml: ok — model churn (all versions, binary_classification), 2 features, 1h windows, baseline file, 1 performance floors, 1 alert routes, retrain on", lines[0], StringComparison.Ordinal);
        Assert.Contains("fraud.yaml: ok — model fraud", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ShippedRulesDirectory_ExitsZero()
    {
        var (code, output, error) = Invoke("validate", Path.Combine(AppContext.BaseDirectory, "rules"));

        Assert.True(code == 0, error);
        Assert.Contains("example.yaml: ok — model churn (version 7, binary_classification), 3 features", output, StringComparison.Ordinal);
        Assert.Contains("fraud.yaml: ok — model fraud (all versions, binary_classification), 9 features, 1h windows", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_InvalidFiles_ExitsNonZeroAndPrintsEveryError()
    {
        using var dir = new TempDirectory();
        string bad = dir.Write("bad.yaml", RuleYaml.With("ks: { warning: 0.05, critical: 0.01 }", "ks: { warning: 0.01, critical: 0.05 }").Replace("size: 1h", "size: 1y", StringComparison.Ordinal));
        dir.Write("good.yaml", RuleYaml.With("name: fraud", "name: churn"));

        var (code, output, error) = Invoke("validate", dir.Path);

        Assert.Equal(1, code);
        Assert.Contains("good.yaml: ok", output, StringComparison.Ordinal);
        string[] lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            [
                $"{bad}:12:38 features[0].tests.ks.critical: 'ks' is a p-value test, so critical (0.05) must not be above warning (0.01). Fix: for p-value tests a smaller p-value is more severe: set critical ≤ warning, e.g. warning: 0.05, critical: 0.01",
                $"{bad}:21:9 window.size: '1y' is not a duration. Fix: write a duration such as 250ms, 30s, 5m, 1h, 1h30m, 7d, or ISO-8601 such as PT1H",
                "2 error(s) in 1 of 2 file(s).",
            ],
            lines);
    }

    [Fact]
    public void Validate_RelativePath_IsReportedAsGiven()
    {
        using var dir = new TempDirectory();
        dir.Write("rules/fraud.yaml", RuleYaml.With("name: fraud", "name: fraud model"));
        string previous = Environment.CurrentDirectory;

        string error;
        try
        {
            Environment.CurrentDirectory = dir.Path;
            (_, _, error) = Invoke("validate", "rules/fraud.yaml");
        }
        finally
        {
            Environment.CurrentDirectory = previous;
        }

        Assert.StartsWith("rules/fraud.yaml:2:9 model.name: 'fraud model' is not a valid model name. Fix: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MissingArgument_FailsWithUsage()
    {
        var (code, _, error) = Invoke("validate");

        Assert.NotEqual(0, code);
        Assert.Contains("path", error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Help_ListsTheValidateCommand()
    {
        var (code, output, _) = Invoke("--help");

        Assert.Equal(0, code);
        Assert.Contains("validate", output, StringComparison.Ordinal);
        Assert.Contains("Check rule files", output, StringComparison.Ordinal);
    }

    private static (int Code, string Output, string Error) Invoke(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = MonitorCommandLine.Create(FakeDriftTests.Registry())
            .Parse(args)
            .Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString().Replace("\r", string.Empty, StringComparison.Ordinal), error.ToString().Replace("\r", string.Empty, StringComparison.Ordinal));
    }
}
