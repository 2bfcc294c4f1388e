using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Monitor.Core.Ingest;

/// <summary>
/// Decodes one UTF-8 JSON message straight from its bytes into a <see cref="DecodedEvent"/>, following the
/// field paths of an <see cref="EventSchema"/>. One pass, no DOM, no per-event allocation except the event id.
/// </summary>
/// <remarks>
/// <para>Field rules (the event contract in the README): JSON null or an absent field is <em>missing</em>; a numeric
/// field that is not a JSON number, or whose number is not finite as a double, is a <em>type error</em>; a
/// categorical field accepts strings, and numbers and booleans by their JSON text (so int-coded categories work);
/// objects and arrays are type errors. NaN and Infinity literals are not JSON: such a message is invalid JSON and
/// goes to the dead-letter topic with that reason. Unknown fields are ignored. A message that is not valid UTF-8
/// is invalid JSON (RFC 8259 §8.1).</para>
/// <para>Why not <see cref="Utf8JsonReader"/>: this is the daemon's hot path. The scanner here validates the same
/// grammar as the reader but only produces what the schema asks for. Property names are matched as raw bytes
/// against the order in which they came last time (producers write fields in a fixed order, so one comparison
/// usually hits), and numbers are validated and converted in the same pass, exactly (Clinger's fast path when the
/// decimal fits a double exactly, the runtime's correctly rounded parser otherwise). Rare forms — escaped strings,
/// unusual timestamps — are handed to <see cref="Utf8JsonReader"/> on just that token, so they mean exactly what
/// they mean to System.Text.Json.</para>
/// </remarks>
public sealed class EventDecoder
{
    /// <summary>The default nesting limit (objects and arrays) for a message.</summary>
    public const int DefaultMaxDepth = 32;

    // Ignored property names learned per object, so that their position in the message is predicted too.
    private const int MaxLearnedNames = 64;

