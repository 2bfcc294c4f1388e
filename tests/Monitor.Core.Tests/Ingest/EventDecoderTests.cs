using System.Text;
using Monitor.Core.Ingest;

namespace Monitor.Core.Tests.Ingest;

public sealed class EventDecoderTests
{
    private static readonly EventDecoder Decoder = CreateDecoder(modelPath: true);

    private static EventDecoder CreateDecoder(bool modelPath, int maxDepth = EventDecoder.DefaultMaxDepth)
    {
        var schema = new EventSchema(
            "fraud",
            FieldPath.Parse("timestamp"),
            FieldPath.Parse("event_id"),
            modelPath ? FieldPath.Parse("model") : null,
            FieldPath.Parse("model_version"),
            requireEventId: true);
        schema.AddNumeric(FieldPath.Parse("features.amount"));      // 0
        schema.AddNumeric(FieldPath.Parse("features.age"));         // 1
        schema.AddNumeric(FieldPath.Parse("prediction.score"));     // 2
        schema.AddCategorical(FieldPath.Parse("features.country")); // 0
        schema.AddCategorical(FieldPath.Parse("prediction.label")); // 1
        return new EventDecoder(schema, maxDepth);
    }

    private static (DecodeOutcome Outcome, DecodedEvent Event) Decode(string json, EventDecoder? decoder = null)
    {
        decoder ??= Decoder;
        var buffer = decoder.CreateBuffer();
        var outcome = decoder.Decode(Encoding.UTF8.GetBytes(json), buffer);
        return (outcome, buffer);
    }

