using System.Diagnostics;
using Monitor.Core.Accumulators;
using Monitor.Core.Drift.Numeric;

namespace Monitor.Worker.Bench;

/// <summary>What <c>monitor bench memory</c> runs.</summary>
/// <param name="Features">Numeric features.</param>
/// <param name="Windows">Open windows per feature.</param>
/// <param name="EventsPerWindow">Values added to each accumulator.</param>
internal sealed record MemorySettings(int Features, int Windows, long EventsPerWindow);

/// <summary>The memory of every accumulator after <paramref name="Events"/> values each.</summary>
/// <param name="Events">Values per accumulator so far.</param>
/// <param name="BytesPerAccumulator">Mean of sketch bytes plus PSI bin counts, per feature per window.</param>
/// <param name="MaxBytesPerAccumulator">The largest accumulator.</param>
/// <param name="ManagedBytes">Managed heap after a full collection.</param>
/// <param name="RssBytes">Process resident set.</param>
/// <param name="Seconds">Time since the start.</param>
internal sealed record MemoryPoint(long Events, double BytesPerAccumulator, long MaxBytesPerAccumulator, long ManagedBytes, long RssBytes, double Seconds);

/// <summary>
/// Sketch-mode accumulators for F features × W windows, fed generated values directly (no Kafka, no decoding):
/// what bounds the daemon's memory when windows are large. Reports the bytes per feature per window at every
/// power of ten of values, to show they stop growing.
/// </summary>
internal static class MemoryBenchmark
{
    public static List<MemoryPoint> Run(MemorySettings s, Action<MemoryPoint> progress, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(s.Features, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(s.Windows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(s.EventsPerWindow, 1);
        // Sketch mode from the first value, as a window past the exact limit; default KLL size.
        var options = new NumericAccumulatorOptions { ExactLimit = 1 };
        var accumulators = new NumericAccumulator[s.Features * s.Windows];
        for (int i = 0; i < accumulators.Length; i++)
        {
            int f = i % s.Features;
            var edges = new double[9];
            for (int e = 0; e < edges.Length; e++)
            {
                edges[e] = f + (100.0 * (e + 1) / 10);
            }

            accumulators[i] = new NumericAccumulator(options, QuantileBins.FromEdges(edges));
        }

        var points = new List<MemoryPoint>();
        var random = new Random(42);
        var watch = Stopwatch.StartNew();
        long done = 0;
        for (long milestone = 1000; done < s.EventsPerWindow; milestone *= 10)
        {
            long target = Math.Min(milestone, s.EventsPerWindow);
            for (int i = 0; i < accumulators.Length; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var accumulator = accumulators[i];
                double lo = i % s.Features;
                for (long n = done; n < target; n++)
                {
                    accumulator.Add(lo + (random.NextDouble() * 100));
                }
            }

            done = target;
            var point = Measure(accumulators, done, watch.Elapsed.TotalSeconds);
            points.Add(point);
            progress(point);
        }

        GC.KeepAlive(accumulators);
        return points;
    }

    private static MemoryPoint Measure(NumericAccumulator[] accumulators, long events, double seconds)
    {
        long total = 0;
        long max = 0;
        foreach (var accumulator in accumulators)
        {
            long bytes = accumulator.StoreBytes + (accumulator.BinCounts.Length * sizeof(long));
            total += bytes;
            max = Math.Max(max, bytes);
        }

        return new MemoryPoint(events, (double)total / accumulators.Length, max, GC.GetTotalMemory(forceFullCollection: true), ProcessStats.Rss(), seconds);
    }
}
