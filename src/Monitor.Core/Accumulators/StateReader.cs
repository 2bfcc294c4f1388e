using System.Buffers.Binary;
using System.Text;

namespace Monitor.Core.Accumulators;

/// <summary>Reads what <see cref="StateWriter"/> wrote; any truncation or bad length is an <see cref="InvalidDataException"/>.</summary>
public ref struct StateReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _pos;

    /// <summary>Reads from <paramref name="data"/>.</summary>
    public StateReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _pos = 0;
    }

    /// <summary>Bytes not read yet.</summary>
    public readonly int Remaining => _data.Length - _pos;

    /// <summary>Reads one byte.</summary>
    public byte Byte() => Take(1)[0];

    /// <summary>Reads a boolean byte (0 or 1).</summary>
    public bool Bool() => Byte() switch
    {
        0 => false,
        1 => true,
        var b => throw new InvalidDataException($"Corrupt state: expected a boolean byte, found {b}."),
    };

    /// <summary>Reads a 32-bit integer.</summary>
    public int Count32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    /// <summary>Reads a 64-bit integer.</summary>
    public long Count64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    /// <summary>Reads a double from its bits.</summary>
    public double Real() => BitConverter.Int64BitsToDouble(Count64());

    /// <summary>Reads a non-negative length that fits in what is left, given the element size.</summary>
    public int Length(int elementSize)
    {
        int n = Count32();
        if (n < 0 || (long)n * elementSize > Remaining)
        {
            throw new InvalidDataException($"Corrupt state: length {n} at byte {_pos - 4} exceeds the {Remaining} bytes left.");
        }

        return n;
    }

    /// <summary>Reads a length-prefixed UTF-8 string.</summary>
    public string Text() => Encoding.UTF8.GetString(Take(Length(1)));

    /// <summary>Reads a length-prefixed array of doubles.</summary>
    public double[] Reals()
    {
        var result = new double[Length(8)];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = Real();
        }

        return result;
    }

    /// <summary>Reads a length-prefixed array of 64-bit integers.</summary>
    public long[] Longs()
    {
        var result = new long[Length(8)];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = Count64();
        }

        return result;
    }

    /// <summary>Reads a length-prefixed byte block.</summary>
    public ReadOnlySpan<byte> Block() => Take(Length(1));

    /// <summary>Fails unless the expected tag byte comes next (guards against reading the wrong structure).</summary>
    public void Expect(byte tag, string what)
    {
        byte b = Byte();
        if (b != tag)
        {
            throw new InvalidDataException($"Corrupt state: expected {what} (tag {tag}), found tag {b} at byte {_pos - 1}.");
        }
    }

    private ReadOnlySpan<byte> Take(int n)
    {
        if (n > Remaining)
        {
            throw new InvalidDataException($"Corrupt state: needed {n} bytes at byte {_pos}, only {Remaining} left.");
        }

        var s = _data.Slice(_pos, n);
        _pos += n;
        return s;
    }
}
