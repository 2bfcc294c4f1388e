using System.Collections.Concurrent;
using Monitor.Alerts.Channels;

namespace Monitor.Alerts.Tests;

/// <summary>A scripted channel: answers from a per-target script (default success), or blocks until released.</summary>
internal sealed class FakeChannel(string name) : INotificationChannel
{
    public string Name { get; } = name;

    public ConcurrentQueue<Delivery> Calls { get; } = new();

    public ConcurrentDictionary<string, ConcurrentQueue<DeliveryResult>> Script { get; } = new();

    public ConcurrentDictionary<string, TaskCompletionSource> Gates { get; } = new();

    public void Answer(string target, params DeliveryResult[] results)
    {
        var q = Script.GetOrAdd(target, _ => new ConcurrentQueue<DeliveryResult>());
        foreach (var r in results)
        {
            q.Enqueue(r);
        }
    }

    public int CallsTo(string target) => Calls.Count(c => c.Target == target);

    public async Task<DeliveryResult> SendAsync(Delivery delivery, CancellationToken cancellationToken)
    {
        Calls.Enqueue(delivery);
        if (Gates.TryGetValue(delivery.Target, out var gate))
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        return Script.TryGetValue(delivery.Target, out var q) && q.TryDequeue(out var r) ? r : DeliveryResult.Ok(200);
    }
}