    private static readonly SearchValues<byte> StringStops = SearchValues.Create(
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, (byte)'"', (byte)'\\']);

    private static readonly double[] PowersOfTen =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    private readonly Node _root = new([]);
    private readonly byte[] _modelUtf8;
    private readonly int _maxDepth;
    private readonly byte[] _nameBuffer = new byte[1024];
    private string? _lastVersion;
    private byte[] _lastVersionUtf8 = [];

    /// <summary>Compiles a decoder for <paramref name="schema"/>.</summary>
    public EventDecoder(EventSchema schema, int maxDepth = DefaultMaxDepth)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDepth, 2);
        Schema = schema;
        _maxDepth = maxDepth;
        _modelUtf8 = Encoding.UTF8.GetBytes(schema.Model);
        Add(schema.TimestampPath).Special = Special.Timestamp;
        if (schema.EventIdPath is not null)
        {
            Add(schema.EventIdPath).Special = Special.EventId;
        }

        if (schema.ModelPath is not null)
        {
            Add(schema.ModelPath).Special = Special.Model;
        }

        if (schema.VersionPath is not null)
        {
            Add(schema.VersionPath).Special = Special.Version;
        }

        for (int i = 0; i < schema.NumericPaths.Count; i++)
        {
            Add(schema.NumericPaths[i]).AddNumericSlot(i);
        }

        for (int i = 0; i < schema.CategoricalPaths.Count; i++)
        {
            Add(schema.CategoricalPaths[i]).AddCategoricalSlot(i);
        }
    }

    /// <summary>The schema this decoder follows.</summary>
    public EventSchema Schema { get; }

    /// <summary>A fresh output buffer sized for this schema.</summary>
    public DecodedEvent CreateBuffer() => new(Schema.NumericPaths.Count, Schema.CategoricalPaths.Count);

    /// <summary>Decodes <paramref name="json"/> into <paramref name="output"/> (which is reset first).</summary>
    public DecodeOutcome Decode(ReadOnlySpan<byte> json, DecodedEvent output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Reset();
        if (!Utf8.IsValid(json))
        {
            return DecodeOutcome.InvalidJson;
        }

        var state = new DecodeState();
        int pos = SkipWhitespace(json, 0);
        if (pos == json.Length)
        {
            return DecodeOutcome.InvalidJson;
        }

        if (json[pos] == (byte)'[')
        {
            return DecodeOutcome.NotAnObject;
        }

        if (json[pos] != (byte)'{')
        {
            var skipped = SkipValue(json, ref pos, 0);
            return skipped == DecodeOutcome.Ok
                ? SkipWhitespace(json, pos) == json.Length ? DecodeOutcome.NotAnObject : DecodeOutcome.InvalidJson
                : skipped;
        }

        var outcome = ReadObject(json, ref pos, _root, output, ref state, 0);
        if (outcome != DecodeOutcome.Ok)
        {
            return outcome;
        }

        if (SkipWhitespace(json, pos) != json.Length)
        {
            return DecodeOutcome.InvalidJson; // trailing content after the object
        }

        if (Schema.ModelPath is not null && !state.ModelSeen)
        {
            return DecodeOutcome.MissingModel;
        }

        if (!state.TimestampSeen && Schema.RequireTimestamp)
        {
            return DecodeOutcome.BadTimestamp;
        }

        if (Schema.RequireEventId && output.EventId is null)
        {
            return DecodeOutcome.MissingEventId;
        }

        return DecodeOutcome.Ok;
    }

    // json[pos] is '{'. On success pos is just past the matching '}'.
    private DecodeOutcome ReadObject(ReadOnlySpan<byte> json, ref int pos, Node node, DecodedEvent output, ref DecodeState state, int depth)
    {
        if (depth >= _maxDepth)
        {
            return DecodeOutcome.TooDeep;
        }

        if (OpensEmpty(json, ref pos, (byte)'}'))
        {
            return DecodeOutcome.Ok;
        }

        bool atStart = true;
        Node? previous = null;
        Node? predicted = node.FirstSeen;
        while (true)
        {
            if (pos >= json.Length || json[pos] != (byte)'"')
            {
                return DecodeOutcome.InvalidJson;
            }

            int nameStart = pos + 1;
            Node? child;
            if (predicted is not null && IsNameAt(json, nameStart, predicted))
            {
                // The name expected here: its bytes, then the closing quote. A plain name holds no quote, backslash
                // or control character, so this is exactly the string ScanString would have read.
                child = predicted;
                pos = nameStart + predicted.Name.Length + 1;
            }
            else
            {
                if (!ScanString(json, ref pos, out bool escaped))
                {
                    return DecodeOutcome.InvalidJson;
                }

                var name = json[nameStart..(pos - 1)];
                child = escaped ? FindEscaped(json[(nameStart - 1)..pos], node) : node.Find(name, learn: true);
                if (child is not null)
                {
                    if (atStart)
                    {
                        node.FirstSeen = child;
                    }
                    else if (previous is not null)
                    {
                        previous.NextSeen = child;
                    }
                }
            }

            atStart = false;
            previous = child;
            predicted = child?.NextSeen;

            if (!SkipColon(json, ref pos))
            {
                return DecodeOutcome.InvalidJson;
            }

            DecodeOutcome outcome;
            if (child is null || child.IsIgnored)
            {
                outcome = SkipValue(json, ref pos, depth + 1);
            }
            else if (json[pos] == (byte)'{' && child.HasChildren)
            {
                outcome = ReadObject(json, ref pos, child, output, ref state, depth + 1);
            }
            else
            {
                outcome = ReadLeaf(json, ref pos, child, output, ref state, depth + 1);
            }

            if (outcome != DecodeOutcome.Ok)
            {
                return outcome;
            }

            switch (AfterValue(json, ref pos, (byte)'}'))
            {
                case Separator.Comma:
                    continue;
                case Separator.Close:
                    return DecodeOutcome.Ok;
                default:
                    return DecodeOutcome.InvalidJson;
            }
        }
    }

    // A value at a field the schema names. json[pos] is the value's first byte; on success pos is just past it.
    private DecodeOutcome ReadLeaf(ReadOnlySpan<byte> json, ref int pos, Node node, DecodedEvent output, ref DecodeState state, int depth)
    {
        var value = default(Value);
        int start = pos;
        byte first = json[pos];
        switch (first)
        {
            case (byte)'"':
                if (!ScanString(json, ref pos, out value.Escaped))
                {
                    return DecodeOutcome.InvalidJson;
                }

                value.Kind = ValueKind.String;
                break;
            case (byte)'{':
            case (byte)'[':
                if (depth >= _maxDepth)
                {
                    return DecodeOutcome.TooDeep;
                }

                value.Kind = ValueKind.Container;
                break;
            case (byte)'t':
                value.Kind = ValueKind.True;
                if (!ScanLiteral(json, ref pos, "true"u8))
                {
                    return DecodeOutcome.InvalidJson;
                }

                break;
            case (byte)'f':
                value.Kind = ValueKind.False;
                if (!ScanLiteral(json, ref pos, "false"u8))
                {
                    return DecodeOutcome.InvalidJson;
                }

                break;
            case (byte)'n':
                value.Kind = ValueKind.Null;
                if (!ScanLiteral(json, ref pos, "null"u8))
                {
                    return DecodeOutcome.InvalidJson;
                }

                break;
            default:
                value.Kind = ValueKind.Number;
                if (!ScanNumber(json, ref pos, out value.Number) || !EndsValue(json, pos))
                {
                    return DecodeOutcome.InvalidJson;
                }

                break;
        }

        // The token itself: a string with its quotes, a number's text, or the container's first byte.
        var token = value.Kind == ValueKind.Container ? json.Slice(start, 1) : json[start..pos];
        if (node.Special != Special.None)
        {
            var outcome = ReadSpecial(node.Special, token, in value, output, ref state);
            if (outcome != DecodeOutcome.Ok)
            {
                return outcome;
            }
        }

        foreach (int slot in node.NumericSlots)
        {
            switch (value.Kind)
            {
                case ValueKind.Null:
                    output.NumericState[slot] = FieldState.Missing;
                    break;
                case ValueKind.Number when double.IsFinite(value.Number):
                    output.Numeric[slot] = value.Number;
                    output.NumericState[slot] = FieldState.Present;
                    break;
                default:
                    output.NumericState[slot] = FieldState.TypeError;
                    break;
            }
        }

        foreach (int slot in node.CategoricalSlots)
        {
            output.CategoricalState[slot] = ReadCategory(token, in value, output, slot);
        }

        return value.Kind == ValueKind.Container ? SkipValue(json, ref pos, depth) : DecodeOutcome.Ok;
    }

    private DecodeOutcome ReadSpecial(Special special, ReadOnlySpan<byte> token, in Value value, DecodedEvent output, ref DecodeState state)
    {
        switch (special)
        {
            case Special.Timestamp:
                if (!TryReadTimestamp(token, in value, out var ts))
                {
                    return DecodeOutcome.BadTimestamp;
                }

                output.Timestamp = ts;
                state.TimestampSeen = true;
                break;
            case Special.EventId:
                output.EventId = value.Kind switch
                {
                    ValueKind.String when !value.Escaped => Encoding.UTF8.GetString(token[1..^1]),
                    ValueKind.String => UnescapeString(token),
                    ValueKind.Number => Encoding.UTF8.GetString(token),
                    _ => null,
                };
                break;
            case Special.Model:
                if (value.Kind != ValueKind.String)
                {
                    return DecodeOutcome.MissingModel;
                }

                if (value.Escaped ? !EscapedEquals(token, _modelUtf8) : !token[1..^1].SequenceEqual(_modelUtf8))
                {
                    return DecodeOutcome.OtherModel;
                }

                state.ModelSeen = true;
                break;
            case Special.Version:
                output.ModelVersion = ReadVersion(token, in value);
                break;
        }

        return DecodeOutcome.Ok;
    }

    private static FieldState ReadCategory(ReadOnlySpan<byte> token, in Value value, DecodedEvent output, int slot)
    {
        var buffer = output.CategoryBuffer(slot);
        switch (value.Kind)
        {
            case ValueKind.Null:
                return FieldState.Missing;
            case ValueKind.String when value.Escaped:
                return ReadEscapedCategory(token, output, slot);
            case ValueKind.String:
                var text = token[1..^1];
                if (text.Length > DecodedEvent.MaxCategoryLength * 3)
                {
                    return FieldState.TypeError;
                }

                if (Utf8.ToUtf16(text, buffer, out _, out int written) != OperationStatus.Done)
                {
                    return FieldState.TypeError; // longer than MaxCategoryLength
                }

                output.SetCategoryLength(slot, written);
                return FieldState.Present;
            case ValueKind.Number:
            case ValueKind.True:
            case ValueKind.False:
                if (token.Length > buffer.Length)
                {
                    return FieldState.TypeError;
                }

                output.SetCategoryLength(slot, Encoding.UTF8.GetChars(token, buffer));
                return FieldState.Present;
            default:
                return FieldState.TypeError;
        }
    }

    private static FieldState ReadEscapedCategory(ReadOnlySpan<byte> token, DecodedEvent output, int slot)
    {
        var reader = TokenReader(token);
        try
        {
            output.SetCategoryLength(slot, reader.CopyString(output.CategoryBuffer(slot)));
            return FieldState.Present;
        }
        catch (ArgumentException)
        {
            return FieldState.TypeError; // longer than MaxCategoryLength
        }
        catch (InvalidOperationException)
        {
            return FieldState.TypeError; // an escaped lone surrogate: not text
        }
    }

    private string? ReadVersion(ReadOnlySpan<byte> token, in Value value)
    {
        if (value.Kind is not (ValueKind.String or ValueKind.Number))
        {
            return null;
        }

        // Versions rarely change: reuse the last string when the raw bytes match (a string's or a number's),
        // so this allocates once per version.
        var raw = value.Kind == ValueKind.String ? token[1..^1] : token;
        if (_lastVersion is not null && !value.Escaped && raw.SequenceEqual(_lastVersionUtf8))
        {
            return _lastVersion;
        }

        if (value.Escaped)
        {
            return UnescapeString(token); // not cached: its raw bytes are not its text
        }

        _lastVersion = Encoding.UTF8.GetString(raw);
        _lastVersionUtf8 = raw.ToArray();
        return _lastVersion;
    }

    private static bool TryReadTimestamp(ReadOnlySpan<byte> token, in Value value, out DateTimeOffset timestamp)
    {
        timestamp = default;
        if (value.Kind == ValueKind.String)
        {
            if (!value.Escaped && TryReadUtcTimestamp(token[1..^1], out timestamp))
            {
                return true;
            }

            var reader = TokenReader(token);
            if (reader.TryGetDateTimeOffset(out timestamp))
            {
                return true;
            }

            // Utf8JsonReader accepts ISO 8601-1 extended; also take the common "2026-11-28 06:00:00Z" form.
            Span<char> chars = stackalloc char[64];
            if (reader.ValueSpan.Length > chars.Length)
            {
                return false;
            }

            int n = Encoding.UTF8.GetChars(reader.ValueSpan, chars);
            return DateTimeOffset.TryParse(chars[..n], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out timestamp);
        }

        if (value.Kind == ValueKind.Number && Utf8Parser.TryParse(token, out long millis, out int consumed) && consumed == token.Length)
        {
            if (millis < -62135596800000L || millis > 253402300799999L)
            {
                return false;
            }

            timestamp = DateTimeOffset.FromUnixTimeMilliseconds(millis);
            return true;
        }

        return false;
    }

    /// <summary>
    /// The form producers write almost always, <c>yyyy-MM-ddTHH:mm:ss[.f{1,7}]Z</c>, read directly. Anything
    /// else (offsets, other precisions, out-of-range parts) is left to <see cref="Utf8JsonReader"/>, which
    /// gives the same value for every text accepted here.
    /// </summary>
    private static bool TryReadUtcTimestamp(ReadOnlySpan<byte> s, out DateTimeOffset timestamp)
    {
        timestamp = default;
        if (s.Length < 20 || s.Length > 28 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[^1] != 'Z')
        {
            return false;
        }

        if (!Digits(s, 0, 4, out int year) || !Digits(s, 5, 2, out int month) || !Digits(s, 8, 2, out int day)
            || !Digits(s, 11, 2, out int hour) || !Digits(s, 14, 2, out int minute) || !Digits(s, 17, 2, out int second))
        {
            return false;
        }

        long fraction = 0;
        if (s.Length > 20)
        {
            int digits = s.Length - 21;
            if (s[19] != '.' || digits < 1 || !Digits(s, 20, digits, out int f))
            {
                return false;
            }

            fraction = f;
            for (int i = digits; i < 7; i++)
            {
                fraction *= 10;
            }
        }
        else if (s[19] != 'Z')
        {
            return false;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        long ticks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).Ticks + fraction;
        timestamp = new DateTimeOffset(ticks, TimeSpan.Zero);
        return true;
    }

    private static bool Digits(ReadOnlySpan<byte> s, int start, int count, out int value)
    {
        value = 0;
        for (int i = start; i < start + count; i++)
        {
            uint d = (uint)(s[i] - '0');
            if (d > 9)
            {
                return false;
            }

            value = (value * 10) + (int)d;
        }

        return true;
    }

    // Skips (and validates) one value starting at json[pos]; depth is the depth a container here would have.
    private DecodeOutcome SkipValue(ReadOnlySpan<byte> json, ref int pos, int depth)
    {
        switch (json[pos])
        {
            case (byte)'"':
                return ScanString(json, ref pos, out _) ? DecodeOutcome.Ok : DecodeOutcome.InvalidJson;
            case (byte)'t':
                return ScanLiteral(json, ref pos, "true"u8) && EndsValue(json, pos, depth == 0) ? DecodeOutcome.Ok : DecodeOutcome.InvalidJson;
            case (byte)'f':
                return ScanLiteral(json, ref pos, "false"u8) && EndsValue(json, pos, depth == 0) ? DecodeOutcome.Ok : DecodeOutcome.InvalidJson;
            case (byte)'n':
                return ScanLiteral(json, ref pos, "null"u8) && EndsValue(json, pos, depth == 0) ? DecodeOutcome.Ok : DecodeOutcome.InvalidJson;
            case (byte)'{':
            case (byte)'[':
                return SkipContainer(json, ref pos, depth);
            default:
                return ScanNumber(json, ref pos, out _) && EndsValue(json, pos, depth == 0) ? DecodeOutcome.Ok : DecodeOutcome.InvalidJson;
        }
    }

    private DecodeOutcome SkipContainer(ReadOnlySpan<byte> json, ref int pos, int depth)
    {
        if (depth >= _maxDepth)
        {
            return DecodeOutcome.TooDeep;
        }

        bool isObject = json[pos] == (byte)'{';
        byte close = isObject ? (byte)'}' : (byte)']';
        if (OpensEmpty(json, ref pos, close))
        {
            return DecodeOutcome.Ok;
        }

        while (true)
        {
            if (pos >= json.Length)
            {
                return DecodeOutcome.InvalidJson;
            }

            if (isObject)
            {
                if (json[pos] != (byte)'"' || !ScanString(json, ref pos, out _))
                {
                    return DecodeOutcome.InvalidJson;
                }

                if (!SkipColon(json, ref pos))
                {
                    return DecodeOutcome.InvalidJson;
                }
            }

            var inner = SkipValue(json, ref pos, depth + 1);
            if (inner != DecodeOutcome.Ok)
            {
                return inner;
            }

            switch (AfterValue(json, ref pos, close))
            {
                case Separator.Comma:
                    continue;
                case Separator.Close:
                    return DecodeOutcome.Ok;
                default:
                    return DecodeOutcome.InvalidJson;
            }
        }
    }

    // json[pos] is '"'. On success pos is just past the closing quote.
    private static bool ScanString(ReadOnlySpan<byte> json, ref int pos, out bool escaped)
    {
        escaped = false;
        int p = pos + 1;
        while (true)
        {
            int i = json[p..].IndexOfAny(StringStops);
            if (i < 0)
            {
                return false;
            }

            p += i;
            byte c = json[p];
            if (c == (byte)'"')
            {
                pos = p + 1;
                return true;
            }

            if (c != (byte)'\\' || p + 1 >= json.Length)
            {
                return false; // a control character, or an escape cut off
            }

            escaped = true;
            switch (json[p + 1])
            {
                case (byte)'"':
                case (byte)'\\':
                case (byte)'/':
                case (byte)'b':
                case (byte)'f':
                case (byte)'n':
                case (byte)'r':
                case (byte)'t':
                    p += 2;
                    break;
                case (byte)'u':
                    if (p + 6 > json.Length || !IsHex(json[p + 2]) || !IsHex(json[p + 3]) || !IsHex(json[p + 4]) || !IsHex(json[p + 5]))
                    {
                        return false;
                    }

                    p += 6;
                    break;
                default:
                    return false;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsNameAt(ReadOnlySpan<byte> json, int start, Node node)
    {
        var name = node.Name;
        int end = start + name.Length;
        return node.IsPlain && end < json.Length && json[end] == (byte)'"' && json.Slice(start, name.Length).SequenceEqual(name);
    }

    /// <summary>
    /// A number must be followed by whitespace, a comma or a closing bracket, and inside a container the message
    /// cannot end right after it (Utf8JsonReader rejects both when it reads the number; a literal's end it checks
    /// with the next token, which a skipped value also meets here).
    /// </summary>
    private static bool EndsValue(ReadOnlySpan<byte> json, int pos, bool topLevel = false)
    {
        if (pos >= json.Length)
        {
            return topLevel;
        }

        return json[pos] is (byte)',' or (byte)'}' or (byte)']' or (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t';
    }

    private static bool IsHex(byte b) => char.IsAsciiHexDigit((char)b);

    private static bool ScanLiteral(ReadOnlySpan<byte> json, ref int pos, ReadOnlySpan<byte> literal)
    {
        if (!json[pos..].StartsWith(literal))
        {
            return false;
        }

        pos += literal.Length;
        return true;
    }

    /// <summary>
    /// Validates a JSON number at json[pos] (RFC 8259 §6) and converts it. Exact: when the significant digits fit
    /// in 2^53 and the decimal exponent in ±22, one IEEE multiplication or division of two exact doubles is
    /// correctly rounded (Clinger); otherwise the runtime's correctly rounded parser reads the text. Overflow
    /// gives ±Infinity, which callers count as a type error.
    /// </summary>
    private static bool ScanNumber(ReadOnlySpan<byte> json, ref int pos, out double value)
    {
        value = 0;
        int p = pos;
        bool negative = false;
        if (p < json.Length && json[p] == (byte)'-')
        {
            negative = true;
            p++;
        }

        if (p >= json.Length)
        {
            return false;
        }

        ulong mantissa = 0;
        int digits = 0;
        int exponent = 0;
        bool inexact = false;
        uint d = (uint)(json[p] - '0');
        if (d == 0)
        {
            p++;
        }
        else if (d <= 9)
        {
            do
            {
                if (digits < 19)
                {
                    mantissa = (mantissa * 10) + d;
                    digits++;
                }
                else
                {
                    exponent++;
                    inexact = true;
                }

                p++;
            }
            while (p < json.Length && (d = (uint)(json[p] - '0')) <= 9);
        }
        else
        {
            return false;
        }

        if (p < json.Length && json[p] == (byte)'.')
        {
            p++;
            if (p >= json.Length || (d = (uint)(json[p] - '0')) > 9)
            {
                return false;
            }

            do
            {
                if (digits < 19)
                {
                    if (d != 0 || mantissa != 0)
                    {
                        mantissa = (mantissa * 10) + d;
                        digits++;
                    }

                    exponent--;
                }
                else
                {
                    inexact = true;
                }

                p++;
            }
            while (p < json.Length && (d = (uint)(json[p] - '0')) <= 9);
        }

        if (p < json.Length && (json[p] | 0x20) == (byte)'e')
        {
            p++;
            bool negativeExponent = false;
            if (p < json.Length && json[p] is (byte)'+' or (byte)'-')
            {
                negativeExponent = json[p] == (byte)'-';
                p++;
            }

            if (p >= json.Length || (d = (uint)(json[p] - '0')) > 9)
            {
                return false;
            }

            int e = 0;
            do
            {
                if (e < 100_000)
                {
                    e = (e * 10) + (int)d;
                }

                p++;
            }
            while (p < json.Length && (d = (uint)(json[p] - '0')) <= 9);
            exponent += negativeExponent ? -e : e;
        }

        if (!inexact && mantissa <= (1UL << 53) && exponent is >= -22 and <= 22)
        {
            double m = mantissa;
            value = exponent < 0 ? m / PowersOfTen[-exponent] : m * PowersOfTen[exponent];
            if (negative)
            {
                value = -value;
            }
        }
        else
        {
            value = ParseSlow(json[pos..p]);
        }

        pos = p;
        return true;
    }

    // What Utf8JsonReader.TryGetDouble does with the same text: correctly rounded, ±Infinity on overflow.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double ParseSlow(ReadOnlySpan<byte> text) =>
        Utf8Parser.TryParse(text, out double value, out int consumed, text.IndexOfAny((byte)'e', (byte)'E') >= 0 ? 'e' : default) && consumed == text.Length
            ? value
            : double.NaN;

    // json[pos] opens a container; true (pos past the close) when it is empty, else pos is at its first member.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool OpensEmpty(ReadOnlySpan<byte> json, ref int pos, byte close)
    {
        pos = SkipWhitespace(json, pos + 1);
        if (pos < json.Length && json[pos] == close)
        {
            pos++;
            return true;
        }

        return false;
    }

    // After a member's name: whitespace, ':', whitespace, and a value must follow.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool SkipColon(ReadOnlySpan<byte> json, ref int pos)
    {
        pos = SkipWhitespace(json, pos);
        if (pos >= json.Length || json[pos] != (byte)':')
        {
            return false;
        }

        pos = SkipWhitespace(json, pos + 1);
        return pos < json.Length;
    }

    // After a member or element: a comma (pos at the next one) or the container's close (pos past it).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Separator AfterValue(ReadOnlySpan<byte> json, ref int pos, byte close)
    {
        pos = SkipWhitespace(json, pos);
        if (pos < json.Length)
        {
            if (json[pos] == (byte)',')
            {
                pos = SkipWhitespace(json, pos + 1);
                return Separator.Comma;
            }

            if (json[pos] == close)
            {
                pos++;
                return Separator.Close;
            }
        }

        return Separator.Invalid;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SkipWhitespace(ReadOnlySpan<byte> json, int pos)
    {
        while (pos < json.Length)
        {
            byte b = json[pos];
            if (b > (byte)' ' || (b != (byte)' ' && b != (byte)'\n' && b != (byte)'\r' && b != (byte)'\t'))
            {
                break;
            }

            pos++;
        }

        return pos;
    }

    // A reader over one already validated string token (quotes included), for the rare escaped forms.
    private static Utf8JsonReader TokenReader(ReadOnlySpan<byte> token)
    {
        var reader = new Utf8JsonReader(token);
        reader.Read();
        return reader;
    }

    private static string? UnescapeString(ReadOnlySpan<byte> token)
    {
        try
        {
            return TokenReader(token).GetString();
        }
        catch (InvalidOperationException)
        {
            return null; // an escaped lone surrogate: not text
        }
    }

    private static bool EscapedEquals(ReadOnlySpan<byte> token, ReadOnlySpan<byte> expected)
    {
        var reader = TokenReader(token);
        return reader.ValueTextEquals(expected);
    }

    private Node? FindEscaped(ReadOnlySpan<byte> token, Node node)
    {
        var reader = TokenReader(token);
        int length;
        try
        {
            length = reader.CopyString(_nameBuffer);
        }
        catch (ArgumentException)
        {
            return null; // longer than any name a schema holds
        }
        catch (InvalidOperationException)
        {
            return null;
        }

        return node.Find(_nameBuffer.AsSpan(0, length), learn: false);
    }

    private Node Add(FieldPath path)
    {
        var node = _root;
        foreach (string segment in path.Segments)
        {
            node = node.Child(segment);
        }

        if (node.HasChildren)
        {
            throw new ArgumentException($"Field path '{path}' is a prefix of another field path; a field cannot be both a value and an object.", nameof(path));
        }

        return node;
    }

    private enum Special : byte
    {
        None,
        Timestamp,
        EventId,
        Model,
        Version,
    }

    private enum Separator : byte
    {
        Invalid,
        Comma,
        Close,
    }

    private enum ValueKind : byte
    {
        Null,
        True,
        False,
        Number,
        String,
        Container,
    }

    private struct Value
    {
        public ValueKind Kind;
        public bool Escaped;
        public double Number;
    }

    private struct DecodeState
    {
        public bool TimestampSeen;
        public bool ModelSeen;
    }

    private sealed class Node(byte[] name)
    {
        private Node[] _children = [];
        private int[] _table = [];
        private int _learned;
        private int _schemaChildren;

        /// <summary>The property name, UTF-8.</summary>
        public byte[] Name { get; } = name;

        /// <summary>The name needs no escaping in JSON: no quote, backslash or control character.</summary>
        public bool IsPlain { get; } = !name.AsSpan().ContainsAny(StringStops);

        /// <summary>A name seen in messages but not in the schema: its value is skipped.</summary>
        public bool IsIgnored { get; private init; }

        public bool HasChildren => _schemaChildren > 0;

        /// <summary>The child that came first in the last object read here.</summary>
        public Node? FirstSeen { get; set; }

        /// <summary>The sibling that followed this one last time.</summary>
        public Node? NextSeen { get; set; }

        public Special Special { get; set; }

        public int[] NumericSlots { get; private set; } = [];

        public int[] CategoricalSlots { get; private set; } = [];

        public void AddNumericSlot(int slot) => NumericSlots = [.. NumericSlots, slot];

        public void AddCategoricalSlot(int slot) => CategoricalSlots = [.. CategoricalSlots, slot];

        public Node Child(string name)
        {
            if (Special != Special.None || NumericSlots.Length > 0 || CategoricalSlots.Length > 0)
            {
                throw new ArgumentException($"Field '{name}' sits under a path that is itself a value.");
            }

            var utf8 = Encoding.UTF8.GetBytes(name);
            if (Find(utf8, learn: false) is { } existing)
            {
                return existing;
            }

            _schemaChildren++;
            return Insert(new Node(utf8));
        }

        /// <summary>The child named <paramref name="name"/>; with <paramref name="learn"/>, an unknown name
        /// becomes an ignored child (up to a bound) so that its place in the message is remembered.</summary>
        public Node? Find(ReadOnlySpan<byte> name, bool learn)
        {
            if (_table.Length > 0)
            {
                int mask = _table.Length - 1;
                for (int i = Hash(name) & mask; _table[i] != 0; i = (i + 1) & mask)
                {
                    var candidate = _children[_table[i] - 1];
                    if (name.SequenceEqual(candidate.Name))
                    {
                        return candidate;
                    }
                }
            }

            // Only objects the schema descends into learn names; a leaf's ignored values are skipped whole.
            if (!learn || _learned >= MaxLearnedNames || !HasChildren)
            {
                return null;
            }

            _learned++;
            return Insert(new Node(name.ToArray()) { IsIgnored = true });
        }

        private Node Insert(Node child)
        {
            _children = [.. _children, child];
            int size = 8;
            while (size < _children.Length * 2)
            {
                size *= 2;
            }

            _table = new int[size];
            for (int c = 0; c < _children.Length; c++)
            {
                int i = Hash(_children[c].Name) & (size - 1);
                while (_table[i] != 0)
                {
                    i = (i + 1) & (size - 1);
                }

                _table[i] = c + 1;
            }

            return child;
        }

        private static int Hash(ReadOnlySpan<byte> name)
        {
            var hash = default(HashCode);
            hash.AddBytes(name);
            return hash.ToHashCode() & int.MaxValue;
        }
    }
}
