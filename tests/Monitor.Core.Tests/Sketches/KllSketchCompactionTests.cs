using System.Buffers;
using System.Security.Cryptography;
using Monitor.Core.Sketches;

namespace Monitor.Core.Tests.Sketches;

public sealed class KllSketchCompactionTests
{
    [Fact]
    public void Update_LargeKStreamAndMerges_SketchBytesUnchanged()
    {
        // Recorded with the compaction that halved and merged in place: at these k the first compactions
        // merge runs too long for the stack copies and later ones short enough, so both paths must give the
        // same bytes as before, ties and both zeros included.
        var rng = new Random(20261129);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (int k in new[] { 1000, 4000 })
        {
            var a = new KllSketch(k, 3);
            var b = new KllSketch(k, 4);
            for (int i = 0; i < 150_000; i++)
            {
                double x = (i % 4) switch
                {
                    0 => rng.Next(-3, 4) * 0.5,
                    1 => rng.Next(100) == 0 ? -0.0 : 0.0,
                    _ => (rng.NextDouble() - 0.5) * 1e3,
                };
                (i % 3 == 0 ? b : a).Update(x);
            }

            Append(hash, a);
            a.Merge(b);
            Append(hash, a);
            b.Merge(a);
            Append(hash, b);
        }

        Assert.Equal("B8D35AF1", Convert.ToHexString(hash.GetHashAndReset())[..8]);
    }

    private static void Append(IncrementalHash hash, KllSketch sketch)
    {
        var writer = new ArrayBufferWriter<byte>();
        sketch.WriteTo(writer);
        hash.AppendData(writer.WrittenSpan);
    }
}
