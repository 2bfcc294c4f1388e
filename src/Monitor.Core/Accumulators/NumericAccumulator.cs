using System.Buffers;
using Monitor.Core.Drift;
using Monitor.Core.Drift.Numeric;
using Monitor.Core.Sketches;

namespace Monitor.Core.Accumulators;

/// <summary>
/// Everything Monitor keeps about one numeric stream (a feature or the model's score) in one window pane:
/// counts, missing and error tallies, moments, exact counts in the baseline's bins, and the values — all of
/// them up to <see cref="NumericAccumulatorOptions.ExactLimit"/>, beyond it a KLL sketch.
/// </summary>
/// <remarks>
/// Mergeable: panes merge into windows and partitions into models. In exact mode a merge equals accumulating
/// the union (values, counts, bins, min/max identically; mean and variance to rounding, as Chan's parallel
/// update reassociates the sums). Once either side is a sketch the merge is a sketch, within its stated bound.
/// </remarks>
public sealed class NumericAccumulator
{
    private const byte Tag = 0x4E; // 'N'
    private const byte Version = 1;

    private readonly NumericAccumulatorOptions _options;
    private readonly QuantileBins? _bins;
    private readonly long[] _binCounts;
    private readonly ChunkedValues _values = new();
    private KllSketch? _sketch;
    private double _mean;
    private double _m2;

