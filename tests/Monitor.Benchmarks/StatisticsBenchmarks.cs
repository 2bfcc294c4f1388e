using BenchmarkDotNet.Attributes;
using Monitor.Core.Drift;
using Monitor.Core.Drift.Numeric;
using Monitor.Core.Sketches;

namespace Monitor.Benchmarks;

/// <summary>KS (exact and from sketches), PSI from counts, and KLL update/merge.</summary>
[MemoryDiagnoser]
public class StatisticsBenchmarks
{
    private double[] _a = [];
    private double[] _b = [];
    private NumericSample _sampleA = null!;
    private NumericSample _sampleB = null!;
    private NumericSample _sketchA = null!;
    private NumericSample _sketchB = null!;
    private KllSketch _left = null!;
    private KllSketch _right = null!;
    private long[] _countsA = [];
    private long[] _countsB = [];

    [Params(100_000)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(11);
        _a = Enumerable.Range(0, N).Select(_ => random.NextDouble()).ToArray();
        _b = Enumerable.Range(0, N).Select(_ => random.NextDouble() + 0.01).ToArray();
        _sampleA = NumericSample.FromValues(_a);
        _sampleB = NumericSample.FromValues(_b);
        _left = new KllSketch(200, 1);
        _right = new KllSketch(200, 2);
        foreach (double x in _a)
        {
            _left.Update(x);
        }

        foreach (double x in _b)
        {
            _right.Update(x);
        }

        _sketchA = _left.ToSample();
        _sketchB = _right.ToSample();
        var bins = QuantileBins.FromReference(_sampleA);
        _countsA = bins.Count(_sampleA);
        _countsB = bins.Count(_sampleB);
    }

    [Benchmark(Baseline = true)]
    public double KsExactSortedSamples() => KolmogorovSmirnov.Statistic(_sampleA, _sampleB);

    [Benchmark]
    public double KsExactWithSortAndPValue()
    {
        var a = NumericSample.FromValues(_a);
        var b = NumericSample.FromValues(_b);
        double d = KolmogorovSmirnov.Statistic(a, b);
        return KolmogorovSmirnov.PValue(d, a.Count, b.Count);
    }

    [Benchmark]
    public double KsFromSketches() => KolmogorovSmirnov.Statistic(_sketchA, _sketchB);

    [Benchmark]
    public double PsiFromCounts() => Psi.FromCounts(_countsA, _countsB);

    [Benchmark]
    public long KllUpdate()
    {
        var sketch = new KllSketch(200, 3);
        foreach (double x in _a)
        {
            sketch.Update(x);
        }

        return sketch.Count;
    }

    [Benchmark]
    public long KllMerge()
    {
        var merged = _left.Clone();
        merged.Merge(_right);
        return merged.Count;
    }
}