    [Fact]
    public void Decode_ContractExample_ReadsEveryField()
    {
        var (outcome, e) = Decode("""
            {"event_id":"a1","model":"fraud","model_version":"7","timestamp":"2026-11-28T06:00:00Z",
             "features":{"amount":12.5,"country":"DE","age":null},
             "prediction":{"score":0.83,"label":1}}
            """);

        Assert.Equal(DecodeOutcome.Ok, outcome);
        Assert.Equal("a1", e.EventId);
        Assert.Equal("7", e.ModelVersion);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 6, 0, 0, TimeSpan.Zero), e.Timestamp);
        Assert.Equal(FieldState.Present, e.NumericState[0]);
        Assert.Equal(12.5, e.Numeric[0]);
        Assert.Equal(FieldState.Missing, e.NumericState[1]);
        Assert.Equal(0.83, e.Numeric[2]);
        Assert.Equal("DE", e.Category(0).ToString());
        Assert.Equal("1", e.Category(1).ToString());
    }

    [Fact]
    public void Decode_FieldsInAnyOrderWithUnknownFields_IgnoresUnknown()
    {
        var (outcome, e) = Decode("""
            {"extra":{"deep":[1,2,{"x":[3]}]},"prediction":{"score":0.1,"other":"x"},"features":{"zzz":1,"amount":-3e2},
             "timestamp":1764309600000,"model":"fraud","event_id":42}
            """);

        Assert.Equal(DecodeOutcome.Ok, outcome);
        Assert.Equal("42", e.EventId);
        Assert.Equal(-300, e.Numeric[0]);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1764309600000), e.Timestamp);
        Assert.Equal(FieldState.Missing, e.CategoricalState[0]);
    }

    [Theory]
    [InlineData("\"12.5\"")]
    [InlineData("true")]
    [InlineData("{\"v\":1}")]
    [InlineData("[1]")]
    [InlineData("1e400")]
    public void Decode_NumericFieldWithWrongType_IsTypeErrorNotDeadLetter(string value)
    {
        var (outcome, e) = Decode($$$"""{"event_id":"a","model":"fraud","timestamp":"2026-11-28T06:00:00Z","features":{"amount":{{{value}}}}}""");

        Assert.Equal(DecodeOutcome.Ok, outcome);
        Assert.Equal(FieldState.TypeError, e.NumericState[0]);
    }

    [Theory]
    [InlineData("12", "12")]
    [InlineData("true", "true")]
    [InlineData("\"Z\\u00fcrich\"", "Zürich")]
    public void Decode_CategoricalNumbersBooleansAndEscapes_UseTheirText(string value, string expected)
    {
        var (outcome, e) = Decode($$$"""{"event_id":"a","model":"fraud","timestamp":"2026-11-28T06:00:00Z","features":{"country":{{{value}}}}}""");

        Assert.Equal(DecodeOutcome.Ok, outcome);
        Assert.Equal(FieldState.Present, e.CategoricalState[0]);
        Assert.Equal(expected, e.Category(0).ToString());
    }

    [Fact]
    public void Decode_CategoryLongerThanLimit_IsTypeError()
    {
        string longValue = new('x', DecodedEvent.MaxCategoryLength + 1);
        var (outcome, e) = Decode($$$"""{"event_id":"a","model":"fraud","timestamp":"2026-11-28T06:00:00Z","features":{"country":"{{{longValue}}}"}}""");

        Assert.Equal(DecodeOutcome.Ok, outcome);
        Assert.Equal(FieldState.TypeError, e.CategoricalState[0]);
    }

    [Theory]
    [InlineData("not json", DecodeOutcome.InvalidJson)]
    [InlineData("", DecodeOutcome.InvalidJson)]
    [InlineData("[1,2]", DecodeOutcome.NotAnObject)]
    [InlineData("{\"event_id\":\"a\",\"model\":\"fraud\",\"timestamp\":\"2026-11-28T06:00:00Z\",\"features\":{\"amount\":NaN}}", DecodeOutcome.InvalidJson)]
    [InlineData("{\"event_id\":\"a\",\"model\":\"fraud\",\"timestamp\":\"2026-11-28T06:00:00Z\"", DecodeOutcome.InvalidJson)]
    [InlineData("{\"event_id\":\"a\",\"model\":\"fraud\",\"timestamp\":\"2026-11-28T06:00:00Z\"} {}", DecodeOutcome.InvalidJson)]
    [InlineData("{\"event_id\":\"a\",\"model\":\"fraud\"}", DecodeOutcome.BadTimestamp)]
    [InlineData("{\"event_id\":\"a\",\"model\":\"fraud\",\"timestamp\":\"yesterday\"}", DecodeOutcome.BadTimestamp)]
    [InlineData("{\"event_id\":\"a\",\"model\":\"fraud\",\"timestamp\":1e30}", DecodeOutcome.BadTimestamp)]
    [InlineData("{\"model\":\"fraud\",\"timestamp\":\"2026-11-28T06:00:00Z\"}", DecodeOutcome.MissingEventId)]
    [InlineData("{\"event_id\":\"a\",\"timestamp\":\"2026-11-28T06:00:00Z\"}", DecodeOutcome.MissingModel)]
    [InlineData("{\"event_id\":\"a\",\"model\":\"churn\",\"timestamp\":\"2026-11-28T06:00:00Z\"}", DecodeOutcome.OtherModel)]
    public void Decode_MalformedMessages_HaveDefinedOutcomes(string json, DecodeOutcome expected)
    {
        var (outcome, _) = Decode(json);

        Assert.Equal(expected, outcome);
    }

    [Fact]
    public void Decode_NestingBeyondLimit_IsTooDeep()
    {
        var decoder = CreateDecoder(modelPath: true, maxDepth: 8);
        string deep = new string('[', 20) + new string(']', 20);

        var (outcome, _) = Decode($$$"""{"event_id":"a","model":"fraud","timestamp":"2026-11-28T06:00:00Z","junk":{{{deep}}}}""", decoder);

        Assert.Equal(DecodeOutcome.TooDeep, outcome);
    }

    [Fact]
    public void Decode_ReusedBuffer_ResetsStateBetweenMessages()
    {
        var buffer = Decoder.CreateBuffer();
        Decoder.Decode("""{"event_id":"a","model":"fraud","timestamp":"2026-11-28T06:00:00Z","features":{"amount":1,"country":"DE"}}"""u8, buffer);

        var outcome = Decoder.Decode("""{"event_id":"b","model":"fraud","timestamp":"2026-11-28T06:00:00Z"}"""u8, buffer);

        Assert.Equal(DecodeOutcome.Ok, outcome);
        Assert.Equal("b", buffer.EventId);
        Assert.Equal(FieldState.Missing, buffer.NumericState[0]);
        Assert.Equal(FieldState.Missing, buffer.CategoricalState[0]);
    }

    [Fact]
    public void Decode_SteadyState_AllocatesOnlyTheEventId()
    {
        var buffer = Decoder.CreateBuffer();
        byte[] json = Encoding.UTF8.GetBytes("""
            {"event_id":"a1","model":"fraud","model_version":"7","timestamp":"2026-11-28T06:00:00Z",
             "features":{"amount":12.5,"country":"DE","age":31},"prediction":{"score":0.83,"label":1}}
            """);
        for (int i = 0; i < 100; i++)
        {
            Decoder.Decode(json, buffer);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            Decoder.Decode(json, buffer);
        }

        long perEvent = (GC.GetAllocatedBytesForCurrentThread() - before) / 1000;

        // "a1" as a string is 26 bytes rounded to 32; nothing else may allocate.
        Assert.InRange(perEvent, 0, 32);
    }

    [Fact]
    public void Decode_NumericVersionRepeated_ReadsItsTextEachTime()
    {
        var buffer = Decoder.CreateBuffer();
        byte[] json = Encoding.UTF8.GetBytes("""{"event_id":"a","model":"fraud","model_version":7,"timestamp":"2026-11-28T06:00:00Z"}""");

        Assert.Equal(DecodeOutcome.Ok, Decoder.Decode(json, buffer));
        Assert.Equal(DecodeOutcome.Ok, Decoder.Decode(json, buffer));
        Assert.Equal("7", buffer.ModelVersion);
        Assert.Equal(DecodeOutcome.Ok, Decoder.Decode("""{"event_id":"a","model":"fraud","model_version":"7","timestamp":"2026-11-28T06:00:00Z"}"""u8, buffer));
        Assert.Equal("7", buffer.ModelVersion);
    }

    [Fact]
    public void Constructor_PathThatIsBothValueAndObject_Throws()
    {
        var schema = new EventSchema("m", FieldPath.Parse("ts"), null, null, null, requireEventId: false);
        schema.AddNumeric(FieldPath.Parse("a.b"));
        schema.AddNumeric(FieldPath.Parse("a.b.c"));

        Assert.Throws<ArgumentException>(() => new EventDecoder(schema));
    }
}
