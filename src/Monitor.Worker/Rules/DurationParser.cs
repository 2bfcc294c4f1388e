using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;

namespace Monitor.Worker.Rules;

/// <summary>
/// Reads rule-file durations: unit suffixes (<c>250ms</c>, <c>30s</c>, <c>5m</c>, <c>1h</c>, <c>7d</c>, <c>2w</c>,
/// combinable as <c>1h30m</c>, decimals allowed as <c>1.5h</c>) or ISO-8601 (<c>PT1H</c>, <c>P7D</c>).
/// </summary>
internal static partial class DurationParser
{
    /// <summary>The hint shown when a duration cannot be read.</summary>
    public const string Hint = "write a duration such as 250ms, 30s, 5m, 1h, 1h30m, 7d, or ISO-8601 such as PT1H";

    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        string s = text.Trim();
        if (s.Length == 0)
        {
            return false;
        }

        if (s[0] is 'P' or 'p' || (s.Length > 1 && s[0] == '-' && s[1] is 'P' or 'p'))
        {
            try
            {
                value = XmlConvert.ToTimeSpan(s.ToUpperInvariant());
                return true;
            }
            catch (FormatException)
            {
                return false;
            }
            catch (OverflowException)
            {
                return false;
            }
        }

        var match = UnitPattern().Match(s);
        if (!match.Success)
        {
            return false;
        }

        decimal ticks = 0;
        var seenUnits = new HashSet<string>(StringComparer.Ordinal);
        foreach (Capture part in match.Groups["part"].Captures)
        {
            var m = PartPattern().Match(part.Value);
            string unit = m.Groups["unit"].Value;
            if (!seenUnits.Add(unit))
            {
                return false;
            }

            decimal amount = decimal.Parse(m.Groups["amount"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            long perUnit = unit switch
            {
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                "d" => TimeSpan.TicksPerDay,
                _ => TimeSpan.TicksPerDay * 7,
            };
            ticks += amount * perUnit;
            if (ticks > TimeSpan.MaxValue.Ticks)
            {
                return false;
            }
        }

        value = TimeSpan.FromTicks((long)decimal.Round(ticks));
        if (match.Groups["sign"].Success)
        {
            value = value.Negate();
        }

        return true;
    }

    [GeneratedRegex(@"^(?<sign>-)?(?<part>\d+(\.\d+)?(ms|s|m|h|d|w))+$")]
    private static partial Regex UnitPattern();

    [GeneratedRegex(@"^(?<amount>\d+(\.\d+)?)(?<unit>ms|s|m|h|d|w)$")]
    private static partial Regex PartPattern();
}
