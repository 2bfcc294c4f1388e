using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Parquet;
using Parquet.Schema;

namespace Monitor.Worker.Io;

/// <summary>
/// Reads a Parquet file as JSON objects in the event contract's shape, like <see cref="CsvRows"/>: a column named
/// like a feature goes under the features object, a dotted column (<c>prediction.score</c>, <c>label</c>) goes to
/// that path. Nulls are JSON null, numbers numbers, strings and booleans strings and booleans, timestamps and dates
/// ISO-8601 strings. Columns of nested types (lists, maps, structs) and of types with no JSON form are skipped, each
/// with a warning.
/// </summary>
/// <remarks>
/// One row group is in memory at a time. <see cref="Read"/> opens the file anew on every call, so a caller may read
/// it twice (the baseline builder's second pass). Non-finite floats become the strings <c>NaN</c>/<c>Infinity</c>
/// (as the same cells in a CSV would), which the decoder counts as type errors. Timestamps without a UTC
/// adjustment are written as UTC so that the result does not depend on the machine's time zone.
/// </remarks>
internal sealed class ParquetRows
{
    private readonly string _path;
    private readonly PathNode _tree;
    private readonly List<ColumnPlan> _columns;

    private ParquetRows(string path, PathNode tree, List<ColumnPlan> columns, List<string> warnings)
    {
        _path = path;
        _tree = tree;
        _columns = columns;
        Warnings = warnings;
    }

    /// <summary>One line per skipped column, naming it and why.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>The columns read, in file order.</summary>
    public IReadOnlyList<string> Columns => _columns.Select(c => c.Field.Name).ToList();

    /// <summary>Reads the file's schema and plans the conversion; an unreadable file is an <see cref="InvalidDataException"/> naming it.</summary>
    public static ParquetRows Open(string path, ISet<string> featureNames, string featuresRoot)
    {
        ArgumentNullException.ThrowIfNull(featureNames);
        ParquetSchema schema = Guard(path, () => ReadSchema(path));
        var warnings = new List<string>();
        var columns = new List<ColumnPlan>();
        var tree = new PathNode();
        string file = Path.GetFileName(path);
        foreach (var field in schema.Fields)
        {
            if (field is not DataField data || data.IsArray || data.MaxRepetitionLevel > 0)
            {
                string kind = field.SchemaType switch
                {
                    SchemaType.List => "list",
                    SchemaType.Map => "map",
                    SchemaType.Struct => "struct",
                    _ => "repeated",
                };
                warnings.Add($"{file}: column '{field.Name}' has a nested type ({kind}) that baselines do not read; skipped.");
                continue;
            }

            if (!Writers.TryGetValue(data.ClrType, out var factory))
            {
                warnings.Add($"{file}: column '{field.Name}' has type {data.ClrType.Name}, which has no JSON form here; skipped.");
                continue;
            }

            string target = featureNames.Contains(field.Name) ? $"{featuresRoot}.{field.Name}" : field.Name;
            if (!tree.TryAdd(target.Split('.'), columns.Count))
            {
                warnings.Add($"{file}: column '{field.Name}' maps to '{target}', which another column already uses as a value or an object; skipped.");
                continue;
            }

            columns.Add(new ColumnPlan(data, factory));
        }

        return new ParquetRows(path, tree, columns, warnings);
    }

    /// <summary>Streams the rows, one row group at a time.</summary>
    public IEnumerable<ReadOnlyMemory<byte>> Read()
    {
        var columns = _columns.Select(c => c.Create(c.Field)).ToArray();
        var buffer = new ArrayBufferWriter<byte>();
        using var writer = new Utf8JsonWriter(buffer);
        int groups = Guard(_path, () => RowGroupCount(_path));
        for (int g = 0; g < groups; g++)
        {
            int group = g;
            int rows = Guard(_path, () => LoadRowGroup(_path, group, columns));
            for (int row = 0; row < rows; row++)
            {
                buffer.ResetWrittenCount();
                writer.Reset(buffer);
                WriteObject(writer, _tree, columns, row);
                writer.Flush();
                yield return buffer.WrittenSpan.ToArray();
            }
        }
    }

    private static void WriteObject(Utf8JsonWriter writer, PathNode node, Column[] columns, int row)
    {
        writer.WriteStartObject();
        foreach (var (name, child) in node.Children ?? [])
        {
            writer.WritePropertyName(name);
            if (child.Column >= 0)
            {
                columns[child.Column].Write(writer, row);
            }
            else
            {
                WriteObject(writer, child, columns, row);
            }
        }

        writer.WriteEndObject();
    }

