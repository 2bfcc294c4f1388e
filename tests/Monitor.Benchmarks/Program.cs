using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Running;
using Monitor.Benchmarks;

if (args.Length > 0 && args[0] == "smoke")
{
    return Smoke.Run();
}

BenchmarkSwitcher.FromAssembly(typeof(IngestBenchmarks).Assembly).Run(args);
return 0;

/// <summary>Runs every benchmark body once on tiny inputs: CI's check that the benchmarks still work.</summary>
internal static class Smoke
{
    public static int Run()
    {
        var watch = Stopwatch.StartNew();
        foreach (string mode in new[] { "exact", "sketch" })
        {
            var ingest = new IngestBenchmarks { Mode = mode };
            ingest.Setup();
            Check(ingest.JsonTokenWalk() > 0, "JsonTokenWalk");
            Check(ingest.Decode() == 20_000, "Decode");
            Check(ingest.DecodeAndAccumulate() == 20_000, "DecodeAndAccumulate");
        }

        var stats = new StatisticsBenchmarks { N = 2_000 };
        stats.Setup();
        Check(stats.KsExactSortedSamples() is > 0 and <= 1, "KsExactSortedSamples");
        Check(stats.KsExactWithSortAndPValue() is >= 0 and <= 1, "KsExactWithSortAndPValue");
        Check(stats.KsFromSketches() is >= 0 and <= 1, "KsFromSketches");
        Check(stats.PsiFromCounts() >= 0, "PsiFromCounts");
        Check(stats.KllUpdate() == 2_000, "KllUpdate");
        Check(stats.KllMerge() == 4_000, "KllMerge");

        var evaluate = new EvaluateBenchmarks { Features = 5, ValuesPerFeature = 2_000 };
        evaluate.Setup();
        Check(evaluate.EvaluateWindow() == 5, "EvaluateWindow");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"benchmarks smoke: 11 benchmark bodies ran in {watch.Elapsed.TotalSeconds:F1} s"));
        return 0;
    }

    private static void Check(bool ok, string name)
    {
        if (!ok)
        {
            throw new InvalidOperationException($"Benchmark {name} returned an impossible result.");
        }
    }
}
