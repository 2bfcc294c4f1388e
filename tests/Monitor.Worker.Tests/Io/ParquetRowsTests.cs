using System.Globalization;
using System.Text.Json;
using Monitor.Worker.Io;
using Parquet.Schema;

namespace Monitor.Worker.Tests.Io;

public sealed class ParquetRowsTests : IDisposable
{
    private static readonly HashSet<string> Features = new(["amount", "country"], StringComparer.Ordinal);
    private readonly string _dir = Directory.CreateTempSubdirectory("monitor-parquet-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Read_FlatColumnsOfEachType_BecomeEventShapedJson()
    {
        string path = Path.Combine(_dir, "types.parquet");
        var ts = new DateTime(2026, 11, 20, 1, 2, 3, 500, DateTimeKind.Utc);
        await ParquetTestFile.WriteAsync(path,
        [
            new(new DataField<double?>("amount"), new double?[] { 1.5, null, double.NaN }),
            new(new DataField<int>("count"), new[] { 1, 2, 3 }),
            new(new DataField<float?>("prediction.score"), new float?[] { 0.1f, null, float.PositiveInfinity }),
            new(new DataField<long?>("big"), new long?[] { long.MaxValue, null, -1 }),
            new(new DataField<decimal?>("price"), new decimal?[] { 12.34m, null, 0m }),
            new(new DataField<bool?>("flag"), new bool?[] { true, null, false }),
            new(new DataField<string>("country"), new[] { "DE", null, "FR" }),
            new(new DataField<DateTime?>("timestamp"), new DateTime?[] { ts, null, ts.AddDays(1) }),
            new(new DataField<int?>("label"), new int?[] { 1, null, 0 }),
        ], [2, 1]);

        var rows = ParquetRows.Open(path, Features, "features").Read().Select(r => JsonDocument.Parse(r).RootElement.Clone()).ToList();

        Assert.Equal(3, rows.Count);
        var first = rows[0];
        Assert.Equal(["features", "count", "prediction", "big", "price", "flag", "timestamp", "label"], first.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1.5, first.GetProperty("features").GetProperty("amount").GetDouble());
        Assert.Equal("DE", first.GetProperty("features").GetProperty("country").GetString());
        Assert.Equal(1, first.GetProperty("count").GetInt32());
        Assert.Equal("0.1", first.GetProperty("prediction").GetProperty("score").GetRawText());
        Assert.Equal(long.MaxValue, first.GetProperty("big").GetInt64());
        Assert.Equal(12.34m, first.GetProperty("price").GetDecimal());
        Assert.Equal(JsonValueKind.True, first.GetProperty("flag").ValueKind);
        Assert.Equal("2026-11-20T01:02:03.5Z", first.GetProperty("timestamp").GetString());
        Assert.Equal(1, first.GetProperty("label").GetInt32());

        var nulls = rows[1];
        Assert.Equal(JsonValueKind.Null, nulls.GetProperty("features").GetProperty("amount").ValueKind);
        Assert.Equal(JsonValueKind.Null, nulls.GetProperty("features").GetProperty("country").ValueKind);
        Assert.Equal(2, nulls.GetProperty("count").GetInt32());
        foreach (string name in (string[])["big", "price", "flag", "timestamp", "label"])
        {
            Assert.Equal(JsonValueKind.Null, nulls.GetProperty(name).ValueKind);
        }

        // Non-finite floats have no JSON number: they arrive as text, which the decoder counts as a type error.
        var last = rows[2];
        Assert.Equal("NaN", last.GetProperty("features").GetProperty("amount").GetString());
        Assert.Equal("Infinity", last.GetProperty("prediction").GetProperty("score").GetString());
        Assert.Equal(JsonValueKind.False, last.GetProperty("flag").ValueKind);
        Assert.Equal("2026-11-21T01:02:03.5Z", last.GetProperty("timestamp").GetString());
    }

    [Fact]
    public async Task Read_CalledTwiceOverManyRowGroups_YieldsTheSameRowsInOrder()
    {
        string path = Path.Combine(_dir, "groups.parquet");
        var ids = Enumerable.Range(0, 250).ToArray();
        var amounts = ids.Select(i => (double?)(i % 7 == 0 ? null : i * 0.5)).ToArray();
        await ParquetTestFile.WriteAsync(path,
        [
            new(new DataField<int>("id"), ids),
            new(new DataField<double?>("amount"), amounts),
        ], [100, 100, 50]);
        var reader = ParquetRows.Open(path, Features, "features");

        var first = reader.Read().Select(r => System.Text.Encoding.UTF8.GetString(r.Span)).ToList();
        var second = reader.Read().Select(r => System.Text.Encoding.UTF8.GetString(r.Span)).ToList();

        Assert.Equal(250, first.Count);
        Assert.Equal(first, second);
        Assert.Equal("""{"id":0,"features":{"amount":null}}""", first[0]);
        Assert.Equal("""{"id":249,"features":{"amount":124.5}}""", first[249]);
        Assert.Empty(reader.Warnings);
    }

    [Fact]
    public async Task Open_NestedColumns_SkipsEachWithAOneLineWarningNamingIt()
    {
        string path = Path.Combine(_dir, "nested.parquet");
        var inner = new DataField<int>("a");
        var meta = new StructField("meta", inner);
        var tags = new ListField("tags", typeof(int));
        await ParquetTestFile.WriteAsync(path,
            [new(new DataField<double?>("amount"), new double?[] { 1, 2, 3 })],
            [3],
            [meta, tags],
            async (group, start, count) =>
            {
                await group.WriteAllPartsAsync(inner, (ReadOnlyMemory<int>)new[] { 7, 8, 9 }.AsMemory(), Enumerable.Repeat(inner.MaxDefinitionLevel, 3).ToArray(), null, CancellationToken.None);
                var item = (DataField)tags.Item;
                var defined = Enumerable.Repeat(item.MaxDefinitionLevel, 6).ToArray();
                await group.WriteAllPartsAsync(item, (ReadOnlyMemory<int>)new[] { 1, 2, 3, 4, 5, 6 }.AsMemory(), defined, new[] { 0, 1, 0, 0, 1, 1 }, CancellationToken.None);
            });

        var reader = ParquetRows.Open(path, Features, "features");
        var rows = reader.Read().Select(r => System.Text.Encoding.UTF8.GetString(r.Span)).ToList();

        Assert.Equal(2, reader.Warnings.Count);
        Assert.Contains(reader.Warnings, w => w.Contains("column 'meta'", StringComparison.Ordinal) && w.Contains("struct", StringComparison.Ordinal));
        Assert.Contains(reader.Warnings, w => w.Contains("column 'tags'", StringComparison.Ordinal) && w.Contains("list", StringComparison.Ordinal));
        Assert.All(reader.Warnings, w => Assert.DoesNotContain('\n', w));
        Assert.Equal(["""{"features":{"amount":1}}""", """{"features":{"amount":2}}""", """{"features":{"amount":3}}"""], rows);
    }

    [Fact]
    public async Task Open_ColumnWhosePathIsAnotherColumnsValue_IsSkippedWithAWarning()
    {
        string path = Path.Combine(_dir, "conflict.parquet");
        await ParquetTestFile.WriteAsync(path,
        [
            new(new DataField<int?>("label"), new int?[] { 1 }),
            new(new DataField<int?>("label.value"), new int?[] { 2 }),
        ], [1]);

        var reader = ParquetRows.Open(path, Features, "features");

        Assert.Equal(["label"], reader.Columns);
        Assert.Contains("column 'label.value'", Assert.Single(reader.Warnings), StringComparison.Ordinal);
        Assert.Equal("""{"label":1}""", System.Text.Encoding.UTF8.GetString(Assert.Single(reader.Read().ToList()).Span));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("truncated")]
    [InlineData("empty")]
    public async Task Open_CorruptFile_ThrowsInvalidDataExceptionNamingTheFile(string kind)
    {
        string path = Path.Combine(_dir, kind + ".parquet");
        if (kind == "truncated")
        {
            await ParquetTestFile.WriteAsync(path, [new(new DataField<int>("id"), Enumerable.Range(0, 1000).ToArray())], [1000]);
            var bytes = await File.ReadAllBytesAsync(path);
            await File.WriteAllBytesAsync(path, bytes[..(bytes.Length / 2)]);
        }
        else
        {
            await File.WriteAllTextAsync(path, kind == "empty" ? string.Empty : "PAR1 this is not a parquet file, only its magic number PAR1");
        }

        var ex = Assert.Throws<InvalidDataException>(() => ParquetRows.Open(path, Features, "features").Read().ToList());

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("Parquet", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_CorruptColumnData_ThrowsInvalidDataExceptionNamingTheFile()
    {
        string path = Path.Combine(_dir, "damaged.parquet");
        await ParquetTestFile.WriteAsync(path, [new(new DataField<string>("country"), Enumerable.Range(0, 2000).Select(i => "c" + i.ToString(CultureInfo.InvariantCulture)).ToArray())], [2000]);
        var bytes = await File.ReadAllBytesAsync(path);
        for (int i = 8; i < bytes.Length / 2; i++)
        {
            bytes[i] = 0xFF; // the column's pages; the footer stays intact
        }

        await File.WriteAllBytesAsync(path, bytes);
        var reader = ParquetRows.Open(path, Features, "features");

        var ex = Assert.Throws<InvalidDataException>(() => reader.Read().ToList());

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }
}