    private static ParquetSchema ReadSchema(string path)
    {
        using var stream = File.OpenRead(path);
        return ParquetReader.ReadSchemaAsync(stream).GetAwaiter().GetResult();
    }

    private static int RowGroupCount(string path) => RowGroupCountAsync(path).GetAwaiter().GetResult();

    private static async Task<int> RowGroupCountAsync(string path)
    {
        await using var reader = await ParquetReader.CreateAsync(path, null, CancellationToken.None).ConfigureAwait(false);
        return reader.RowGroupCount;
    }

    private static int LoadRowGroup(string path, int group, Column[] columns) => LoadRowGroupAsync(path, group, columns).GetAwaiter().GetResult();

    // Each row group opens the file again: the footer parse is cheap next to a row group's data, and no open
    // reader has to live across the iterator's yields (which may never resume).
    private static async Task<int> LoadRowGroupAsync(string path, int group, Column[] columns)
    {
        await using var reader = await ParquetReader.CreateAsync(path, null, CancellationToken.None).ConfigureAwait(false);
        var rowGroup = reader.OpenRowGroupReader(group);
        if (rowGroup.RowCount > Array.MaxLength)
        {
            throw new InvalidDataException($"{path}: row group {group} has {rowGroup.RowCount} rows, more than can be read at once.");
        }

        int rows = (int)rowGroup.RowCount;
        foreach (var column in columns)
        {
            await column.LoadAsync(rowGroup, rows).ConfigureAwait(false);
        }

        return rows;
    }

    private static T Guard<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        // A corrupt file surfaces from Parquet.Net as any of these (a damaged footer even as a NullReferenceException):
        // each becomes one message naming the file instead of a stack trace.
        catch (Exception ex) when (ex is ParquetException or Parquet.Meta.Proto.ThriftProtocolException or IOException or InvalidDataException
            or InvalidOperationException or ArgumentException or IndexOutOfRangeException or NotSupportedException or ArithmeticException
            or FormatException or InvalidCastException or NullReferenceException)
        {
            if (ex is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
            {
                throw;
            }

            throw new InvalidDataException($"{path}: not a readable Parquet file ({ex.Message}). Fix: check that the file is complete and was written as Parquet.", ex);
        }
    }

