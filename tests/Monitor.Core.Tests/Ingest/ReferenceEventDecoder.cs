using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;

using Monitor.Core.Ingest;

namespace Monitor.Core.Tests.Ingest;

/// <summary>
/// The Utf8JsonReader-based decoder Monitor used before its own scanner, kept as the oracle of the differential
/// tests (EventDecoderDifferentialTests). Decodes one UTF-8 JSON message straight from its bytes into a <see cref="DecodedEvent"/>, following the
/// field paths of an <see cref="EventSchema"/>. One pass, no DOM, no per-event allocation except the event id.
/// </summary>
/// <remarks>
/// Field rules (the event contract in the README): JSON null or an absent field is <em>missing</em>; a numeric
/// field that is not a JSON number, or whose number is not finite as a double, is a <em>type error</em>; a
/// categorical field accepts strings, and numbers and booleans by their JSON text (so int-coded categories work);
/// objects and arrays are type errors. NaN and Infinity literals are not JSON: such a message is invalid JSON and
/// goes to the dead-letter topic with that reason. Unknown fields are ignored.
/// </remarks>
internal sealed class ReferenceEventDecoder
{
    /// <summary>The default nesting limit (objects and arrays) for a message.</summary>
    public const int DefaultMaxDepth = 32;

    private readonly Node _root = new();
    private readonly byte[] _modelUtf8;
    private readonly int _maxDepth;
    private readonly char[] _nameBuffer = new char[256];
    private string? _lastVersion;
    private byte[] _lastVersionUtf8 = [];

