using Parquet;
using Parquet.Schema;

namespace Monitor.Worker.Tests.Io;

/// <summary>One flat column to write: its field and its values (one per row).</summary>
/// <param name="Field">The schema field.</param>
/// <param name="Values">A typed array: <c>T[]</c> for a required field, <c>T?[]</c> for a nullable one, <c>string?[]</c> for strings.</param>
internal sealed record ParquetColumn(DataField Field, Array Values);

/// <summary>Writes small Parquet files for the tests with Parquet.Net.</summary>
internal static class ParquetTestFile
{
    /// <summary>Writes <paramref name="columns"/> in row groups of the given sizes; <paramref name="extra"/> writes further columns per group.</summary>
    public static async Task WriteAsync(string path, IReadOnlyList<ParquetColumn> columns, int[] groups, IReadOnlyList<Field>? extraFields = null, Func<ParquetRowGroupWriter, int, int, Task>? extra = null)
    {
        var fields = columns.Select(c => (Field)c.Field).Concat(extraFields ?? []).ToArray();
        await using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream, null, false, CancellationToken.None);
        int start = 0;
        foreach (int count in groups)
        {
            using var group = writer.CreateRowGroup();
            foreach (var column in columns)
            {
                await WriteColumnAsync(group, column, start, count);
            }

            if (extra is not null)
            {
                await extra(group, start, count);
            }

            start += count;
        }
    }

    private static Task WriteColumnAsync(ParquetRowGroupWriter group, ParquetColumn column, int start, int count) => column.Values switch
    {
        double?[] v => group.WriteAsync(column.Field, (ReadOnlyMemory<double?>)v.AsMemory(start, count), null, null, CancellationToken.None),
        double[] v => group.WriteAsync(column.Field, (ReadOnlyMemory<double>)v.AsMemory(start, count), null, null, CancellationToken.None),
        float?[] v => group.WriteAsync(column.Field, (ReadOnlyMemory<float?>)v.AsMemory(start, count), null, null, CancellationToken.None),
        int?[] v => group.WriteAsync(column.Field, (ReadOnlyMemory<int?>)v.AsMemory(start, count), null, null, CancellationToken.None),
        int[] v => group.WriteAsync(column.Field, (ReadOnlyMemory<int>)v.AsMemory(start, count), null, null, CancellationToken.None),
        long?[] v => group.WriteAsync(column.Field, (ReadOnlyMemory<long?>)v.AsMemory(start, count), null, null, CancellationToken.None),
        decimal?[] v => group.WriteAsync(column.Field, (ReadOnlyMemory<decimal?>)v.AsMemory(start, count), null, null, CancellationToken.None),
        bool?[] v => group.WriteAsync(column.Field, (ReadOnlyMemory<bool?>)v.AsMemory(start, count), null, null, CancellationToken.None),
        DateTime?[] v => group.WriteAsync(column.Field, (ReadOnlyMemory<DateTime?>)v.AsMemory(start, count), null, null, CancellationToken.None),
        DateTime[] v => group.WriteAsync(column.Field, (ReadOnlyMemory<DateTime>)v.AsMemory(start, count), null, null, CancellationToken.None),
        string?[] v => group.WriteAsync(column.Field, (IReadOnlyCollection<string>)v[start..(start + count)]!, null),
        _ => throw new ArgumentException($"No writer for {column.Values.GetType().Name}.", nameof(column)),
    };
}
