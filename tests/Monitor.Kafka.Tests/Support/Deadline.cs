using System.Diagnostics;

namespace Monitor.Kafka.Tests.Support;

/// <summary>A wall-clock deadline measured with a monotonic stopwatch.</summary>
internal readonly struct Deadline
{
    private readonly Stopwatch _clock;
    private readonly TimeSpan _limit;

    private Deadline(TimeSpan limit)
    {
        _clock = Stopwatch.StartNew();
        _limit = limit;
    }

    public static Deadline After(TimeSpan limit) => new(limit);

    public bool Passed => _clock.Elapsed > _limit;

    public TimeSpan Elapsed => _clock.Elapsed;
}
