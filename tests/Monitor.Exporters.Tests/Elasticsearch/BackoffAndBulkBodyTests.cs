using System.Text;
using System.Text.Json.Nodes;
using Monitor.Exporters.Elasticsearch;

namespace Monitor.Exporters.Tests.Elasticsearch;

public sealed class BackoffAndBulkBodyTests
{
    [Theory]
    [InlineData(1, 0.0, 250)]
    [InlineData(1, 0.999999, 500)]
    [InlineData(3, 0.0, 1_000)]
    [InlineData(3, 0.5, 1_500)]
    [InlineData(20, 0.0, 30_000)]
    [InlineData(20, 0.999999, 60_000)]
    public void Delay_Failures_DoublesUpToTheCeilingWithJitterInHalfToOne(int failures, double u, double expectedMs)
    {
        var delay = Backoff.Delay(failures, TimeSpan.FromMilliseconds(500), TimeSpan.FromMinutes(1), u);

        Assert.Equal(expectedMs, delay.TotalMilliseconds, 0.1);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    public void Delay_DrawOutsideUnitInterval_Throws(double u) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Backoff.Delay(1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), u));

    [Fact]
    public void Write_TwoDocuments_IsNdjsonActionSourcePairsEndingInNewline()
    {
        var docs = new[]
        {
            new ExportDocument("monitor-drift-2026.11.27", "a1", Encoding.UTF8.GetBytes("""{"x":1}"""), DocumentLane.Data),
            new ExportDocument("monitor-logs-2026.11.27", "b2", Encoding.UTF8.GetBytes("""{"y":"z"}"""), DocumentLane.Logs),
        };

        var body = Encoding.UTF8.GetString(BulkBody.Write(docs));

        Assert.Equal(
            "{\"index\":{\"_index\":\"monitor-drift-2026.11.27\",\"_id\":\"a1\"}}\n{\"x\":1}\n"
            + "{\"index\":{\"_index\":\"monitor-logs-2026.11.27\",\"_id\":\"b2\"}}\n{\"y\":\"z\"}\n",
            body);
        Assert.Equal(body.Length, docs.Sum(BulkBody.SizeOf));
    }

    [Fact]
    public void Read_MixedItems_GivesStatusAndErrorPerItemInOrderAndZeroForMissing()
    {
        var response = new JsonObject
        {
            ["took"] = 30,
            ["errors"] = true,
            ["items"] = new JsonArray(
                new JsonObject { ["index"] = new JsonObject { ["_index"] = "i", ["_id"] = "1", ["status"] = 201 } },
                new JsonObject { ["index"] = new JsonObject { ["_index"] = "i", ["_id"] = "2", ["status"] = 429, ["error"] = new JsonObject { ["type"] = "es_rejected_execution_exception", ["reason"] = "busy" } } },
                new JsonObject { ["index"] = new JsonObject { ["_index"] = "i", ["_id"] = "3", ["status"] = 400, ["error"] = new JsonObject { ["type"] = "document_parsing_exception", ["reason"] = "bad" } } }),
        };

        var outcomes = BulkBody.Read(Encoding.UTF8.GetBytes(response.ToJsonString()), 4);

        Assert.True(outcomes[0].Succeeded);
        Assert.Equal(new ItemOutcome(429, "es_rejected_execution_exception", "busy"), outcomes[1]);
        Assert.Equal(new ItemOutcome(400, "document_parsing_exception", "bad"), outcomes[2]);
        Assert.Equal(0, outcomes[3].Status);
        Assert.True(BulkBody.IsRetryable(outcomes[1].Status));
        Assert.False(BulkBody.IsRetryable(outcomes[2].Status));
        Assert.True(BulkBody.IsRetryable(outcomes[3].Status));
        Assert.True(BulkBody.IsRetryable(503));
    }
}
