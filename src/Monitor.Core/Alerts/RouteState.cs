using Monitor.Core.Accumulators;
using Monitor.Core.Evaluation;
using Monitor.Core.Windows;

namespace Monitor.Core.Alerts;

/// <summary>Where one alert (model, rule, route) stands.</summary>
internal enum AlertPhase : byte
{
    /// <summary>The condition does not hold.</summary>
    Ok,

    /// <summary>Bad windows seen, fewer than <c>for_windows</c>.</summary>
    Pending,

    /// <summary>The alert fires.</summary>
    Firing,

    /// <summary>Firing, with clean windows seen, fewer than <c>resolve_after</c>.</summary>
    Resolving,
}

/// <summary>The mutable state of one (rule, route) alert.</summary>
internal sealed class RouteState
{
    public AlertPhase Phase { get; set; }

    /// <summary>Consecutive bad windows while ok or pending.</summary>
    public int Pending { get; set; }

    /// <summary>Consecutive clean windows while firing.</summary>
    public int Clean { get; set; }

    /// <summary>The severity of the latest bad window of this episode.</summary>
    public Severity Current { get; set; }

    /// <summary>The most severe level announced in this episode; <see cref="Severity.None"/> while not announced yet.</summary>
    public Severity Announced { get; set; }

    /// <summary>The most severe level seen in this episode.</summary>
    public Severity Peak { get; set; }

    /// <summary>Start of the first bad window of the current run (pending or firing).</summary>
    public DateTimeOffset? Since { get; set; }

    /// <summary>When a notification of this alert last went to this route (any episode).</summary>
    public DateTimeOffset? LastNotified { get; set; }

    /// <summary>The (feature, test) pairs of the latest bad window, to show in the resolve notice.</summary>
    public List<(string Feature, string Test)> Keys { get; } = [];

    public void EndEpisode()
    {
        Phase = AlertPhase.Ok;
        Pending = 0;
        Clean = 0;
        Current = Severity.None;
        Announced = Severity.None;
        Peak = Severity.None;
        Since = null;
        Keys.Clear();
    }

    public void Write(StateWriter w)
    {
        w.Byte((byte)Phase);
        w.Count32(Pending);
        w.Count32(Clean);
        w.Byte((byte)Current);
        w.Byte((byte)Announced);
        w.Byte((byte)Peak);
        StateFormat.WriteTime(w, Since);
        StateFormat.WriteTime(w, LastNotified);
        w.Count32(Keys.Count);
        foreach (var (feature, test) in Keys)
        {
            w.Text(feature);
            w.Text(test);
        }
    }

    public static RouteState Read(ref StateReader r)
    {
        var s = new RouteState
        {
            Phase = StateFormat.ReadEnum<AlertPhase>(ref r, (byte)AlertPhase.Resolving, "alert phase"),
            Pending = StateFormat.ReadCount(ref r),
            Clean = StateFormat.ReadCount(ref r),
            Current = StateFormat.ReadSeverity(ref r),
            Announced = StateFormat.ReadSeverity(ref r),
            Peak = StateFormat.ReadSeverity(ref r),
            Since = StateFormat.ReadTime(ref r),
            LastNotified = StateFormat.ReadTime(ref r),
        };
        int keys = r.Length(8);
        for (int i = 0; i < keys; i++)
        {
            s.Keys.Add((r.Text(), r.Text()));
        }

        return s;
    }
}

/// <summary>Encodings shared by the policy's checkpoint.</summary>
internal static class StateFormat
{
    public static void WriteTime(StateWriter w, DateTimeOffset? t)
    {
        w.Bool(t.HasValue);
        if (t is { } v)
        {
            w.Count64(v.UtcTicks);
        }
    }

    public static DateTimeOffset? ReadTime(ref StateReader r) => r.Bool() ? ReadInstant(ref r) : null;

    public static DateTimeOffset ReadInstant(ref StateReader r)
    {
        long ticks = r.Count64();
        if (ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            throw new InvalidDataException($"Corrupt state: {ticks} is not a time.");
        }

        return new DateTimeOffset(ticks, TimeSpan.Zero);
    }

    public static void WriteRange(StateWriter w, TimeRange range)
    {
        w.Count64(range.Start.UtcTicks);
        w.Count64(range.End.UtcTicks);
    }

    public static TimeRange ReadRange(ref StateReader r)
    {
        var start = ReadInstant(ref r);
        return new TimeRange(start, ReadInstant(ref r));
    }

    public static int ReadCount(ref StateReader r)
    {
        int n = r.Count32();
        return n >= 0 ? n : throw new InvalidDataException($"Corrupt state: negative count {n}.");
    }

    public static Severity ReadSeverity(ref StateReader r) => ReadEnum<Severity>(ref r, (byte)Severity.Critical, "severity");

    public static T ReadEnum<T>(ref StateReader r, byte max, string what)
        where T : struct, Enum
    {
        byte b = r.Byte();
        return b <= max ? (T)Enum.ToObject(typeof(T), b) : throw new InvalidDataException($"Corrupt state: {b} is not a valid {what}.");
    }

    public static void WriteEvidence(StateWriter w, IReadOnlyList<AlertEvidence> evidence)
    {
        w.Count32(evidence.Count);
        foreach (var e in evidence)
        {
            w.Text(e.Feature);
            w.Text(e.Test);
            w.Real(e.Value);
            WriteOptional(w, e.Warning);
            WriteOptional(w, e.Critical);
            w.Byte((byte)e.Severity);
        }
    }

    public static List<AlertEvidence> ReadEvidence(ref StateReader r)
    {
        int n = r.Length(12);
        var list = new List<AlertEvidence>(n);
        for (int i = 0; i < n; i++)
        {
            string feature = r.Text();
            string test = r.Text();
            double value = r.Real();
            double? warning = ReadOptional(ref r);
            double? critical = ReadOptional(ref r);
            list.Add(new AlertEvidence(feature, test, value, warning, critical, ReadSeverity(ref r)));
        }

        return list;
    }

    private static void WriteOptional(StateWriter w, double? v)
    {
        w.Bool(v.HasValue);
        if (v is { } x)
        {
            w.Real(x);
        }
    }

    private static double? ReadOptional(ref StateReader r) => r.Bool() ? r.Real() : null;
}
