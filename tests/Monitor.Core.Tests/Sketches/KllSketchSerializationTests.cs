using System.Buffers;
using FsCheck.Xunit;
using Monitor.Core.Sketches;

namespace Monitor.Core.Tests.Sketches;

public sealed class KllSketchSerializationTests
{
    private static readonly int[] Ks = [KllSketch.MinK, 50, 200, 333];

    [Property(MaxTest = 150)]
    public void ReadFrom_WrittenSketch_ReserialisesBitForBitAndContinuesIdentically(
        double[] raw, int seed, ushort bulk, byte kChoice, bool merged, bool extra)
    {
        var sketch = Build(raw, seed, bulk, Ks[kChoice % Ks.Length], merged);
        byte[] bytes = Bytes(sketch);

        var restored = KllSketch.ReadFrom(bytes);

        Assert.Equal(bytes, Bytes(restored));
        Assert.Equal(sketch.Count, restored.Count);
        Assert.Equal(sketch.Min, restored.Min);
        Assert.Equal(sketch.Max, restored.Max);
        Assert.Equal(sketch.RetainedItems, restored.RetainedItems);
        Assert.Equal(sketch.RankErrorBound, restored.RankErrorBound);
        Assert.Equal(bytes.Length, sketch.SerializedSize);

        // The generator state travels too: the restored sketch continues exactly as the original.
        var rng = new Random(seed);
        int more = 500 + rng.Next(3000);
        for (int i = 0; i < more; i++)
        {
            double x = rng.NextDouble() * 100;
            sketch.Update(x);
            restored.Update(x);
        }

        if (extra)
        {
            var other = Build([], seed ^ 0x5A5A, 4000, sketch.K, merged: false);
            sketch.Merge(other);
            restored.Merge(other);
        }

        Assert.Equal(Bytes(sketch), Bytes(restored));
    }

    [Fact]
    public void ReadFrom_EmptySketch_RoundTrips()
    {
        var empty = new KllSketch(64, 99);
        byte[] bytes = Bytes(empty);

        var restored = KllSketch.ReadFrom(bytes);

        Assert.True(restored.IsEmpty);
        Assert.Equal(64, restored.K);
        Assert.Equal(bytes, Bytes(restored));
    }

    [Fact]
    public void ReadFrom_UnknownVersion_ThrowsNamingTheVersion()
    {
        byte[] bytes = Bytes(Build([], 1, 5000, 200, merged: false));
        bytes[0] = 9;

        var error = Assert.Throws<InvalidDataException>(() => KllSketch.ReadFrom(bytes));

        Assert.Contains("version 9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadFrom_Truncated_Throws()
    {
        byte[] bytes = Bytes(Build([], 2, 5000, 200, merged: false));

        for (int length = 0; length < bytes.Length; length += 7)
        {
            Assert.Throws<InvalidDataException>(() => KllSketch.ReadFrom(bytes.AsSpan(0, length)));
        }

        Assert.Throws<InvalidDataException>(() => KllSketch.ReadFrom(bytes.AsSpan(0, bytes.Length - 1)));
    }

    [Fact]
    public void ReadFrom_TrailingBytes_Throws()
    {
        byte[] bytes = Bytes(Build([], 2, 5000, 200, merged: false));

        Assert.Throws<InvalidDataException>(() => KllSketch.ReadFrom([.. bytes, 0]));
    }

    [Fact]
    public void ReadFrom_AnySingleBitFlipped_Throws()
    {
        byte[] bytes = Bytes(Build([], 3, 3000, 50, merged: true));

        for (int bit = 0; bit < bytes.Length * 8; bit++)
        {
            var corrupt = (byte[])bytes.Clone();
            corrupt[bit / 8] ^= (byte)(1 << (bit % 8));

            Assert.Throws<InvalidDataException>(() => KllSketch.ReadFrom(corrupt));
        }
    }

    [Fact]
    public void ReadFrom_ConsistentChecksumButInconsistentContent_Throws()
    {
        // Corruption that also rewrote the checksum is still caught by the structural checks.
        byte[] bytes = Bytes(Build([], 4, 5000, 200, merged: false));
        const int countOffset = 5;
        bytes[countOffset] ^= 1;
        Rechecksum(bytes);

        var error = Assert.Throws<InvalidDataException>(() => KllSketch.ReadFrom(bytes));

        Assert.Contains("weights sum", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteTo_Layout_StartsWithVersionAndK()
    {
        byte[] bytes = Bytes(new KllSketch(300));

        Assert.Equal(KllSketch.FormatVersion, bytes[0]);
        Assert.Equal(300, bytes[3] | (bytes[4] << 8));
    }

    private static KllSketch Build(double[] raw, int seed, int bulk, int k, bool merged)
    {
        var rng = new Random(seed);
        var sketch = new KllSketch(k, (ulong)(uint)seed);
        var other = new KllSketch(k, (ulong)(uint)seed + 1);
        foreach (double x in raw)
        {
            if (double.IsFinite(x))
            {
                sketch.Update(x);
            }
        }

        for (int i = 0; i < bulk; i++)
        {
            double x = rng.Next(4) == 0 ? rng.Next(-3, 3) : rng.NextDouble() * 1e6;
            (merged && (i & 1) == 1 ? other : sketch).Update(x);
        }

        if (merged)
        {
            sketch.Merge(other);
        }

        return sketch;
    }

    private static byte[] Bytes(KllSketch sketch)
    {
        var writer = new ArrayBufferWriter<byte>();
        sketch.WriteTo(writer);
        return writer.WrittenSpan.ToArray();
    }

    private static void Rechecksum(byte[] bytes)
    {
        ulong hash = 0xCBF29CE484222325UL;
        for (int i = 0; i < bytes.Length - 8; i++)
        {
            hash = (hash ^ bytes[i]) * 0x100000001B3UL;
        }

        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(bytes.Length - 8), hash);
    }
}
