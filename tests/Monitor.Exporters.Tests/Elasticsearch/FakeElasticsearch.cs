using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Monitor.Exporters.Tests.Elasticsearch;

/// <summary>One document as the fake received it in a bulk request.</summary>
public sealed record ReceivedDocument(string Index, string Id, JsonObject Source);

/// <summary>One <c>_bulk</c> request as received.</summary>
public sealed record ReceivedBulk(int BodyBytes, string? ContentType, IReadOnlyList<ReceivedDocument> Documents);

/// <summary>
/// An in-process Elasticsearch on loopback serving the documented formats: <c>GET /</c> (cluster info),
/// <c>GET/PUT _index_template/{name}</c>, and <c>POST _bulk</c> (NDJSON action/source pairs answered with
/// <c>took</c>/<c>errors</c>/<c>items</c>). Every response carries <c>X-Elastic-Product: Elasticsearch</c>, as the
/// real server's do and as the official client checks. Failures are scripted per request and per item.
/// </summary>
public sealed class FakeElasticsearch : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Lock _gate = new();
    private readonly List<ReceivedBulk> _bulks = [];
    private readonly List<string> _requests = [];
    private readonly List<string> _faults = [];
    private readonly Dictionary<string, int> _attemptsById = [];
    private int _bulkCount;
    private int _templatePuts;

    private FakeElasticsearch(int port)
    {
        Port = port;
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    /// <summary>The port served.</summary>
    public int Port { get; }

    /// <summary>The base URL.</summary>
    public Uri Url => new($"http://127.0.0.1:{Port}/");

    /// <summary>Installed templates by name (raw body).</summary>
    public ConcurrentDictionary<string, string> Templates { get; } = new();

    /// <summary>Stored documents by index and id (the last write wins, as with the index action).</summary>
    public ConcurrentDictionary<(string Index, string Id), JsonObject> Stored { get; } = new();

    /// <summary>PUT _index_template calls received.</summary>
    public int TemplatePuts => Volatile.Read(ref _templatePuts);

    /// <summary>
    /// Decides a whole <c>_bulk</c> request's status from its 1-based number; null answers normally.
    /// </summary>
    public Func<int, int?> BulkStatus { get; set; } = _ => null;

    /// <summary>Decides an item's status from its id and how many times that id has been received (1-based); null stores it.</summary>
    public Func<string, int, int?> ItemStatus { get; set; } = (_, _) => null;

    /// <summary>Whether responses carry <c>X-Elastic-Product: Elasticsearch</c> (a proxy or another product would not).</summary>
    public bool SendProductHeader { get; set; } = true;

    /// <summary>Every request line (method and path) in arrival order.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Every bulk request that reached item processing or was refused whole, in order.</summary>
    public IReadOnlyList<ReceivedBulk> Bulks
    {
        get
        {
            lock (_gate)
            {
                return [.. _bulks];
            }
        }
    }

    /// <summary>Requests the fake could not make sense of (each answered 500); a test expects none.</summary>
    public IReadOnlyList<string> Faults
    {
        get
        {
            lock (_gate)
            {
                return [.. _faults];
            }
        }
    }

    /// <summary>How many times a document id was received in bulk requests.</summary>
    public int TimesReceived(string id)
    {
        lock (_gate)
        {
            return _attemptsById.GetValueOrDefault(id);
        }
    }

    /// <summary>Starts on a free loopback port.</summary>
    public static FakeElasticsearch Start() => new(FreePort());

    /// <summary>Starts on <paramref name="port"/> (to bring a cluster "back up" where a client already points).</summary>
    public static FakeElasticsearch Start(int port) => new(port);

    /// <summary>A loopback port nothing listens on now.</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Close(); // not Stop(): with a later Close() Linux's HttpListener re-binds the port (see HttpReceiver)
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or OperationCanceledException)
        {
        }

        _listener.Close();
        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            try
            {
                await HandleAsync(context);
            }
            catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException)
            {
                // The client went away; nothing to answer.
            }
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var path = request.Url!.AbsolutePath.TrimEnd('/');
        byte[] body;
        using (var buffer = new MemoryStream())
        {
            // The official client gzips request bodies by default; Elasticsearch accepts Content-Encoding: gzip.
            if (string.Equals(request.Headers["Content-Encoding"], "gzip", StringComparison.OrdinalIgnoreCase))
            {
                await using var gzip = new GZipStream(request.InputStream, CompressionMode.Decompress);
                await gzip.CopyToAsync(buffer);
            }
            else
            {
                await request.InputStream.CopyToAsync(buffer);
            }

            body = buffer.ToArray();
        }

        lock (_gate)
        {
            _requests.Add($"{request.HttpMethod} {(path.Length == 0 ? "/" : path)}");
        }

        var response = context.Response;
        if (SendProductHeader)
        {
            response.Headers["X-Elastic-Product"] = "Elasticsearch";
        }

        response.ContentType = "application/vnd.elasticsearch+json;compatible-with=9";
        (int, string) answer;
        try
        {
            answer = Answer(request.HttpMethod, path, body, request.ContentType);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NullReferenceException or FormatException)
        {
            lock (_gate)
            {
                _faults.Add(ex.Message);
            }

            answer = (500, Error("fake_fault", ex.Message, 500));
        }

        var (status, json) = answer;
        var bytes = Encoding.UTF8.GetBytes(json);
        response.StatusCode = status;
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
        response.Close();
    }

    private (int, string) Answer(string method, string path, byte[] body, string? contentType) =>
        (method, path) switch
        {
            ("GET" or "HEAD", "") => (200, RootInfo()),
            ("GET", _) when path.StartsWith("/_index_template/", StringComparison.Ordinal) => GetTemplate(path["/_index_template/".Length..]),
            ("PUT", _) when path.StartsWith("/_index_template/", StringComparison.Ordinal) => PutTemplate(path["/_index_template/".Length..], body),
            ("POST" or "PUT", "/_bulk") => Bulk(body, contentType),
            _ => (404, Error("resource_not_found_exception", $"no handler for {method} {path}", 404)),
        };

    private static string RootInfo() =>
        """
        {"name":"fake-node","cluster_name":"monitor-test","cluster_uuid":"fake-uuid",
         "version":{"number":"9.1.0","build_flavor":"default","build_type":"docker","lucene_version":"10.2.2",
                    "minimum_wire_compatibility_version":"8.19.0","minimum_index_compatibility_version":"8.0.0"},
         "tagline":"You Know, for Search"}
        """;

    private (int, string) GetTemplate(string name)
    {
        if (!Templates.TryGetValue(name, out var template))
        {
            return (404, Error("resource_not_found_exception", $"index template matching [{name}] not found", 404));
        }

        var list = new JsonObject
        {
            ["index_templates"] = new JsonArray(new JsonObject { ["name"] = name, ["index_template"] = JsonNode.Parse(template) }),
        };
        return (200, list.ToJsonString());
    }

    private (int, string) PutTemplate(string name, byte[] body)
    {
        var parsed = JsonNode.Parse(body)!.AsObject();
        if (parsed["index_patterns"] is not JsonArray || parsed["template"]?["mappings"] is not JsonObject)
        {
            return (400, Error("action_request_validation_exception", "index_patterns and template.mappings are required", 400));
        }

        Templates[name] = Encoding.UTF8.GetString(body);
        Interlocked.Increment(ref _templatePuts);
        return (200, """{"acknowledged":true}""");
    }

    private (int, string) Bulk(byte[] body, string? contentType)
    {
        var number = Interlocked.Increment(ref _bulkCount);
        var lines = Encoding.UTF8.GetString(body).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length % 2 != 0)
        {
            return (400, Error("illegal_argument_exception", "The bulk request must be terminated by a newline [\\n]", 400));
        }

        var docs = new List<ReceivedDocument>();
        for (var i = 0; i < lines.Length; i += 2)
        {
            var action = JsonNode.Parse(lines[i])!["index"]!;
            docs.Add(new ReceivedDocument((string)action["_index"]!, (string)action["_id"]!, JsonNode.Parse(lines[i + 1])!.AsObject()));
        }

        lock (_gate)
        {
            _bulks.Add(new ReceivedBulk(body.Length, contentType, docs));
        }

        if (BulkStatus(number) is { } whole)
        {
            var type = whole == 429 ? "es_rejected_execution_exception" : "unavailable_shards_exception";
            return (whole, Error(type, "scripted failure", whole));
        }

        var items = new JsonArray();
        var errors = false;
        foreach (var doc in docs)
        {
            int attempt;
            lock (_gate)
            {
                attempt = _attemptsById[doc.Id] = _attemptsById.GetValueOrDefault(doc.Id) + 1;
            }

            var item = new JsonObject { ["_index"] = doc.Index, ["_id"] = doc.Id };
            if (ItemStatus(doc.Id, attempt) is { } failed)
            {
                errors = true;
                item["status"] = failed;
                item["error"] = failed == 429
                    ? new JsonObject { ["type"] = "es_rejected_execution_exception", ["reason"] = "rejected execution of coordinating operation" }
                    : new JsonObject { ["type"] = "document_parsing_exception", ["reason"] = "[1:2] failed to parse field [statistic] of type [double]" };
            }
            else
            {
                Stored[(doc.Index, doc.Id)] = doc.Source;
                item["_version"] = 1;
                item["result"] = "created";
                item["status"] = 201;
            }

            items.Add(new JsonObject { ["index"] = item });
        }

        var response = new JsonObject { ["took"] = 3, ["errors"] = errors, ["items"] = items };
        return (200, response.ToJsonString());
    }

    private static string Error(string type, string reason, int status) =>
        new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["root_cause"] = new JsonArray(new JsonObject { ["type"] = type, ["reason"] = reason }),
                ["type"] = type,
                ["reason"] = reason,
            },
            ["status"] = status,
        }.ToJsonString();
}
