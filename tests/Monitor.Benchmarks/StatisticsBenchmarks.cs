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

        // Exact samples sort lazily; sorting both here keeps this baseline a merge walk over sorted samples.
        _ = _sampleA.Values;
        _ = _sampleB.Values;
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

/// <summary>
/// Exact KS + PSI on 1,000,000 vs 1,000,000 values, everything from the raw arrays on: the sort-and-walk path
/// (baseline: sort both samples, merge-walk KS, quantile edges and bin counts from the sorted values) against the
/// bucketed path the tests take now, and the per-window cost with the reference already fitted. Also a full sort
/// by Array.Sort against the bucket-index sort exact samples use when a test needs sorted values.
/// </summary>
[MemoryDiagnoser]
public class ExactKsPsiBenchmarks
{
    private double[] _reference = [];
    private double[] _current = [];
    private INumericDriftDetector _ks = null!;
    private INumericDriftDetector _psi = null!;

    [Params(1_000_000)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(17);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        _reference = Enumerable.Range(0, N).Select(_ => Normal()).ToArray();
        _current = Enumerable.Range(0, N).Select(_ => Normal() + 0.01).ToArray();
        var reference = NumericSample.FromValues(_reference);
        _ks = new KsTest().Fit(reference);
        _psi = new PsiTest().Fit(reference);
    }

    [Benchmark(Baseline = true)]
    public double SortAndWalk()
    {
        var reference = NumericSample.FromValues(_reference);
        var current = NumericSample.FromValues(_current);
        _ = reference.Values;
        _ = current.Values;
        double d = KolmogorovSmirnov.SortedWalkStatistic(reference, current);
        var (statistic, p) = KolmogorovSmirnov.StatisticAndPValue(d, reference.Count, current.Count);
        var bins = QuantileBins.FromSorted(reference, QuantileBins.DefaultBinCount);
        double psi = Psi.FromCounts(bins.CountSorted(reference), bins.CountSorted(current));
        return statistic + p + psi;
    }

    [Benchmark]
    public double Bucketed()
    {
        var reference = NumericSample.FromValues(_reference);
        var current = NumericSample.FromValues(_current);
        var ks = new KsTest().Fit(reference).Evaluate(current, 0.05);
        var psi = new PsiTest().Fit(reference).Evaluate(current, 0.2);
        return ks.Statistic + (ks.PValue ?? 0) + psi.Statistic;
    }

    [Benchmark]
    public double BucketedWindowOnly()
    {
        var current = NumericSample.FromValues(_current);
        var ks = _ks.Evaluate(current, 0.05);
        return ks.Statistic + (ks.PValue ?? 0) + _psi.Evaluate(current, 0.2).Statistic;
    }

    [Benchmark]
    public double FullSortArraySort()
    {
        var values = (double[])_reference.Clone();
        Array.Sort(values);
        return values[values.Length / 2];
    }

    [Benchmark]
    public double FullSortBucketIndex()
    {
        var sample = NumericSample.FromValues(_reference);
        _ = sample.Index;
        return sample.Values[sample.Values.Length / 2];
    }
}
