namespace Monitor.Core.Rules;

/// <summary>
/// One problem in a rule file, phrased so that the reader can fix it without reading Monitor's code.
/// </summary>
/// <param name="File">The rule file, as the user named it (e.g. <c>rules/fraud.yaml</c>).</param>
/// <param name="Key">The dotted key path, e.g. <c>features[2].tests.ks.critical</c>.</param>
/// <param name="Message">What is wrong, without a trailing full stop.</param>
/// <param name="Fix">What to write instead.</param>
public sealed record RuleError(string File, string Key, string Message, string Fix)
{
    /// <summary>The key used for problems of the whole file (syntax errors, an empty file).</summary>
    public const string DocumentKey = "(document)";

    /// <summary>Formats as <c>file key: message. Fix: fix</c>; loaders add the line and column.</summary>
    public override string ToString() => $"{File} {Key}: {Message}. Fix: {Fix}";
}
