using System.Globalization;
using Monitor.Core.Rules;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Monitor.Worker.Rules;

/// <summary>
/// Typed reads over YAML's representation model that never throw: every wrong type or unknown key becomes a
/// <see cref="LocatedRuleError"/>, and every key read is remembered with its position so that errors found
/// later (by <see cref="RuleValidator"/>) can be placed too.
/// </summary>
internal sealed class YamlReader(string file)
{
    private readonly Dictionary<string, Mark> _locations = new(StringComparer.Ordinal);

    public string File { get; } = file;

    public List<LocatedRuleError> Errors { get; } = [];

    /// <summary>The keys with a parse error, so the validator does not report them a second time.</summary>
    public HashSet<string> ErrorKeys { get; } = new(StringComparer.Ordinal);

    public void Locate(string key, Mark at) => _locations.TryAdd(key, at);

    /// <summary>The position of <paramref name="key"/>, or of its nearest ancestor that the file contains.</summary>
    public Mark Find(string key)
    {
        string k = key;
        while (true)
        {
            if (_locations.TryGetValue(k, out var mark))
            {
                return mark;
            }

            int cut = Math.Max(k.LastIndexOf('.'), k.LastIndexOf('['));
            if (cut <= 0)
            {
                return _locations.TryGetValue(string.Empty, out var root) ? root : new Mark(0, 1, 1);
            }

            k = k[..cut];
        }
    }

    public void Error(string key, Mark at, string message, string fix)
    {
        ErrorKeys.Add(key);
        Errors.Add(new LocatedRuleError(new RuleError(File, key, message, fix), at.Line, at.Column));
    }

    /// <summary>Opens <paramref name="node"/> as a mapping whose keys must be among <paramref name="known"/>.</summary>
    public YamlMap? Map(YamlNode? node, string key, params string[] known)
    {
        if (node is null || IsNull(node))
        {
            return null;
        }

        Locate(key, node.Start);
        if (node is not YamlMappingNode mapping)
        {
            Error(key, node.Start, $"expected a mapping (`key: value` lines) but found {Describe(node)}", $"indent the keys of `{Leaf(key)}` under it: {string.Join(", ", known)}");
            return null;
        }

        return new YamlMap(this, mapping, key, known);
    }

    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode s => $"'{s.Value}'",
        _ => "an unknown node",
    };

    public static string Leaf(string key) => key.Length == 0 ? "the document" : key[(Math.Max(key.LastIndexOf('.'), key.LastIndexOf(']')) + 1)..];

    public static string Child(string parent, string name) => parent.Length == 0 ? name : $"{parent}.{name}";
}

/// <summary>One YAML mapping with a fixed set of allowed keys.</summary>
internal sealed class YamlMap
{
    private readonly YamlReader _reader;
    private readonly Dictionary<string, (YamlNode Key, YamlNode Value)> _entries = new(StringComparer.Ordinal);

    public YamlMap(YamlReader reader, YamlMappingNode node, string key, string[]? known)
    {
        _reader = reader;
        Key = key;
        Node = node;
        foreach (var (k, value) in node.Children)
        {
            if (k is not YamlScalarNode { Value: { } name })
            {
                reader.Error(key, k.Start, $"a key must be a plain name, found {YamlReader.Describe(k)}", "write keys as plain words");
                continue;
            }

            string childKey = YamlReader.Child(key, name);
            if (known is not null && Array.IndexOf(known, name) < 0)
            {
                string? near = NameSuggestion.Closest(name, known);
                reader.Error(childKey, k.Start, $"unknown key '{name}'",
                    near is null ? $"remove it; keys allowed here are {string.Join(", ", known)}" : $"did you mean '{near}'? Keys allowed here are {string.Join(", ", known)}");
                continue;
            }

            _entries[name] = (k, value);
            reader.Locate(childKey, value.Start);
        }
    }

    public string Key { get; }

    public YamlMappingNode Node { get; }

    /// <summary>The entries in file order (for mappings whose keys are names, like <c>tests</c>).</summary>
    public IEnumerable<(string Name, YamlNode Value)> Entries =>
        _entries.Select(e => (e.Key, e.Value.Value)).OrderBy(e => e.Value.Start);

    public bool Has(string name) => _entries.TryGetValue(name, out var e) && !YamlReader.IsNull(e.Value);

    public YamlNode? ValueOf(string name) => _entries.TryGetValue(name, out var e) && !YamlReader.IsNull(e.Value) ? e.Value : null;