    /// <summary>Compiles a decoder for <paramref name="schema"/>.</summary>
    public ReferenceEventDecoder(EventSchema schema, int maxDepth = DefaultMaxDepth)
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
            Add(schema.NumericPaths[i]).NumericSlots.Add(i);
        }

        for (int i = 0; i < schema.CategoricalPaths.Count; i++)
        {
            Add(schema.CategoricalPaths[i]).CategoricalSlots.Add(i);
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
        var state = new DecodeState();
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = _maxDepth + 1 });
        try
        {
            if (!reader.Read())
            {
                return DecodeOutcome.InvalidJson;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return DecodeOutcome.NotAnObject;
            }

            var outcome = ReadObject(ref reader, _root, output, ref state);
            if (outcome != DecodeOutcome.Ok)
            {
                return outcome;
            }

            if (reader.Read())
            {
                return DecodeOutcome.InvalidJson; // trailing content after the object
            }
        }
        catch (JsonException)
        {
            return reader.CurrentDepth >= _maxDepth ? DecodeOutcome.TooDeep : DecodeOutcome.InvalidJson;
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

    private DecodeOutcome ReadObject(ref Utf8JsonReader reader, Node node, DecodedEvent output, ref DecodeState state)
    {
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                return DecodeOutcome.Ok;
            }

            Node? child = FindChild(ref reader, node);
            if (!reader.Read())
            {
                return DecodeOutcome.InvalidJson;
            }

            var token = reader.TokenType;
            if (token is JsonTokenType.StartObject or JsonTokenType.StartArray && reader.CurrentDepth >= _maxDepth)
            {
                return DecodeOutcome.TooDeep;
            }

            if (child is null)
            {
                if (!SkipValue(ref reader))
                {
                    return DecodeOutcome.TooDeep;
                }

                continue;
            }

            if (token == JsonTokenType.StartObject && child.Children is not null)
            {
                var inner = ReadObject(ref reader, child, output, ref state);
                if (inner != DecodeOutcome.Ok)
                {
                    return inner;
                }

                continue;
            }

            var outcome = ReadLeaf(ref reader, child, output, ref state);
            if (outcome != DecodeOutcome.Ok)
            {
                return outcome;
            }

            if (token is JsonTokenType.StartObject or JsonTokenType.StartArray && !SkipValue(ref reader))
            {
                return DecodeOutcome.TooDeep;
            }
        }

        return DecodeOutcome.InvalidJson;
    }

    private DecodeOutcome ReadLeaf(ref Utf8JsonReader reader, Node node, DecodedEvent output, ref DecodeState state)
    {
        var token = reader.TokenType;
        switch (node.Special)
        {
            case Special.Timestamp:
                if (!TryReadTimestamp(ref reader, out var ts))
                {
                    return DecodeOutcome.BadTimestamp;
                }

                output.Timestamp = ts;
                state.TimestampSeen = true;
                break;
            case Special.EventId:
                output.EventId = token switch
                {
                    JsonTokenType.String => reader.GetString(),
                    JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
                    _ => null,
                };
                break;
            case Special.Model:
                if (token != JsonTokenType.String)
                {
                    return DecodeOutcome.MissingModel;
                }

                if (!reader.ValueTextEquals(_modelUtf8))
                {
                    return DecodeOutcome.OtherModel;
                }

                state.ModelSeen = true;
                break;
            case Special.Version:
                output.ModelVersion = ReadVersion(ref reader);
                break;
            case Special.None:
                break;
        }

        foreach (int slot in node.NumericSlots)
        {
            if (token == JsonTokenType.Null)
            {
                output.NumericState[slot] = FieldState.Missing;
            }
            else if (token == JsonTokenType.Number && reader.TryGetDouble(out double v) && double.IsFinite(v))
            {
                output.Numeric[slot] = v;
                output.NumericState[slot] = FieldState.Present;
            }
            else
            {
                output.NumericState[slot] = FieldState.TypeError;
            }
        }

        foreach (int slot in node.CategoricalSlots)
        {
            output.CategoricalState[slot] = ReadCategory(ref reader, output, slot);
        }

        return DecodeOutcome.Ok;
    }

    private static FieldState ReadCategory(ref Utf8JsonReader reader, DecodedEvent output, int slot)
    {
        var buffer = output.CategoryBuffer(slot);
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return FieldState.Missing;
            case JsonTokenType.String:
                if (reader.ValueSpan.Length > DecodedEvent.MaxCategoryLength * 3 && !reader.ValueIsEscaped)
                {
                    return FieldState.TypeError;
                }

                try
                {
                    output.SetCategoryLength(slot, reader.CopyString(buffer));
                    return FieldState.Present;
                }
                catch (ArgumentException)
                {
                    return FieldState.TypeError; // longer than MaxCategoryLength
                }

            case JsonTokenType.Number:
            case JsonTokenType.True:
            case JsonTokenType.False:
                var raw = reader.ValueSpan;
                if (raw.Length > buffer.Length)
                {
                    return FieldState.TypeError;
                }

                output.SetCategoryLength(slot, Encoding.UTF8.GetChars(raw, buffer));
                return FieldState.Present;
            default:
                return FieldState.TypeError;
        }
    }

    private string? ReadVersion(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.Number))
        {
            return null;
        }

        // Versions rarely change: reuse the last string when the raw bytes match (a string's or a number's),
        // so this allocates once per version.
        if (_lastVersion is not null && !reader.ValueIsEscaped && reader.ValueSpan.SequenceEqual(_lastVersionUtf8))
        {
            return _lastVersion;
        }

        // (Fixed in the oracle as in the scanner: an escaped version used to be cached under empty bytes, so a
        // later empty version read as the escaped one.)
        if (reader.ValueIsEscaped)
        {
            return reader.GetString();
        }

        _lastVersion = reader.TokenType == JsonTokenType.String ? reader.GetString() : Encoding.UTF8.GetString(reader.ValueSpan);
        _lastVersionUtf8 = reader.ValueSpan.ToArray();
        return _lastVersion;
    }

    private static bool TryReadTimestamp(ref Utf8JsonReader reader, out DateTimeOffset timestamp)
    {
        timestamp = default;
        if (reader.TokenType == JsonTokenType.String)
        {
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

        if (reader.TokenType == JsonTokenType.Number && Utf8Parser.TryParse(reader.ValueSpan, out long millis, out int consumed) && consumed == reader.ValueSpan.Length)
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

    private bool SkipValue(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            return true;
        }

        int depth = reader.CurrentDepth;
        while (reader.Read())
        {
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && reader.CurrentDepth >= _maxDepth)
            {
                return false;
            }

            if (reader.CurrentDepth == depth && reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray)
            {
                return true;
            }
        }

        throw new JsonException("Unexpected end of data while skipping a value.");
    }

    private Node? FindChild(ref Utf8JsonReader reader, Node node)
    {
        if (node.Lookup is not { } lookup)
        {
            return null;
        }

        if (!reader.ValueIsEscaped && reader.ValueSpan.Length <= _nameBuffer.Length)
        {
            // Fast path: property names are ASCII in practice; transcode without unescaping.
            int n = Encoding.UTF8.GetChars(reader.ValueSpan, _nameBuffer);
            return lookup.TryGetValue(_nameBuffer.AsSpan(0, n), out var hit) ? hit : null;
        }

        int length = reader.HasValueSequence ? (int)reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (length > _nameBuffer.Length)
        {
            return null;
        }

        int written = reader.CopyString(_nameBuffer);
        return lookup.TryGetValue(_nameBuffer.AsSpan(0, written), out var found) ? found : null;
    }

    private Node Add(FieldPath path)
    {
        var node = _root;
        foreach (string segment in path.Segments)
        {
            node = node.Child(segment);
        }

        if (node.Children is not null)
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

    private struct DecodeState
    {
        public bool TimestampSeen;
        public bool ModelSeen;
    }

    private sealed class Node
    {
        public Dictionary<string, Node>? Children { get; private set; }

        public Dictionary<string, Node>.AlternateLookup<ReadOnlySpan<char>>? Lookup { get; private set; }

        public Special Special { get; set; }

        public List<int> NumericSlots { get; } = [];

        public List<int> CategoricalSlots { get; } = [];

        public Node Child(string name)
        {
            if (Special != Special.None || NumericSlots.Count > 0 || CategoricalSlots.Count > 0)
            {
                throw new ArgumentException($"Field '{name}' sits under a path that is itself a value.");
            }

            if (Children is null)
            {
                Children = new Dictionary<string, Node>(StringComparer.Ordinal);
                Lookup = Children.GetAlternateLookup<ReadOnlySpan<char>>();
            }

            if (!Children.TryGetValue(name, out var child))
            {
                child = new Node();
                Children[name] = child;
            }

            return child;
        }
    }
}
