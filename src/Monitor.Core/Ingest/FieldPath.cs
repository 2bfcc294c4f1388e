namespace Monitor.Core.Ingest;

/// <summary>A dotted path to a JSON field, e.g. <c>prediction.score</c>. Segments are matched exactly (ordinal).</summary>
public sealed class FieldPath : IEquatable<FieldPath>
{
    private FieldPath(string text, string[] segments)
    {
        Text = text;
        Segments = segments;
    }

    /// <summary>The path as written in rule files.</summary>
    public string Text { get; }

    /// <summary>The property names from the root down.</summary>
    public IReadOnlyList<string> Segments { get; }

    /// <summary>Parses a dotted path; empty segments are rejected.</summary>
    public static FieldPath Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        string[] segments = text.Split('.');
        if (segments.Any(s => s.Length == 0))
        {
            throw new FormatException($"Field path '{text}' has an empty segment; write names separated by single dots, e.g. prediction.score.");
        }

        return new FieldPath(text, segments);
    }

    /// <summary>This path followed by <paramref name="child"/>'s segments.</summary>
    public FieldPath Append(FieldPath child)
    {
        ArgumentNullException.ThrowIfNull(child);
        return new FieldPath(Text + "." + child.Text, [.. Segments, .. child.Segments]);
    }

    /// <inheritdoc/>
    public bool Equals(FieldPath? other) => other is not null && string.Equals(Text, other.Text, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as FieldPath);

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Text);

    /// <inheritdoc/>
    public override string ToString() => Text;
}
