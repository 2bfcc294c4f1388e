using System.Globalization;
using System.Text;
using System.Text.Unicode;
using Monitor.Core.Ingest;
using Xunit.Abstractions;

namespace Monitor.Core.Tests.Ingest;

/// <summary>
/// Monitor's own JSON scanner (<see cref="EventDecoder"/>) against the Utf8JsonReader-based decoder it replaced
/// (<see cref="ReferenceEventDecoder"/>), on generated messages: well-formed ones in every form the contract
/// allows and many malformed ones (random byte mutations). Both must agree on the outcome and on every decoded
/// value, bit for bit. The one intended difference: a message that is not valid UTF-8 is invalid JSON for the
/// scanner, while the reader only noticed invalid UTF-8 in the strings it decoded.
/// </summary>
public sealed class EventDecoderDifferentialTests(ITestOutputHelper output)
{
    private static readonly string[] Letters = ["a", "b", "DE", "FR", "é", "😀", "x y", "ü", "0", "-"];
    private static readonly byte[] Interesting = "\"\\{}[]:,0123456789eE.-+ tfnu\t\n\u0001/"u8.ToArray();

    private static EventSchema Schema()
    {
        var schema = new EventSchema("fraud", FieldPath.Parse("timestamp"), FieldPath.Parse("event_id"), FieldPath.Parse("model"), FieldPath.Parse("model_version"), requireEventId: true);
        schema.AddNumeric(FieldPath.Parse("features.amount"));
        schema.AddNumeric(FieldPath.Parse("features.age"));
        schema.AddNumeric(FieldPath.Parse("prediction.score"));
        schema.AddNumeric(FieldPath.Parse("features.code"));
        schema.AddCategorical(FieldPath.Parse("features.country"));
        schema.AddCategorical(FieldPath.Parse("prediction.label"));
        schema.AddCategorical(FieldPath.Parse("features.code"));
        return schema;
    }

