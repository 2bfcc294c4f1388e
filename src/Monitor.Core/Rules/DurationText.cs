using System.Globalization;
using System.Text;

namespace Monitor.Core.Rules;

/// <summary>Formats durations the way rule files write them (<c>1h30m</c>, <c>7d</c>, <c>250ms</c>).</summary>
public static class DurationText
{
    /// <summary>The shortest rule-file spelling of <paramref name="value"/>; <c>0s</c> for zero, <c>-</c> prefixed when negative.</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        var sb = new StringBuilder();
        if (value < TimeSpan.Zero)
        {
            sb.Append('-');
            value = value == TimeSpan.MinValue ? TimeSpan.MaxValue : value.Negate();
        }

        Append(sb, value.Days, "d");
        Append(sb, value.Hours, "h");
        Append(sb, value.Minutes, "m");
        Append(sb, value.Seconds, "s");
        long subSecondTicks = value.Ticks % TimeSpan.TicksPerSecond;
        if (subSecondTicks % TimeSpan.TicksPerMillisecond == 0)
        {
            Append(sb, (int)(subSecondTicks / TimeSpan.TicksPerMillisecond), "ms");
        }
        else
        {
            sb.Append((subSecondTicks / (double)TimeSpan.TicksPerMillisecond).ToString("0.####", CultureInfo.InvariantCulture)).Append("ms");
        }

        return sb.ToString();
    }

    private static void Append(StringBuilder sb, int amount, string unit)
    {
        if (amount != 0)
        {
            sb.Append(amount.ToString(CultureInfo.InvariantCulture)).Append(unit);
        }
    }
}
