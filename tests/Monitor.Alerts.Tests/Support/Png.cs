using System.Buffers.Binary;
using System.IO.Compression;

namespace Monitor.Alerts.Tests;

/// <summary>Checks that bytes are a complete, valid PNG: signature, chunk CRCs, IHDR, and an IDAT stream that inflates to the expected size.</summary>
internal static class Png
{
    private static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];

    public static (int Width, int Height) Decode(byte[] png)
    {
        Assert.True(png.AsSpan().StartsWith(Signature), "PNG signature missing");
        int pos = 8, width = 0, height = 0, bitDepth = 0, colorType = 0;
        using var idat = new MemoryStream();
        bool end = false;
        while (!end)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos));
            string type = System.Text.Encoding.ASCII.GetString(png, pos + 4, 4);
            var data = png.AsSpan(pos + 8, length);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos + 8 + length));
            Assert.Equal(crc, Crc32.Compute(png.AsSpan(pos + 4, 4 + length)));
            switch (type)
            {
                case "IHDR":
                    width = BinaryPrimitives.ReadInt32BigEndian(data);
                    height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                    bitDepth = data[8];
                    colorType = data[9];
                    break;
                case "IDAT":
                    idat.Write(data);
                    break;
                case "IEND":
                    end = true;
                    break;
            }

            pos += 12 + length;
        }

        int channels = colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => throw new InvalidDataException($"color type {colorType}") };
        long expected = (long)height * (1 + ((long)width * channels * bitDepth + 7) / 8);
        idat.Position = 0;
        using var z = new ZLibStream(idat, CompressionMode.Decompress);
        using var raw = new MemoryStream();
        z.CopyTo(raw);
        Assert.Equal(expected, raw.Length);
        Assert.True(width > 0 && height > 0);
        return (width, height);
    }
}
