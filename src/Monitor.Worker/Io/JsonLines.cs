using System.Buffers;
using System.Text;

namespace Monitor.Worker.Io;

/// <summary>Reads UTF-8 JSON lines (one message per line; blank lines skipped) from a file.</summary>
internal static class JsonLines
{
    public static IEnumerable<ReadOnlyMemory<byte>> Read(string path)
    {
        using var stream = File.OpenRead(path);
        var buffer = new byte[1 << 16];
        var pending = new ArrayBufferWriter<byte>();
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            int start = 0;
            for (int i = 0; i < read; i++)
            {
                if (buffer[i] != (byte)'\n')
                {
                    continue;
                }

                pending.Write(buffer.AsSpan(start, i - start));
                if (TryTake(pending, out var line))
                {
                    yield return line;
                }

                start = i + 1;
            }

            pending.Write(buffer.AsSpan(start, read - start));
        }

        if (TryTake(pending, out var last))
        {
            yield return last;
        }
    }

    private static bool TryTake(ArrayBufferWriter<byte> pending, out ReadOnlyMemory<byte> line)
    {
        var span = pending.WrittenSpan;
        int end = span.Length;
        while (end > 0 && (span[end - 1] == (byte)'\r' || span[end - 1] == (byte)' ' || span[end - 1] == (byte)'\t'))
        {
            end--;
        }

        bool blank = true;
        for (int i = 0; i < end && blank; i++)
        {
            blank = span[i] is (byte)' ' or (byte)'\t';
        }

        line = blank ? ReadOnlyMemory<byte>.Empty : span[..end].ToArray();
        pending.Clear();
        return !blank;
    }
}

/// <summary>
/// Reads a CSV file with a header row as JSON objects in the event contract's shape: a column named like a
/// feature goes under the features object, a dotted column (<c>prediction.score</c>, <c>label</c>) goes to
/// that path. Empty cells are null, numeric cells numbers, everything else strings. RFC 4180 quoting.
/// </summary>
internal static class CsvRows
{
    public static IEnumerable<ReadOnlyMemory<byte>> Read(string path, ISet<string> featureNames, string featuresRoot)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        string? header = reader.ReadLine();
        if (header is null)
        {
            yield break;
        }

        var columns = Split(header).Select(c => c.Trim()).ToArray();
        var paths = columns.Select(c => featureNames.Contains(c) ? $"{featuresRoot}.{c}" : c).ToArray();
        string? line;
        int lineNumber = 1;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            var cells = Split(line);
            if (cells.Count != columns.Length)
            {
                throw new FormatException($"{path}:{lineNumber}: {cells.Count} cells for {columns.Length} columns.");
            }

            yield return ToJson(paths, cells);
        }
    }

    private static byte[] ToJson(string[] paths, List<string> cells)
    {
        var root = new Dictionary<string, object?>(StringComparer.Ordinal);
        for (int i = 0; i < paths.Length; i++)
        {
            var segments = paths[i].Split('.');
            var node = root;
            for (int s = 0; s < segments.Length - 1; s++)
            {
                if (!node.TryGetValue(segments[s], out var child) || child is not Dictionary<string, object?> dict)
                {
                    dict = new Dictionary<string, object?>(StringComparer.Ordinal);
                    node[segments[s]] = dict;
                }

                node = dict;
            }

            string cell = cells[i];
            node[segments[^1]] = cell.Length == 0 ? null
                : double.TryParse(cell, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double d) && double.IsFinite(d) ? d
                : cell;
        }

        return System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(root);
    }

    private static List<string> Split(string line)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        cells.Add(cell.ToString());
        return cells;
    }
}