    /// <summary>Creates an empty accumulator.</summary>
    /// <param name="options">Exact limit and sketch size.</param>
    /// <param name="bins">The baseline's PSI bins, counted exactly; <see langword="null"/> when no baseline exists yet.</param>
    public NumericAccumulator(NumericAccumulatorOptions options, QuantileBins? bins)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _bins = bins;
        _binCounts = new long[bins?.BinCount ?? 0];
        Min = double.PositiveInfinity;
        Max = double.NegativeInfinity;
    }

    /// <summary>Finite values accepted.</summary>
    public long Count { get; private set; }

    /// <summary>Events where the field was null or absent.</summary>
    public long Missing { get; private set; }

    /// <summary>Events where the field had the wrong JSON type (a string for a number, say) or was not finite.</summary>
    public long TypeErrors { get; private set; }

    /// <summary>Values outside the rule's [min, max] range (they are still accumulated).</summary>
    public long OutOfRange { get; private set; }

    /// <summary>Smallest value; +∞ when empty.</summary>
    public double Min { get; private set; }

    /// <summary>Largest value; −∞ when empty.</summary>
    public double Max { get; private set; }

    /// <summary>Mean of the values; NaN when empty.</summary>
    public double Mean => Count == 0 ? double.NaN : _mean;

    /// <summary>Population variance of the values; NaN when empty.</summary>
    public double Variance => Count == 0 ? double.NaN : _m2 / Count;

    /// <summary>Exact counts per baseline bin (empty without bins).</summary>
    public ReadOnlySpan<long> BinCounts => _binCounts;

    /// <summary>The baseline bins this accumulator counts into.</summary>
    public QuantileBins? Bins => _bins;

    /// <summary>Whether every value is still held (no sketch yet).</summary>
    public bool IsExact => _sketch is null;

    /// <summary>The value store's size in bytes (exact buffer or sketch), for memory accounting.</summary>
    public long StoreBytes => _sketch?.SizeInBytes ?? _values.Bytes;

    /// <summary>Adds one finite value; a non-finite one is counted as a type error.</summary>
    public void Add(double value)
    {
        if (!double.IsFinite(value))
        {
            TypeErrors++;
            return;
        }

        Count++;
        double delta = value - _mean;
        _mean += delta / Count;
        _m2 += delta * (value - _mean);
        if (value < Min)
        {
            Min = value;
        }

        if (value > Max)
        {
            Max = value;
        }

        if (value < _options.RangeMin || value > _options.RangeMax)
        {
            OutOfRange++;
        }

        if (_bins is not null)
        {
            _binCounts[_bins.BinOf(value)]++;
        }

        if (_sketch is not null)
        {
            _sketch.Update(value);
        }
        else if (_values.Count < _options.ExactLimit)
        {
            _values.Add(value);
        }
        else
        {
            PromoteToSketch();
            _sketch!.Update(value);
        }
    }

    /// <summary>Counts an event whose field was null or absent.</summary>
    public void AddMissing() => Missing++;

    /// <summary>Counts an event whose field had the wrong type.</summary>
    public void AddTypeError() => TypeErrors++;

    /// <summary>Adds everything <paramref name="other"/> holds (same options and bins required).</summary>
    public void Merge(NumericAccumulator other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!ReferenceEquals(_bins, other._bins) && (_bins is null || other._bins is null || !_bins.Edges.SequenceEqual(other._bins.Edges)))
        {
            throw new InvalidOperationException("Accumulators with different baseline bins cannot be merged.");
        }

        if (other.Count > 0)
        {
            long n = Count + other.Count;
            double delta = other._mean - _mean;
            _m2 += other._m2 + (delta * delta * Count * other.Count / n);
            _mean += delta * other.Count / n;
            Count = n;
            Min = Math.Min(Min, other.Min);
            Max = Math.Max(Max, other.Max);
        }

        Missing += other.Missing;
        TypeErrors += other.TypeErrors;
        OutOfRange += other.OutOfRange;
        for (int i = 0; i < _binCounts.Length; i++)
        {
            _binCounts[i] += other._binCounts[i];
        }

        if (_sketch is null && other._sketch is null && (long)_values.Count + other._values.Count <= _options.ExactLimit)
        {
            _values.AddRange(other._values);
            return;
        }

        PromoteToSketch();
        if (other._sketch is not null)
        {
            _sketch!.Merge(other._sketch);
        }
        else
        {
            foreach (var segment in other._values.Segments())
            {
                foreach (double v in segment.Span)
                {
                    _sketch!.Update(v);
                }
            }
        }
    }

    /// <summary>The values as a sample for the drift tests: exact, or read from the sketch with its bound.</summary>
    public NumericSample ToSample()
    {
        if (_sketch is not null)
        {
            return _sketch.ToSample();
        }

        var values = GC.AllocateUninitializedArray<double>(_values.Count);
        _values.CopyTo(values);
        return NumericSample.FromOwned(values); // only finite values are stored
    }

    /// <summary>Writes the sketch in its own format (baselines persist it); only for accumulators in sketch mode.</summary>
    public void WriteSketch(IBufferWriter<byte> output)
    {
        if (_sketch is null)
        {
            throw new InvalidOperationException("The accumulator holds exact values, not a sketch.");
        }

        _sketch.WriteTo(output);
    }

    /// <summary>A deep copy (windows merge copies of panes so panes stay intact).</summary>
    public NumericAccumulator Clone()
    {
        // Field by field, not by merging into an empty accumulator: a merge would rebuild the sketch with fresh
        // coin flips and recompute the mean, so the copy would not continue (or serialise) as the original.
        var copy = new NumericAccumulator(_options, _bins)
        {
            Count = Count,
            Missing = Missing,
            TypeErrors = TypeErrors,
            OutOfRange = OutOfRange,
            Min = Min,
            Max = Max,
        };
        copy._mean = _mean;
        copy._m2 = _m2;
        _binCounts.CopyTo(copy._binCounts, 0);
        copy._values.AddRange(_values);
        copy._sketch = _sketch?.Clone();
        return copy;
    }

    /// <summary>Writes the complete state; <see cref="Read"/> restores it bit-for-bit.</summary>
    public void Write(StateWriter w)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.Byte(Tag);
        w.Byte(Version);
        w.Count64(Count);
        w.Count64(Missing);
        w.Count64(TypeErrors);
        w.Count64(OutOfRange);
        w.Real(Min);
        w.Real(Max);
        w.Real(_mean);
        w.Real(_m2);
        w.Longs(_binCounts);
        _values.Write(w); // the format of w.Reals
        w.Bool(_sketch is not null);
        if (_sketch is not null)
        {
            var buffer = new ArrayBufferWriter<byte>();
            _sketch.WriteTo(buffer);
            w.Block(buffer.WrittenSpan);
        }
    }

    /// <summary>Reads a state written by <see cref="Write"/> for the same options and bins.</summary>
    public static NumericAccumulator Read(ref StateReader r, NumericAccumulatorOptions options, QuantileBins? bins)
    {
        r.Expect(Tag, "a numeric accumulator");
        byte version = r.Byte();
        if (version != Version)
        {
            throw new InvalidDataException($"Numeric accumulator state version {version} is not supported (expected {Version}).");
        }

        var a = new NumericAccumulator(options, bins)
        {
            Count = r.Count64(),
            Missing = r.Count64(),
            TypeErrors = r.Count64(),
            OutOfRange = r.Count64(),
            Min = r.Real(),
            Max = r.Real(),
        };
        a._mean = r.Real();
        a._m2 = r.Real();
        long[] binCounts = r.Longs();
        if (binCounts.Length != a._binCounts.Length)
        {
            throw new InvalidDataException($"Numeric accumulator state has {binCounts.Length} bins; the baseline has {a._binCounts.Length}.");
        }

        binCounts.CopyTo(a._binCounts, 0);
        a._values.AddRange(r.Reals());
        if (r.Bool())
        {
            a._sketch = KllSketch.ReadFrom(r.Block());
        }

        return a;
    }

    /// <summary>
    /// Drops the exact values for good (their chunks are reused by other accumulators): for owners that are done
    /// with this accumulator, like a pane whose windows are all evaluated. Counts, moments and bins stay.
    /// </summary>
    internal void ReleaseValues() => _values.Clear();

    /// <summary>Moves the exact values into the sketch now (as reaching the exact limit would); no-op in sketch mode.
    /// The window engine does this to keep a model's exact values within its memory budget.</summary>
    public void SwitchToSketch() => PromoteToSketch();

    private void PromoteToSketch()
    {
        if (_sketch is not null)
        {
            return;
        }

        _sketch = new KllSketch(_options.SketchK, _options.SketchSeed);
        foreach (var segment in _values.Segments())
        {
            foreach (double v in segment.Span)
            {
                _sketch.Update(v);
            }
        }

        _values.Clear();
    }
}