    public string KeyOf(string name) => YamlReader.Child(Key, name);

    public YamlMap? Map(string name, params string[] known) => _reader.Map(ValueOf(name), KeyOf(name), known);

    public string? String(string name) => Scalar(name, "text", "write a single value, quoted if it contains ': ' or starts with a special character");

    public double? Double(string name)
    {
        string? text = Scalar(name, "a number", "write a number such as 0.05");
        if (text is null)
        {
            return null;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v))
        {
            return v;
        }

        Fail(name, $"'{text}' is not a finite number", "write a number such as 0.05 or 1e6");
        return null;
    }

    public int? Int(string name)
    {
        string? text = Scalar(name, "a whole number", "write a whole number such as 3");
        if (text is null)
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v))
        {
            return v;
        }

        Fail(name, $"'{text}' is not a whole number", "write a whole number such as 3");
        return null;
    }

    public bool? Bool(string name)
    {
        string? text = Scalar(name, "true or false", "write true or false");
        if (text is null)
        {
            return null;
        }

        if (string.Equals(text, "true", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (string.Equals(text, "false", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        Fail(name, $"'{text}' is not true or false", "write true or false");
        return null;
    }

    public TimeSpan? Duration(string name)
    {
        string? text = Scalar(name, "a duration", DurationParser.Hint);
        if (text is null)
        {
            return null;
        }

        if (DurationParser.TryParse(text, out var v))
        {
            return v;
        }

        bool bare = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
        Fail(name, bare ? $"'{text}' has no unit" : $"'{text}' is not a duration", bare ? $"add a unit, e.g. {text}s or {text}m; {DurationParser.Hint}" : DurationParser.Hint);
        return null;
    }

    public DateTimeOffset? Time(string name)
    {
        string? text = Scalar(name, "a time", "write an ISO-8601 time such as 2026-11-01T00:00:00Z");
        if (text is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var v))
        {
            return v;
        }

        Fail(name, $"'{text}' is not a time", "write an ISO-8601 time such as 2026-11-01T00:00:00Z");
        return null;
    }

    public TEnum? Enum<TEnum>(string name, IReadOnlyDictionary<string, TEnum> names)
        where TEnum : struct, System.Enum
    {
        string valid = string.Join(", ", names.Keys);
        string? text = Scalar(name, $"one of {valid}", $"write one of {valid}");
        if (text is null)
        {
            return null;
        }

        if (names.TryGetValue(text, out var v))
        {
            return v;
        }

        string? near = NameSuggestion.Closest(text, names.Keys);
        Fail(name, $"'{text}' is not a valid {name.Replace('_', ' ')}", (near is null ? string.Empty : $"did you mean '{near}'? ") + $"write one of {valid}");
        return null;
    }

    public YamlSequenceNode? Sequence(string name, string fix)
    {
        var node = ValueOf(name);
        if (node is null)
        {
            return null;
        }

        if (node is YamlSequenceNode seq)
        {
            return seq;
        }

        Fail(name, $"expected a list but found {YamlReader.Describe(node)}", fix);
        return null;
    }

    /// <summary>A list of plain values; <see langword="null"/> when absent or wrong.</summary>
    public List<string>? StringList(string name, string fix)
    {
        var seq = Sequence(name, fix);
        if (seq is null)
        {
            return null;
        }

        var list = new List<string>();
        int i = 0;
        foreach (var item in seq.Children)
        {
            string itemKey = $"{KeyOf(name)}[{i}]";
            _reader.Locate(itemKey, item.Start);
            if (item is YamlScalarNode { Value: { } s } && !YamlReader.IsNull(item))
            {
                list.Add(s);
            }
            else
            {
                _reader.Error(itemKey, item.Start, $"expected a single value but found {YamlReader.Describe(item)}", fix);
            }

            i++;
        }

        return list;
    }

    private string? Scalar(string name, string expected, string fix)
    {
        var node = ValueOf(name);
        if (node is null)
        {
            return null;
        }

        if (node is YamlScalarNode { Value: { } s })
        {
            return s;
        }

        Fail(name, $"expected {expected} but found {YamlReader.Describe(node)}", fix);
        return null;
    }

    private void Fail(string name, string message, string fix)
    {
        var node = ValueOf(name)!;
        _reader.Error(KeyOf(name), node.Start, message, fix);
    }
}
