using System.Buffers;
using System.Security.Cryptography;
using FsCheck;
using FsCheck.Xunit;
using Monitor.Core.Sketches;

namespace Monitor.Core.Tests.Sketches;

/// <summary>
/// The level-0 sort of <see cref="KllSketch"/> must give exactly the sequence <c>Array.Sort</c> gives (bit for
/// bit), for every length around and beyond the network sizes, so the sketch's contents do not change.
/// </summary>
public sealed class SmallSortTests
{
    public enum Pattern
    {
        Random,
        FewDistinct,
        Sorted,
        Reversed,
        Negative,
        Zeros,
        Extremes,
        Constant,
    }

    public static TheoryData<Pattern> Patterns()
    {
        var data = new TheoryData<Pattern>();
        foreach (var p in Enum.GetValues<Pattern>())
        {
            data.Add(p);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Patterns))]
    public void Sort_EveryLengthUpTo300_SameBitsAsArraySort(Pattern pattern)
    {
        var rng = new Random(1234 + (int)pattern);
        for (int n = 0; n <= 300; n++)
        {
            for (int trial = 0; trial < 4; trial++)
            {
                AssertSortsLikeArraySort(Make(pattern, n, rng), $"{pattern} n={n} trial={trial}");
            }
        }
    }

    [Theory]
    [InlineData(257)]
    [InlineData(511)]
    [InlineData(1000)]
    [InlineData(5000)]
    public void Sort_LongerThanTheNetwork_SameBitsAsArraySort(int n)
    {
        var rng = new Random(n);
        foreach (var pattern in Enum.GetValues<Pattern>())
        {
            AssertSortsLikeArraySort(Make(pattern, n, rng), $"{pattern} n={n}");
        }
    }

    [Fact]
    public void Sort_SignedZeros_KeepsEveryZeroWithItsSign()
    {
        // min/max instructions would turn −0.0 into +0.0 when the two compare equal; the sort must not.
        double[] values = [0.0, -0.0, 1.5, -0.0, -2, 0.0, 0.0, -0.0, 3, -1, 0.0, -0.0, 7, 8, 9, -0.0];

        var sorted = (double[])values.Clone();
        SmallSort.Sort(sorted);

        Assert.Equal(Count(values, -0.0), Count(sorted, -0.0));
        Assert.Equal(Count(values, 0.0), Count(sorted, 0.0));
        AssertSortsLikeArraySort(values, "signed zeros");
    }

    [Fact]
    public void Sort_SubnormalsAndLargestFinite_OrderedBelowPadding()
    {
        double[] values = [double.MaxValue, double.Epsilon, -double.Epsilon, -double.MaxValue, 2.2250738585072014E-308, double.MaxValue, 1e-320, -1e-320, 0.0, 5, double.MaxValue];

        var sorted = (double[])values.Clone();
        SmallSort.Sort(sorted);

        Assert.Equal([-double.MaxValue, -1e-320, -double.Epsilon, 0.0, double.Epsilon, 1e-320, 2.2250738585072014E-308, 5, double.MaxValue, double.MaxValue, double.MaxValue], sorted);
    }

    [Fact]
    public void Sort_SliceOfLargerArray_LeavesNeighboursAlone()
    {
        var rng = new Random(7);
        var values = new double[80];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = rng.NextDouble();
        }

        var expected = (double[])values.Clone();
        Array.Sort(expected, 10, 21);

        SmallSort.Sort(values.AsSpan(10, 21));

        Assert.Equal(expected, values);
    }

    [Property(MaxTest = 300, Replay = "20261128,1309")]
    public void Sort_AnyFiniteValues_SameBitsAsArraySort(NormalFloat[] raw)
    {
        var values = raw.Select(x => x.Get).Where(double.IsFinite).ToArray();

        AssertSortsLikeArraySort(values, "property");
    }

    [Property(MaxTest = 300, Replay = "20261128,1311")]
    public void Sort_FewDistinctValues_SameBitsAsArraySort(byte[] codes)
    {
        // Heavy duplicates, both zeros among them.
        var values = codes.Select(c => (c % 7) switch { 0 => -0.0, 1 => 0.0, _ => (c % 7) - 4.0 }).ToArray();

        AssertSortsLikeArraySort(values, "few distinct");
    }

    [Fact]
    public void Update_MixedStreamAndMerges_SketchBytesUnchanged()
    {
        // The digest of sketches built with the framework sort before the network replaced it: the sketch's
        // contents, serialised form included, must not depend on how level 0 is sorted.
        var rng = new Random(20261128);
        var hash = new IncrementalHashOf();
        foreach (int k in new[] { KllSketch.MinK, 200, 333 })
        {
            var a = new KllSketch(k, 1);
            var b = new KllSketch(k, 2);
            for (int i = 0; i < 60_000; i++)
            {
                double x = (i % 5) switch
                {
                    0 => rng.Next(-3, 4) * 0.5,
                    1 => -rng.NextDouble() * 1e6,
                    2 => rng.Next(200) == 0 ? -0.0 : 0.0,
                    _ => Math.Exp(rng.NextDouble() * 20) - 1,
                };
                (i % 3 == 0 ? b : a).Update(x);
            }

            hash.Add(a);
            a.Merge(b);
            hash.Add(a);
            b.Merge(a);
            hash.Add(b);
        }

        Assert.Equal("5BAB9958", hash.Digest());
    }

    private static double[] Make(Pattern pattern, int n, Random rng)
    {
        var values = new double[n];
        for (int i = 0; i < n; i++)
        {
            values[i] = pattern switch
            {
                Pattern.Random => (rng.NextDouble() - 0.5) * 1e3,
                Pattern.FewDistinct => rng.Next(4),
                Pattern.Sorted => i * 0.25,
                Pattern.Reversed => (n - i) * 3.0,
                Pattern.Negative => -rng.NextDouble() * Math.Pow(10, rng.Next(-5, 6)),
                Pattern.Zeros => rng.Next(4) switch { 0 => -0.0, 1 => 0.0, 2 => 1.0, _ => -1.0 },
                Pattern.Extremes => rng.Next(4) switch { 0 => double.MaxValue, 1 => -double.MaxValue, 2 => double.Epsilon, _ => -double.Epsilon },
                _ => 42.0,
            };
        }

        return values;
    }

    private static void AssertSortsLikeArraySort(double[] values, string what)
    {
        var expected = (double[])values.Clone();
        Array.Sort(expected);
        var actual = (double[])values.Clone();

        SmallSort.Sort(actual);

        for (int i = 0; i < values.Length; i++)
        {
            if (BitConverter.DoubleToInt64Bits(expected[i]) != BitConverter.DoubleToInt64Bits(actual[i]))
            {
                Assert.Fail($"{what}: position {i} holds {actual[i]:R}, Array.Sort gives {expected[i]:R}");
            }
        }
    }

    private static int Count(double[] values, double zero) =>
        values.Count(v => BitConverter.DoubleToInt64Bits(v) == BitConverter.DoubleToInt64Bits(zero));

    private sealed class IncrementalHashOf
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public void Add(KllSketch sketch)
        {
            var writer = new ArrayBufferWriter<byte>();
            sketch.WriteTo(writer);
            _hash.AppendData(writer.WrittenSpan);
        }

        public string Digest() => Convert.ToHexString(_hash.GetHashAndReset())[..8];
    }
}
