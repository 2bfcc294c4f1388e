using System.Buffers.Binary;
using Monitor.Core.Drift;
using Monitor.Core.Drift.Numeric;
using Monitor.Worker.Bench;

namespace Monitor.Worker.Tests.Bench;

public sealed class PeerBenchmarkTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("monitor-peer-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Run_ArraysWrittenLikeThePeerScript_GivesTheCoreStatisticsPerFeature()
    {
        var random = new Random(3);
        const int Features = 3;
        const int N = 500;
        var reference = Enumerable.Range(0, Features * N).Select(_ => random.NextDouble()).ToArray();
        var current = Enumerable.Range(0, Features * N).Select(i => random.NextDouble() + (i / N * 0.1)).ToArray();
        Write("reference.f64", reference);
        Write("current.f64", current);
        File.WriteAllText(Path.Combine(_dir, "meta.json"), """{"features":3,"n":500}""");

        var (features, seconds) = PeerBenchmark.Run(_dir);

        Assert.Equal(Features, features.Count);
        Assert.True(seconds >= 0);
        for (int f = 0; f < Features; f++)
        {
            var r = NumericSample.FromValues(reference.AsSpan(f * N, N));
            var c = NumericSample.FromValues(current.AsSpan(f * N, N));
            var ks = new KsTest().Fit(r).Evaluate(c, 0.05);
            Assert.Equal(ks.Statistic, features[f].Ks);
            Assert.Equal(ks.PValue, features[f].KsPValue);
            Assert.Equal(new PsiTest().Fit(r).Evaluate(c, 0.2).Statistic, features[f].Psi);
        }
    }

    [Fact]
    public void Run_ArrayOfTheWrongSize_FailsNamingTheFile()
    {
        Write("reference.f64", new double[10]);
        Write("current.f64", new double[10]);
        File.WriteAllText(Path.Combine(_dir, "meta.json"), """{"features":2,"n":10}""");

        var error = Assert.Throws<InvalidDataException>(() => PeerBenchmark.Run(_dir));

        Assert.Contains("reference.f64", error.Message, StringComparison.Ordinal);
    }

    private void Write(string name, double[] values)
    {
        var bytes = new byte[values.Length * sizeof(double)];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * sizeof(double)), values[i]);
        }

        File.WriteAllBytes(Path.Combine(_dir, name), bytes);
    }
}
