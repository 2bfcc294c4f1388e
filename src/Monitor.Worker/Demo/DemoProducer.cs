using Confluent.Kafka;

namespace Monitor.Worker.Demo;

/// <summary>
/// Produces the demo model's traffic to Kafka on a simulated clock that runs <see cref="Speed"/> times faster
/// than real time: predictions at a steady event rate, each label once the simulated clock passes its arrival
/// time. Keys are event ids, so predictions and labels of one event land in the same partition number
/// (co-partitioned topics), as Monitor's label join requires.
/// </summary>
internal sealed class DemoProducer(
    FraudTraffic traffic,
    string bootstrapServers,
    string predictionsTopic,
    string labelsTopic,
    DateTimeOffset eventStart,
    double speed,
    double eventsPerEventSecond,
    TimeProvider time)
{
    private readonly PriorityQueue<GeneratedEvent, DateTimeOffset> _labels = new();

    public double Speed => speed;

    public long Predictions { get; private set; }

    public long Labels { get; private set; }

    /// <summary>The simulated event time now.</summary>
    public DateTimeOffset EventTime { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            LingerMs = 5,
            Acks = Acks.All,
            EnableIdempotence = true,
            ClientId = "monitor-demo-producer",
        };
        using var producer = new ProducerBuilder<byte[], byte[]>(config).Build();
        EventTime = eventStart;
        var realStart = time.GetTimestamp();
        double perRealSecond = speed * eventsPerEventSecond;
        var step = TimeSpan.FromSeconds(1 / eventsPerEventSecond);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                // Produce what the simulated clock has reached, then wait for the next slice of real time.
                var elapsed = time.GetElapsedTime(realStart);
                long due = (long)(elapsed.TotalSeconds * perRealSecond);
                while (Predictions < due && !cancellationToken.IsCancellationRequested)
                {
                    var at = eventStart + (step * Predictions);
                    var e = traffic.Next(at);
                    producer.Produce(predictionsTopic, new Message<byte[], byte[]> { Key = System.Text.Encoding.UTF8.GetBytes(e.EventId), Value = e.Prediction });
                    _labels.Enqueue(e, e.LabelTime);
                    Predictions++;
                    EventTime = at;
                    while (_labels.TryPeek(out var pending, out var labelTime) && labelTime <= at)
                    {
                        _labels.Dequeue();
                        producer.Produce(labelsTopic, new Message<byte[], byte[]> { Key = System.Text.Encoding.UTF8.GetBytes(pending.EventId), Value = pending.Label });
                        Labels++;
                    }
                }

                await Task.Delay(TimeSpan.FromMilliseconds(20), time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping is the normal end of the demo.
        }
        finally
        {
            producer.Flush(TimeSpan.FromSeconds(10));
        }
    }
}