    [Theory]
    [InlineData(1, 32)]
    [InlineData(2, 4)]
    [InlineData(3, 32)]
    public void Decode_GeneratedMessages_AgreesWithReaderBasedDecoder(int seed, int maxDepth)
    {
        var random = new Random(seed);
        var scanner = new EventDecoder(Schema(), maxDepth);
        var reference = new ReferenceEventDecoder(Schema(), maxDepth);
        var a = scanner.CreateBuffer();
        var b = reference.CreateBuffer();
        var outcomes = new Dictionary<DecodeOutcome, int>();
        int invalidUtf8 = 0;
        int referenceThrew = 0;
        int oracleGuessed = 0;
        for (int i = 0; i < 25_000; i++)
        {
            var message = Message(random, maxDepth);
            if (random.NextDouble() < 0.5)
            {
                message = Mutate(random, message);
            }

            var got = scanner.Decode(message, a);
            outcomes[got] = outcomes.GetValueOrDefault(got) + 1;
            DecodeOutcome expected;
            try
            {
                expected = reference.Decode(message, b);
            }
            catch (InvalidOperationException)
            {
                // The reader decoded a string that is not text (invalid UTF-8 or an escaped lone surrogate).
                referenceThrew++;
                Assert.True(got != DecodeOutcome.Ok || !Utf8.IsValid(message) || HasSurrogateEscape(message), $"case {i}: {Show(message)}");
                continue;
            }

            if (!Utf8.IsValid(message))
            {
                invalidUtf8++;
                Assert.Equal(DecodeOutcome.InvalidJson, got);
                continue;
            }

            if (FirstByte(message) != (byte)'{')
            {
                Assert.NotEqual(DecodeOutcome.Ok, got);
                Assert.NotEqual(DecodeOutcome.Ok, expected);
                continue;
            }

            if (OracleGuessedTooDeep(expected, got, message))
            {
                oracleGuessed++;
                continue;
            }

            Assert.True(expected == got, $"case {i}: scanner {got}, reader {expected}: {Show(message)}");
            if (got == DecodeOutcome.Ok)
            {
                AssertSame(b, a, i, message);
            }
        }

        output.WriteLine($"outcomes: {string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}"))}; invalid UTF-8 {invalidUtf8}; reader threw {referenceThrew}; reader's depth guess {oracleGuessed}");
        Assert.True(outcomes.GetValueOrDefault(DecodeOutcome.Ok) > 1_000, "too few valid messages generated to compare values");
        Assert.True(outcomes.GetValueOrDefault(DecodeOutcome.InvalidJson) > 2_000, "too few invalid messages generated");
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void Decode_NestingAroundTheLimit_AgreesWithReaderBasedDecoder(int maxDepth)
    {
        var scanner = new EventDecoder(Schema(), maxDepth);
        var reference = new ReferenceEventDecoder(Schema(), maxDepth);
        var results = new List<string>();
        for (int levels = 1; levels <= maxDepth + 2; levels++)
        {
            foreach (string inner in new[] { "", "1", "{}", "1,", "1}" })
            {
                foreach (string where in new[] { "extra", "features.unknown", "features.amount", "timestamp" })
                {
                    string nested = new string('[', levels) + inner + new string(']', levels);
                    string field = where switch
                    {
                        "features.unknown" => $"\"features\":{{\"unknown\":{nested}}}",
                        "features.amount" => $"\"features\":{{\"amount\":{nested}}}",
                        _ => $"\"{where}\":{nested}",
                    };
                    var message = Encoding.UTF8.GetBytes($"{{\"event_id\":\"a\",\"model\":\"fraud\",{field},\"timestamp\":\"2026-11-28T06:00:00Z\"}}");
                    var got = scanner.Decode(message, scanner.CreateBuffer());
                    var expected = reference.Decode(message, reference.CreateBuffer());
                    if (got != expected && !OracleGuessedTooDeep(expected, got, message))
                    {
                        results.Add($"{levels} levels, inner '{inner}' at {where}: scanner {got}, reader {expected}");
                    }
                }
            }
        }

        Assert.True(results.Count == 0, string.Join("\n", results));
    }

    [Fact]
    public void Decode_SameMessagesInChangingFieldOrders_ResultsDoNotDependOnWhatWasLearned()
    {
        var random = new Random(11);
        var warm = new EventDecoder(Schema());
        var messages = Enumerable.Range(0, 2_000).Select(_ => Message(random, 32)).ToArray();
        var cold = messages.Select(m =>
        {
            var decoder = new EventDecoder(Schema());
            var e = decoder.CreateBuffer();
            return (decoder.Decode(m, e), Snapshot(e));
        }).ToArray();
        var buffer = warm.CreateBuffer();
        for (int i = 0; i < messages.Length; i++)
        {
            var outcome = warm.Decode(messages[i], buffer);
            Assert.Equal(cold[i].Item1, outcome);
            Assert.Equal(cold[i].Item2, Snapshot(buffer));
        }
    }

    /// <summary>
    /// The reader-based decoder classified every syntax error it met deep in a message as too deep (its
    /// JsonException handler only had the reader's depth to go by); the scanner calls a message too deep only when
    /// it opens a container beyond the limit. Accepted when the message is indeed not JSON at any depth.
    /// </summary>
    private static bool OracleGuessedTooDeep(DecodeOutcome expected, DecodeOutcome got, byte[] message)
    {
        if (expected != DecodeOutcome.TooDeep || got != DecodeOutcome.InvalidJson)
        {
            return false;
        }

        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(message, new System.Text.Json.JsonDocumentOptions { MaxDepth = 1_000 });
            return false;
        }
        catch (System.Text.Json.JsonException)
        {
            return true;
        }
    }

    private static string Snapshot(DecodedEvent e)
    {
        var sb = new StringBuilder();
        sb.Append(e.EventId).Append('|').Append(e.ModelVersion).Append('|').Append(e.Timestamp.UtcTicks);
        for (int s = 0; s < e.Numeric.Length; s++)
        {
            sb.Append('|').Append(e.NumericState[s]).Append(':').Append(e.NumericState[s] == FieldState.Present ? BitConverter.DoubleToInt64Bits(e.Numeric[s]) : 0);
        }

        for (int s = 0; s < e.CategoricalState.Length; s++)
        {
            sb.Append('|').Append(e.CategoricalState[s]).Append(':').Append(e.CategoricalState[s] == FieldState.Present ? e.Category(s).ToString() : "");
        }

        return sb.ToString();
    }

    private static void AssertSame(DecodedEvent expected, DecodedEvent actual, int i, byte[] message)
    {
        string what = $"case {i}: {Show(message)}";
        Assert.True(expected.EventId == actual.EventId, $"event id {expected.EventId} vs {actual.EventId}; {what}");
        Assert.True(expected.ModelVersion == actual.ModelVersion, $"version {expected.ModelVersion} vs {actual.ModelVersion}; {what}");
        Assert.True(expected.Timestamp == actual.Timestamp && expected.Timestamp.Offset == actual.Timestamp.Offset, $"timestamp {expected.Timestamp:O} vs {actual.Timestamp:O}; {what}");
        for (int s = 0; s < expected.Numeric.Length; s++)
        {
            Assert.True(expected.NumericState[s] == actual.NumericState[s], $"numeric {s} state {expected.NumericState[s]} vs {actual.NumericState[s]}; {what}");
            if (expected.NumericState[s] == FieldState.Present)
            {
                Assert.True(BitConverter.DoubleToInt64Bits(expected.Numeric[s]) == BitConverter.DoubleToInt64Bits(actual.Numeric[s]),
                    $"numeric {s}: {expected.Numeric[s]:R} vs {actual.Numeric[s]:R}; {what}");
            }
        }

        for (int s = 0; s < expected.CategoricalState.Length; s++)
        {
            Assert.True(expected.CategoricalState[s] == actual.CategoricalState[s], $"categorical {s} state {expected.CategoricalState[s]} vs {actual.CategoricalState[s]}; {what}");
            if (expected.CategoricalState[s] == FieldState.Present)
            {
                Assert.True(expected.Category(s).SequenceEqual(actual.Category(s)), $"categorical {s}: {expected.Category(s)} vs {actual.Category(s)}; {what}");
            }
        }
    }

    private static byte FirstByte(byte[] message) => message.FirstOrDefault(c => c is not ((byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r'));

    private static bool HasSurrogateEscape(byte[] message) => Encoding.UTF8.GetString(message).Contains("\\ud8", StringComparison.OrdinalIgnoreCase)
        || Encoding.UTF8.GetString(message).Contains("\\udc", StringComparison.OrdinalIgnoreCase);

    private static string Show(byte[] message) => Encoding.UTF8.GetString(message).Replace("\n", "\\n", StringComparison.Ordinal);

    private static byte[] Mutate(Random random, byte[] message)
    {
        var bytes = message.ToList();
        int edits = 1 + random.Next(3);
        for (int e = 0; e < edits && bytes.Count > 0; e++)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0:
                    bytes.RemoveAt(at);
                    break;
                case 1:
                    bytes.Insert(at, Interesting[random.Next(Interesting.Length)]);
                    break;
                case 2:
                    bytes[at] = Interesting[random.Next(Interesting.Length)];
                    break;
                case 3:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 4:
                    bytes[at] = (byte)random.Next(256);
                    break;
                default:
                    int length = Math.Min(bytes.Count - at, 1 + random.Next(12));
                    bytes.InsertRange(at, bytes.GetRange(at, length));
                    break;
            }
        }

        return [.. bytes];
    }

    private static byte[] Message(Random random, int maxDepth)
    {
        var fields = new List<string>();
        void Maybe(double p, string name, Func<string> value)
        {
            if (random.NextDouble() < p)
            {
                fields.Add($"{Key(random, name)}{Ws(random)}:{Ws(random)}{value()}");
            }
        }

        Maybe(0.95, "event_id", () => random.Next(5) switch { 0 => Number(random), 1 => "null", 2 => Any(random, 2), _ => Str(random) });
        Maybe(0.95, "model", () => random.Next(8) switch { 0 => "\"other\"", 1 => "\"fr\\u0061ud\"", 2 => "1", 3 => "null", _ => "\"fraud\"" });
        Maybe(0.8, "model_version", () => random.Next(4) switch { 0 => Number(random), 1 => Str(random), 2 => "\"v\\u00312\"", _ => "\"7\"" });
        Maybe(0.95, "timestamp", () => Timestamp(random));
        Maybe(0.9, "features", () => Obj(random, [
            ("amount", () => Leaf(random)), ("age", () => Leaf(random)), ("country", () => Leaf(random)), ("code", () => Leaf(random)),
            ("unknown", () => Any(random, maxDepth + 2)), ("am\\u006funt", () => Leaf(random))]));
        Maybe(0.9, "prediction", () => random.Next(10) == 0 ? Any(random, 2) : Obj(random, [("score", () => Leaf(random)), ("label", () => Leaf(random)), ("extra", () => Any(random, 3))]));
        Maybe(0.3, "extra", () => Any(random, maxDepth + 2));
        Maybe(0.1, "amount", () => Leaf(random));
        Shuffle(random, fields);
        if (random.Next(20) == 0 && fields.Count > 0)
        {
            fields.Add(fields[random.Next(fields.Count)]); // a duplicate key: the last one wins
        }

        return Encoding.UTF8.GetBytes($"{Ws(random)}{{{Ws(random)}{string.Join($"{Ws(random)},{Ws(random)}", fields)}{Ws(random)}}}{Ws(random)}");
    }

    private static string Obj(Random random, (string Name, Func<string> Value)[] members)
    {
        var fields = members.Where(_ => random.NextDouble() < 0.8).Select(m => $"{Key(random, m.Name)}{Ws(random)}:{Ws(random)}{m.Value()}").ToList();
        Shuffle(random, fields);
        return $"{{{Ws(random)}{string.Join($"{Ws(random)},{Ws(random)}", fields)}{Ws(random)}}}";
    }

    private static string Key(Random random, string name) => random.Next(40) switch
    {
        0 when name.Length > 0 => $"\"\\u{(int)name[0]:x4}{name[1..]}\"", // the same name, escaped
        1 => $"\"{name}x\"",
        _ => $"\"{name}\"",
    };

    private static string Leaf(Random random) => random.Next(12) switch
    {
        0 => "null",
        1 => "true",
        2 => "false",
        3 or 4 => Str(random),
        5 => Any(random, 3),
        _ => Number(random),
    };

    private static string Any(Random random, int depth)
    {
        if (depth <= 0 || random.Next(3) == 0)
        {
            return Leaf(random);
        }

        int n = random.Next(4);
        if (random.Next(2) == 0)
        {
            return "[" + string.Join(",", Enumerable.Range(0, n).Select(_ => Any(random, depth - 1))) + "]";
        }

        return "{" + string.Join(",", Enumerable.Range(0, n).Select(j => $"\"k{j}\":{Any(random, depth - 1)}")) + "}";
    }

    private static string Str(Random random)
    {
        int kind = random.Next(12);
        if (kind == 0)
        {
            return "\"" + new string('x', 250 + random.Next(12)) + "\""; // around the category length limit
        }

        if (kind == 1)
        {
            return "\"" + string.Concat(Enumerable.Repeat("é", 120 + random.Next(20))) + "\"";
        }

        var sb = new StringBuilder("\"");
        int parts = random.Next(4);
        for (int p = 0; p < parts; p++)
        {
            sb.Append(random.Next(10) switch
            {
                0 => "\\n",
                1 => "\\\"",
                2 => "\\u00e9",
                3 => "\\ud83d\\ude00",
                4 => random.Next(10) == 0 ? "\\ud800" : "\\/",
                _ => Letters[random.Next(Letters.Length)],
            });
        }

        return sb.Append('"').ToString();
    }

    private static string Number(Random random)
    {
        switch (random.Next(14))
        {
            case 0:
                return random.Next(2) == 0 ? "-0" : "0";
            case 1:
                return (random.NextDouble() * Math.Pow(10, random.Next(-30, 30))).ToString("R", CultureInfo.InvariantCulture);
            case 2:
                return new[] { "1.7976931348623157e308", "1.7976931348623159e308", "4.9e-324", "2.2250738585072014E-308", "9007199254740993", "9007199254740992",
                    "123456789012345678901234567890", "0.000000000000000000000000001", "1e400", "-1e400", "1e-400", "1E+22", "1e23", "0.1e-22", "8.5e-23" }[random.Next(15)];
            default:
                var sb = new StringBuilder();
                if (random.Next(3) == 0)
                {
                    sb.Append('-');
                }

                sb.Append(random.Next(4) == 0 ? "0" : (1 + random.Next(9)).ToString(CultureInfo.InvariantCulture));
                int intDigits = random.Next(12);
                for (int d = 0; d < intDigits && sb[^1] != '0'; d++)
                {
                    sb.Append(random.Next(10));
                }

                if (random.Next(2) == 0)
                {
                    sb.Append('.');
                    int frac = 1 + random.Next(random.Next(4) == 0 ? 25 : 8);
                    for (int d = 0; d < frac; d++)
                    {
                        sb.Append(random.Next(10));
                    }
                }

                if (random.Next(4) == 0)
                {
                    sb.Append(random.Next(2) == 0 ? 'e' : 'E').Append(new[] { "", "+", "-" }[random.Next(3)]).Append(random.Next(random.Next(3) == 0 ? 330 : 25));
                }

                return sb.ToString();
        }
    }

    private static string Timestamp(Random random)
    {
        var t = new DateTimeOffset(2026, 11, 28, 6, 0, 0, TimeSpan.Zero).AddTicks(random.NextInt64(-TimeSpan.TicksPerDay * 800, TimeSpan.TicksPerDay * 800));
        string iso = t.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture);
        string fraction = t.ToString("fffffff", CultureInfo.InvariantCulture);
        return random.Next(16) switch
        {
            0 => t.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            1 => $"\"{iso}+02:00\"",
            2 => $"\"{iso.Replace('T', ' ')}Z\"",
            3 => $"\"{iso}\"",
            4 => $"\"{iso.ToLowerInvariant()}z\"",
            5 => $"\"{iso}.{fraction}123Z\"",
            6 => new[] { "\"2026-02-30T00:00:00Z\"", "\"2026-13-01T00:00:00Z\"", "\"2026-11-28T24:00:00Z\"", "\"2026-11-28T23:59:60Z\"", "\"0000-01-01T00:00:00Z\"",
                "\"2024-02-29T12:00:00.5Z\"", "\"9999-12-31T23:59:59.9999999Z\"", "\"2026-11-28T06:00:00.Z\"", "\"2026-11-28T06:00:00,5Z\"", "99999999999999999", "\"2026-11-28T06:00Z\"" }[random.Next(11)],
            7 => $"\"\\u0032{iso[1..]}Z\"",
            8 => "null",
            _ => $"\"{iso}{(random.Next(2) == 0 ? "" : "." + fraction[..(1 + random.Next(7))])}Z\"",
        };
    }

    private static string Ws(Random random) => random.Next(8) switch
    {
        0 => " ",
        1 => "\n  ",
        2 => "\t",
        3 => "\r\n",
        _ => "",
    };

    private static void Shuffle<T>(Random random, List<T> list)
    {
        for (int i = list.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }
}
