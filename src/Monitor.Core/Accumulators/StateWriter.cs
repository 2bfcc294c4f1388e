using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Monitor.Core.Accumulators;

/// <summary>
/// Little-endian binary writer for checkpointed state. Doubles are written as their IEEE bits, so a state that
/// is written, read and written again yields identical bytes.
/// </summary>
public sealed class StateWriter
{
    private readonly IBufferWriter<byte> _out;

    /// <summary>Writes into <paramref name="output"/>.</summary>
    public StateWriter(IBufferWriter<byte> output) => _out = output;

    /// <summary>The underlying buffer, for nested formats that write themselves (e.g. sketches).</summary>
    public IBufferWriter<byte> Buffer => _out;

    /// <summary>Writes one byte.</summary>
    public void Byte(byte value)
    {
        _out.GetSpan(1)[0] = value;
        _out.Advance(1);
    }

    /// <summary>Writes a boolean as one byte.</summary>
    public void Bool(bool value) => Byte(value ? (byte)1 : (byte)0);

    /// <summary>Writes a 32-bit integer.</summary>
    public void Count32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_out.GetSpan(4), value);
        _out.Advance(4);
    }

    /// <summary>Writes a 64-bit integer.</summary>
    public void Count64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_out.GetSpan(8), value);
        _out.Advance(8);
    }

    /// <summary>Writes a double's exact bits.</summary>
    public void Real(double value) => Count64(BitConverter.DoubleToInt64Bits(value));

    /// <summary>Writes a length-prefixed UTF-8 string.</summary>
    public void Text(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        int n = Encoding.UTF8.GetByteCount(value);
        Count32(n);
        Encoding.UTF8.GetBytes(value, _out.GetSpan(n));
        _out.Advance(n);
    }

    /// <summary>Writes a length-prefixed array of doubles.</summary>
    public void Reals(ReadOnlySpan<double> values)
    {
        Count32(values.Length);
        foreach (double v in values)
        {
            Real(v);
        }
    }

    /// <summary>Writes a length-prefixed array of 64-bit integers.</summary>
    public void Longs(ReadOnlySpan<long> values)
    {
        Count32(values.Length);
        foreach (long v in values)
        {
            Count64(v);
        }
    }

    /// <summary>Writes a length-prefixed byte block.</summary>
    public void Block(ReadOnlySpan<byte> bytes)
    {
        Count32(bytes.Length);
        _out.Write(bytes); // in pieces: a streaming writer need not hold the whole block
    }
}
