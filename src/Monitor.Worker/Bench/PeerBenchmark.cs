using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.Json;
using Monitor.Core.Drift;

namespace Monitor.Worker.Bench;

/// <summary>One feature's exact-mode KS and PSI as computed for the scipy comparison.</summary>
internal sealed record PeerFeature(int Feature, double Ks, double KsPValue, double Psi);

/// <summary>
/// The Monitor side of tests/Monitor.Benchmarks/peer/compare.py: reads the reference and current arrays the
/// script wrote (raw little-endian float64, feature-major), computes exact KS (statistic and p-value) and PSI
/// per feature the way a window evaluation does — sort, fit on the reference, evaluate the current — and times it.
/// </summary>
internal static class PeerBenchmark
{
    public static (IReadOnlyList<PeerFeature> Features, double Seconds) Run(string directory)
    {
        using var meta = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, "meta.json")));
        int features = meta.RootElement.GetProperty("features").GetInt32();
        int n = meta.RootElement.GetProperty("n").GetInt32();
        var reference = Read(Path.Combine(directory, "reference.f64"), features, n);
        var current = Read(Path.Combine(directory, "current.f64"), features, n);
        var registry = DriftTestRegistry.Default;
        registry.TryGetNumeric("ks", out var ks);
        registry.TryGetNumeric("psi", out var psi);
        var results = new PeerFeature[features];
        var watch = Stopwatch.StartNew();
        for (int f = 0; f < features; f++)
        {
            var r = NumericSample.FromValues(reference.AsSpan(f * n, n));
            var c = NumericSample.FromValues(current.AsSpan(f * n, n));
            var k = ks!.Fit(r).Evaluate(c, 0.05);
            var p = psi!.Fit(r).Evaluate(c, 0.2);
            results[f] = new PeerFeature(f, k.Statistic, k.PValue ?? double.NaN, p.Statistic);
        }

        return (results, watch.Elapsed.TotalSeconds);
    }

    private static double[] Read(string path, int features, int n)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length != (long)features * n * sizeof(double))
        {
            throw new InvalidDataException($"{path}: {bytes.Length} bytes, expected {features} × {n} float64 values.");
        }

        var values = new double[features * n];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(i * sizeof(double)));
        }

        return values;
    }
}