    private static readonly Dictionary<Type, Func<DataField, Column>> Writers = new()
    {
        [typeof(bool)] = f => new ValueColumn<bool>(f, static (w, v) => w.WriteBooleanValue(v)),
        [typeof(byte)] = f => new ValueColumn<byte>(f, static (w, v) => w.WriteNumberValue(v)),
        [typeof(sbyte)] = f => new ValueColumn<sbyte>(f, static (w, v) => w.WriteNumberValue(v)),
        [typeof(short)] = f => new ValueColumn<short>(f, static (w, v) => w.WriteNumberValue(v)),
        [typeof(ushort)] = f => new ValueColumn<ushort>(f, static (w, v) => w.WriteNumberValue(v)),
        [typeof(int)] = f => new ValueColumn<int>(f, static (w, v) => w.WriteNumberValue(v)),
        [typeof(uint)] = f => new ValueColumn<uint>(f, static (w, v) => w.WriteNumberValue(v)),
        [typeof(long)] = f => new ValueColumn<long>(f, static (w, v) => w.WriteNumberValue(v)),
        [typeof(ulong)] = f => new ValueColumn<ulong>(f, static (w, v) => w.WriteNumberValue(v)),
        [typeof(float)] = f => new ValueColumn<float>(f, static (w, v) =>
        {
            if (float.IsFinite(v))
            {
                w.WriteNumberValue(v);
            }
            else
            {
                w.WriteStringValue(v.ToString(CultureInfo.InvariantCulture));
            }
        }),
        [typeof(double)] = f => new ValueColumn<double>(f, static (w, v) =>
        {
            if (double.IsFinite(v))
            {
                w.WriteNumberValue(v);
            }
            else
            {
                w.WriteStringValue(v.ToString(CultureInfo.InvariantCulture));
            }
        }),
        [typeof(decimal)] = f => new ValueColumn<decimal>(f, static (w, v) => w.WriteNumberValue(v)),
        [typeof(DateTime)] = f => new ValueColumn<DateTime>(f, static (w, v) =>
            w.WriteStringValue((v.Kind == DateTimeKind.Local ? v.ToUniversalTime() : v).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture))),
        [typeof(DateTimeOffset)] = f => new ValueColumn<DateTimeOffset>(f, static (w, v) =>
            w.WriteStringValue(v.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture))),
        [typeof(DateOnly)] = f => new ValueColumn<DateOnly>(f, static (w, v) => w.WriteStringValue(v.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))),
        [typeof(TimeOnly)] = f => new ValueColumn<TimeOnly>(f, static (w, v) => w.WriteStringValue(v.ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture))),
        [typeof(TimeSpan)] = f => new ValueColumn<TimeSpan>(f, static (w, v) => w.WriteStringValue(v.ToString("c", CultureInfo.InvariantCulture))),
        [typeof(Guid)] = f => new ValueColumn<Guid>(f, static (w, v) => w.WriteStringValue(v.ToString("D", CultureInfo.InvariantCulture))),
        [typeof(string)] = f => new StringColumn(f),
        [typeof(ReadOnlyMemory<char>)] = f => new StringColumn(f),
        [typeof(byte[])] = f => new BytesColumn(f),
        [typeof(ReadOnlyMemory<byte>)] = f => new BytesColumn(f),
    };

    private sealed record ColumnPlan(DataField Field, Func<DataField, Column> Create);

    private abstract class Column(DataField field)
    {
        protected DataField Field { get; } = field;

        public abstract ValueTask LoadAsync(ParquetRowGroupReader rowGroup, int rows);

        public abstract void Write(Utf8JsonWriter writer, int row);

        protected static T[] Ensure<T>(T[] buffer, int rows) => buffer.Length >= rows ? buffer : new T[rows];
    }

    private sealed class ValueColumn<T>(DataField field, Action<Utf8JsonWriter, T> write) : Column(field)
        where T : struct
    {
        private T?[] _nullable = [];
        private T[] _required = [];

        public override ValueTask LoadAsync(ParquetRowGroupReader rowGroup, int rows)
        {
            if (Field.IsNullable)
            {
                _nullable = Ensure(_nullable, rows);
                return rowGroup.ReadAsync(Field, _nullable.AsMemory(0, rows), null, CancellationToken.None);
            }

            _required = Ensure(_required, rows);
            return rowGroup.ReadAsync(Field, _required.AsMemory(0, rows), null, CancellationToken.None);
        }

        public override void Write(Utf8JsonWriter writer, int row)
        {
            if (!Field.IsNullable)
            {
                write(writer, _required[row]);
            }
            else if (_nullable[row] is { } value)
            {
                write(writer, value);
            }
            else
            {
                writer.WriteNullValue();
            }
        }
    }

    private sealed class StringColumn(DataField field) : Column(field)
    {
        private string?[] _values = [];

        public override ValueTask LoadAsync(ParquetRowGroupReader rowGroup, int rows)
        {
            _values = Ensure(_values, rows);
            return rowGroup.ReadAsync(Field, _values.AsMemory(0, rows)!, null, CancellationToken.None);
        }

        public override void Write(Utf8JsonWriter writer, int row)
        {
            if (_values[row] is { } value)
            {
                writer.WriteStringValue(value);
            }
            else
            {
                writer.WriteNullValue();
            }
        }
    }

    private sealed class BytesColumn(DataField field) : Column(field)
    {
        private byte[]?[] _values = [];

        public override ValueTask LoadAsync(ParquetRowGroupReader rowGroup, int rows)
        {
            _values = Ensure(_values, rows);
            return rowGroup.ReadAsync(Field, _values.AsMemory(0, rows)!, null, CancellationToken.None);
        }

        public override void Write(Utf8JsonWriter writer, int row)
        {
            if (_values[row] is { } value)
            {
                writer.WriteBase64StringValue(value);
            }
            else
            {
                writer.WriteNullValue();
            }
        }
    }

    private sealed class PathNode
    {
        public int Column { get; private set; } = -1;

        public List<(string Name, PathNode Node)>? Children { get; private set; }

        public bool TryAdd(string[] segments, int column)
        {
            var node = this;
            for (int i = 0; i < segments.Length; i++)
            {
                if (node.Column >= 0)
                {
                    return false;
                }

                node.Children ??= [];
                PathNode? next = null;
                foreach (var (name, child) in node.Children)
                {
                    if (string.Equals(name, segments[i], StringComparison.Ordinal))
                    {
                        next = child;
                        break;
                    }
                }

                if (next is null)
                {
                    next = new PathNode();
                    node.Children.Add((segments[i], next));
                }

                node = next;
            }

            if (node.Column >= 0 || node.Children is not null)
            {
                return false;
            }

            node.Column = column;
            return true;
        }
    }
}
