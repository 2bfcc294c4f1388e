using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Monitor.Core.Drift;

namespace Monitor.Worker.Bench;

/// <summary>One feature's exact-mode KS and PSI as computed for the scipy comparison.</summary>
internal sealed record PeerFeature(int Feature, double Ks, double KsPValue, double Psi);

/// <summary>
/// The Monitor side of tests/Monitor.Benchmarks/peer/compare.py: reads the reference and current arrays the
/// script wrote (raw little-endian float64, feature-major), computes exact KS (statistic and p-value) and PSI
/// per feature the way a window evaluation does — build both samples from the raw values, fit on the reference,
/// evaluate the current — and times it: first one feature after another on one thread (the figure returned, which
/// includes the JIT's first compilations), then all features again in parallel (Parallel.For over features, as a
/// window with many features could be evaluated), then sequentially once more (warm: compiled code, grown heap);
/// the last two are written as a second JSON line <c>{"bench":"peer_parallel"}</c>.
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
        var owned = Fresh(reference, current, features, n);
        var results = new PeerFeature[features];
        Settle();
        var watch = Stopwatch.StartNew();
        for (int f = 0; f < features; f++)
        {
            results[f] = Feature(f, reference.AsSpan(f * n, n), current.AsSpan(f * n, n));
        }

        double seconds = watch.Elapsed.TotalSeconds;

        // As a window evaluation hands its values over (NumericAccumulator.ToSample): arrays the samples own, so
        // nothing is copied again. Filled before the clock starts, as numpy's arrays are for scipy.
        var ownedResults = new PeerFeature[features];
        Settle();
        watch.Restart();
        for (int f = 0; f < features; f++)
        {
            ownedResults[f] = Feature(f, owned[f].Reference, owned[f].Current);
        }

        double ownedSeconds = watch.Elapsed.TotalSeconds;
        if (!ownedResults.SequenceEqual(results))
        {
            throw new InvalidOperationException("Samples over owned arrays gave other results than copied ones.");
        }

        var parallel = new PeerFeature[features];
        Settle();
        watch.Restart();
        Parallel.For(0, features, f => parallel[f] = Feature(f, reference.AsSpan(f * n, n), current.AsSpan(f * n, n)));
        double parallelSeconds = watch.Elapsed.TotalSeconds;
        if (!parallel.SequenceEqual(results))
        {
            throw new InvalidOperationException("The parallel run gave other results than the sequential one.");
        }

        // The same sequential run again, now that the code is compiled and the heap has grown: the figure to set
        // against the parallel one, which also runs warm.
        Settle();
        watch.Restart();
        for (int f = 0; f < features; f++)
        {
            _ = Feature(f, reference.AsSpan(f * n, n), current.AsSpan(f * n, n));
        }

        double warmSeconds = watch.Elapsed.TotalSeconds;
        Console.Out.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{{\"bench\":\"peer_parallel\",\"seconds\":{parallelSeconds:R},\"threads\":{Environment.ProcessorCount},\"warm_sequential_seconds\":{warmSeconds:R},\"owned_sequential_seconds\":{ownedSeconds:R}}}"));
        return (results, seconds);
    }

    /// <summary>All of one feature's work, from the raw arrays on: nothing is prepared outside the timed region.</summary>
    private static PeerFeature Feature(int feature, ReadOnlySpan<double> referenceValues, ReadOnlySpan<double> currentValues) =>
        Feature(feature, NumericSample.FromValues(referenceValues), NumericSample.FromValues(currentValues));

    private static PeerFeature Feature(int feature, double[] referenceValues, double[] currentValues) =>
        Feature(feature, NumericSample.FromOwned(referenceValues), NumericSample.FromOwned(currentValues));

    private static PeerFeature Feature(int feature, NumericSample r, NumericSample c)
    {
        var registry = DriftTestRegistry.Default;
        registry.TryGetNumeric("ks", out var ks);
        registry.TryGetNumeric("psi", out var psi);
        var k = ks!.Fit(r).Evaluate(c, 0.05);
        var p = psi!.Fit(r).Evaluate(c, 0.2);
        return new PeerFeature(feature, k.Statistic, k.PValue ?? double.NaN, p.Statistic);
    }

    /// <summary>
    /// A full collection before each timed run, outside the clock (as BenchmarkDotNet does before every iteration):
    /// a run then pays for its own allocations, not for the previous run's garbage. Without it the GC's budget, sized
    /// by the 640 MB of input arrays, lets the heap grow through whole runs, and every sample's copy lands in memory
    /// the kernel must first fault in and zero (about 5 ms per feature on the 2-core test machine).
    /// </summary>
    private static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    private static (double[] Reference, double[] Current)[] Fresh(double[] reference, double[] current, int features, int n)
    {
        var owned = new (double[], double[])[features];
        for (int f = 0; f < features; f++)
        {
            owned[f] = (reference.AsSpan(f * n, n).ToArray(), current.AsSpan(f * n, n).ToArray());
        }

        return owned;
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
