using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Monitor.Alerts.Tests;

internal static class Poll
{
    /// <summary>Polls until the condition holds or the real-time deadline passes (then fails with the description).</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan deadline, string what)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            if (await condition())
            {
                return;
            }

            if (sw.Elapsed > deadline)
            {
                Assert.Fail($"Timed out after {deadline.TotalSeconds:0} s waiting for {what}");
            }

            await Task.Delay(50);
        }
    }

    public static Task UntilAsync(Func<bool> condition, TimeSpan deadline, string what) => UntilAsync(() => Task.FromResult(condition()), deadline, what);

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
