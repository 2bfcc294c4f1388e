using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Monitor.Core.Ingest;
using Monitor.Core.Windows;

namespace Monitor.Benchmarks;

/// <summary>
/// The hot path, one thread, from message bytes in memory: a bare JSON token walk (the baseline every JSON
/// consumer pays), Monitor's decode, and decode + accumulate into the window, in exact and sketch mode.
/// </summary>
[MemoryDiagnoser]
public class IngestBenchmarks
{
    private const int Events = 20_000;
    private byte[][] _events = [];
    private EventDecoder _decoder = null!;
    private DecodedEvent _buffer = null!;
    private WindowEngine _engine = null!;

    /// <summary>Exact: values kept (limit far above the window); Sketch: every value goes to KLL.</summary>
    [Params("exact", "sketch")]
    public string Mode { get; set; } = "exact";

    [GlobalSetup]
    public void Setup()
    {
        _events = Workload.Events(Events);
        _decoder = new EventDecoder(Workload.Schema());
        _buffer = _decoder.CreateBuffer();
        _engine = new WindowEngine(Workload.Layout(Mode == "exact" ? int.MaxValue : 1, TimeSpan.FromDays(3650)));
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Events)]
    public long JsonTokenWalk()
    {
        long tokens = 0;
        foreach (var e in _events)
        {
            var reader = new Utf8JsonReader(e);
            while (reader.Read())
            {
                tokens++;
            }
        }

        return tokens;
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public int Decode()
    {
        int ok = 0;
        foreach (var e in _events)
        {
            ok += _decoder.Decode(e, _buffer) == DecodeOutcome.Ok ? 1 : 0;
        }

        return ok;
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public long DecodeAndAccumulate()
    {
        foreach (var e in _events)
        {
            _decoder.Decode(e, _buffer);
            _engine.AddPrediction(_buffer);
        }

        return _engine.Events;
    }
}
