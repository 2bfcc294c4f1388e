using Monitor.Core.Rules;

namespace Monitor.Worker.Rules;

/// <summary>A <see cref="RuleError"/> with the line and column (1-based) in its file where the fix goes.</summary>
internal sealed record LocatedRuleError(RuleError Error, long Line, long Column)
{
    /// <summary>Formats as <c>rules/fraud.yaml:12:5 features[2].tests.ks.critical: message. Fix: fix</c>.</summary>
    public override string ToString() =>
        $"{Error.File}:{Line}:{Column} {Error.Key}: {Error.Message.TrimEnd('.')}. Fix: {Error.Fix}";
}
