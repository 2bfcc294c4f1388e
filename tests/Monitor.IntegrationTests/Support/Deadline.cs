using System.Diagnostics;

namespace Monitor.IntegrationTests.Support;

/// <summary>A wall-clock deadline measured with a monotonic stopwatch; tests poll until a condition holds or it passes.</summary>
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

    /// <summary>Polls <paramref name="probe"/> every 50 ms until it returns a value, or throws naming what was awaited and the last state.</summary>
    public static async Task<T> PollAsync<T>(TimeSpan within, string what, Func<Task<(bool Done, T Value, string State)>> probe)
        where T : notnull
    {
        var deadline = After(within);
        string state = "(not probed)";
        while (true)
        {
            try
            {
                var (done, value, s) = await probe();
                state = s;
                if (done)
                {
                    return value;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
            {
                state = ex.GetType().Name + ": " + ex.Message;
            }

            if (deadline.Passed)
            {
                throw new TimeoutException($"{what}: not reached within {within}; last state: {state}");
            }

            await Task.Delay(50);
        }
    }
}
