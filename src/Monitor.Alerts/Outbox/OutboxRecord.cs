using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Monitor.Core.Alerts;

namespace Monitor.Alerts.Outbox;

/// <summary>One outbox item as stored in <c>items/{id}.json</c> (format 1, docs/delivery.md).</summary>
internal sealed record OutboxRecord
{
    public const int CurrentFormat = 1;

    public int Format { get; init; } = CurrentFormat;

    public required string Id { get; init; }

    /// <summary><c>alert</c> or <c>retrain</c>.</summary>
    public required string Kind { get; init; }

    public required string Channel { get; init; }

    public required string Target { get; init; }

    public required string IdempotencyKey { get; init; }

    public OutboxItemState State { get; init; }

    /// <summary>Attempts made so far (failed ones, plus the successful one once delivered).</summary>
    public int Attempts { get; init; }

    /// <summary>Enqueue order within this outbox directory; keeps a target's items in order across restarts even when their clock times tie.</summary>
    public long Sequence { get; init; }

    public DateTimeOffset EnqueuedAt { get; init; }

    public DateTimeOffset NextAttemptAt { get; init; }

    public DateTimeOffset? SettledAt { get; init; }

    public string? LastError { get; init; }

    public int? LastStatus { get; init; }

    public AlertNotification? Alert { get; init; }

    public RetrainRequest? Retrain { get; init; }

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    /// <summary>A file-name-safe id stable per (kind, channel, idempotency key, target): the same pair always maps to the same file.</summary>
    public static string MakeId(string kind, string channel, string idempotencyKey, string target) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{kind}\n{channel}\n{idempotencyKey}\n{target}")))[..32];
}
