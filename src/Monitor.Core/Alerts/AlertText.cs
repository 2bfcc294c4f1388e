using System.Globalization;
using System.Text;
using Monitor.Core.Evaluation;

namespace Monitor.Core.Alerts;

/// <summary>The one-line summaries on-call reads in subjects and chat messages.</summary>
internal static class AlertText
{
    public static string Summary(string model, string rule, Severity severity, AlertTransition transition, IReadOnlyList<AlertEvidence> evidence, string? detail, RouteState st)
    {
        var sb = new StringBuilder();
        sb.Append(model).Append(' ').Append(rule).Append(' ');
        switch (transition)
        {
            case AlertTransition.Resolved:
                sb.Append("resolved after ").Append(st.Clean.ToString(CultureInfo.InvariantCulture))
                    .Append(st.Clean == 1 ? " clean window" : " clean windows")
                    .Append(" (peak ").Append(Name(severity));
                if (st.Since is { } since)
                {
                    sb.Append(", bad since ").Append(since.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
                }

                sb.Append(')');
                return sb.ToString();
            case AlertTransition.Escalated:
                sb.Append("escalated to ").Append(Name(severity));
                break;
            case AlertTransition.Renotified:
                sb.Append(Name(severity)).Append(", still firing");
                break;
            default:
                sb.Append(Name(severity));
                break;
        }

        if (evidence.Count == 0)
        {
            return sb.ToString();
        }

        int features = evidence.Where(e => e.Feature != "dataset").Select(e => e.Feature).Distinct(StringComparer.Ordinal).Count();
        var worst = evidence[0];
        sb.Append(": ");
        if (worst.Feature == "dataset")
        {
            sb.Append("drifted share ").Append(Number(worst.Value)).Append(Limits(worst));
            if (detail is not null)
            {
                sb.Append(", ").Append(detail);
            }

            return sb.ToString();
        }

        sb.Append(worst.Feature).Append(' ').Append(worst.Test).Append(' ').Append(Number(worst.Value)).Append(Limits(worst));
        if (features > 1)
        {
            sb.Append(" and ").Append((features - 1).ToString(CultureInfo.InvariantCulture)).Append(features == 2 ? " more feature" : " more features");
        }

        return sb.ToString();
    }

    private static string Limits(AlertEvidence e)
    {
        var parts = new List<string>(2);
        if (e.Warning is { } w)
        {
            parts.Add("warning " + Number(w));
        }

        if (e.Critical is { } c)
        {
            parts.Add("critical " + Number(c));
        }

        return parts.Count == 0 ? string.Empty : " (" + string.Join(", ", parts) + ")";
    }

    private static string Number(double v) => v.ToString("G4", CultureInfo.InvariantCulture);

    private static string Name(Severity s) => s == Severity.Critical ? "critical" : "warning";
}
