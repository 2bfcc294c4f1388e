using Monitor.Exporters.Elasticsearch;

namespace Monitor.Exporters.Tests.Elasticsearch;

public sealed class DocumentQueueTests
{
    private static ExportDocument Doc(int n, int bytes = 10) =>
        new("monitor-alerts-2026.11.27", $"id{n}", new byte[bytes], DocumentLane.Data);

    [Fact]
    public void Enqueue_PastCapacity_DropsTheOldest()
    {
        var queue = new DocumentQueue(3);
        var dropped = Enumerable.Range(0, 5).Sum(n => queue.Enqueue(Doc(n)));

        var batch = new List<ExportDocument>();
        queue.TakeInto(batch, 10, long.MaxValue, 0);

        Assert.Equal(2, dropped);
        Assert.Equal(2, queue.Dropped);
        Assert.Equal(["id2", "id3", "id4"], batch.Select(d => d.Id));
    }

    [Fact]
    public void Requeue_AfterNewerDocuments_SendsTheRequeuedFirstInTheirOrder()
    {
        var queue = new DocumentQueue(10);
        queue.Enqueue(Doc(5));
        queue.Requeue([Doc(1), Doc(2)]);

        var batch = new List<ExportDocument>();
        queue.TakeInto(batch, 10, long.MaxValue, 0);

        Assert.Equal(["id1", "id2", "id5"], batch.Select(d => d.Id));
    }

    [Fact]
    public void Requeue_QueueNearlyFull_DropsTheOldestRequeuedDocuments()
    {
        var queue = new DocumentQueue(3);
        queue.Enqueue(Doc(7));
        queue.Enqueue(Doc(8));

        var dropped = queue.Requeue([Doc(1), Doc(2), Doc(3)]);
        var batch = new List<ExportDocument>();
        queue.TakeInto(batch, 10, long.MaxValue, 0);

        Assert.Equal(2, dropped);
        Assert.Equal(["id3", "id7", "id8"], batch.Select(d => d.Id));
    }

    [Fact]
    public void TakeInto_ByteLimit_StopsBeforeExceedingItButTakesOneOversizedDocument()
    {
        var queue = new DocumentQueue(10);
        queue.Enqueue(Doc(0, bytes: 5_000));
        queue.Enqueue(Doc(1, bytes: 100));
        queue.Enqueue(Doc(2, bytes: 100));

        var first = new List<ExportDocument>();
        queue.TakeInto(first, 10, 1_000, 0);
        var second = new List<ExportDocument>();
        var bytes = queue.TakeInto(second, 10, 1_000, 0);

        Assert.Equal(["id0"], first.Select(d => d.Id));
        Assert.Equal(["id1", "id2"], second.Select(d => d.Id));
        Assert.True(bytes <= 1_000);
        Assert.Equal(0, queue.Count);
    }
}
