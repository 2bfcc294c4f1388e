using YamlDotNet.RepresentationModel;

namespace Monitor.Worker.Tests.Rules;

public sealed class ShippedRuleFilesTests
{
    [Theory]
    [InlineData("example.yaml")]
    [InlineData("fraud.yaml")]
    public void LoadPath_ShippedRuleFile_IsValid(string name)
    {
        var set = RuleFileLoaderTests.Loader().LoadPath(Path.Combine(AppContext.BaseDirectory, "rules", name));

        Assert.True(set.IsValid, string.Join(Environment.NewLine, set.Errors));
    }

    [Fact]
    public void LoadPath_FraudRules_HaveTheDemoModel()
    {
        var rules = RuleFileLoaderTests.Loader().LoadPath(Path.Combine(AppContext.BaseDirectory, "rules", "fraud.yaml")).Files[0].Rules!;

        Assert.Equal("fraud", rules.Name);
        Assert.Equal(Monitor.Core.Rules.ModelTask.BinaryClassification, rules.Task);
        Assert.Equal(TimeSpan.FromHours(1), rules.Window.Size);
        Assert.Equal(
            ["amount", "age", "account_age_days", "tx_per_day", "distance_km", "score", "country", "device", "merchant_category"],
            rules.Features.Select(f => f.Name));
    }

    [Fact]
    public void ExampleYaml_CommentsEveryKey()
    {
        string[] lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "rules", "example.yaml"));

        // A key line either carries a comment itself or opens a block whose own line is commented;
        // list entries and nested test blocks of an already-commented key are allowed without one.
        var bare = lines
            .Select((line, i) => (line, i))
            .Where(x => x.line.TrimStart().Length > 0 && !x.line.TrimStart().StartsWith('#') && !x.line.Contains('#', StringComparison.Ordinal))
            .Where(x => !IsUnderCommentedParent(lines, x.i))
            .Select(x => $"{x.i + 1}: {x.line}")
            .ToList();

        Assert.Empty(bare);
    }

    [Fact]
    public void DocsRulesMd_DocumentsEveryKeyOfTheExample()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "rules", "example.yaml"))));
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        CollectKeys(stream.Documents[0].RootNode, string.Empty, keys);
        string docs = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "docs", "rules.md"));

        var undocumented = keys.Where(k => !docs.Contains($"`{k}`", StringComparison.Ordinal)).ToList();

        Assert.True(keys.Count > 60, $"only {keys.Count} keys found");
        Assert.Empty(undocumented);
    }

    private static void CollectKeys(YamlNode node, string prefix, SortedSet<string> keys)
    {
        switch (node)
        {
            case YamlMappingNode map:
                foreach (var (k, v) in map.Children)
                {
                    string name = ((YamlScalarNode)k).Value!;
                    // Test and metric names are data, documented as placeholders.
                    string segment = prefix.EndsWith(".tests", StringComparison.Ordinal) ? "<test>"
                        : prefix.EndsWith(".floors", StringComparison.Ordinal) ? "<metric>"
                        : name;
                    string key = prefix.Length == 0 ? segment : $"{prefix}.{segment}";
                    if (v is YamlMappingNode { Children.Count: > 0 } or YamlSequenceNode { Children: [YamlMappingNode, ..] })
                    {
                        CollectKeys(v, key, keys);
                    }
                    else if (segment is not "<test>" and not "<metric>")
                    {
                        keys.Add(key);
                    }
                }

                break;
            case YamlSequenceNode seq:
                foreach (var item in seq.Children)
                {
                    CollectKeys(item, prefix + "[i]", keys);
                }

                break;
        }
    }

    private static bool IsUnderCommentedParent(string[] lines, int index)
    {
        // Repeated structures (second and later features/routes, threshold pairs) are documented at their first use.
        int indent = lines[index].Length - lines[index].TrimStart().Length;
        return indent >= 4;
    }
}
