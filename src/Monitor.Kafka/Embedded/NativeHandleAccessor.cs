using System.Reflection;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace Monitor.Kafka.Embedded;

/// <summary>
/// Reaches the native <c>rd_kafka_t*</c> behind a Confluent.Kafka client. Confluent.Kafka exposes it only
/// through the internal property <c>Handle.LibrdkafkaHandle</c> (a <see cref="SafeHandle"/>); this is the
/// one place that depends on that, so an upgrade that renames it breaks here, loudly, and nowhere else.
/// </summary>
internal static class NativeHandleAccessor
{
    private const string PropertyName = "LibrdkafkaHandle";

    private static readonly PropertyInfo? HandleProperty =
        typeof(Handle).GetProperty(PropertyName, BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);

    /// <summary>The Confluent.Kafka version loaded, for error messages.</summary>
    internal static string ConfluentKafkaVersion =>
        typeof(Handle).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(Handle).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    /// <summary>
    /// The client's <c>rd_kafka_t*</c>. Valid only while <paramref name="client"/> is not disposed; the caller
    /// keeps the client alive for as long as it uses the pointer.
    /// </summary>
    /// <exception cref="InvalidOperationException">Confluent.Kafka no longer has the internal member.</exception>
    internal static IntPtr GetRdKafkaPointer(IClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (HandleProperty is null || !typeof(SafeHandle).IsAssignableFrom(HandleProperty.PropertyType))
        {
            throw new InvalidOperationException(
                $"Confluent.Kafka {ConfluentKafkaVersion} has no internal SafeHandle property " +
                $"'{typeof(Handle).FullName}.{PropertyName}'; the embedded Kafka cluster needs it to reach the " +
                "native rd_kafka_t handle. Update Monitor.Kafka.Embedded.NativeHandleAccessor for this version.");
        }

        if (HandleProperty.GetValue(client.Handle) is not SafeHandle safeHandle || safeHandle.IsInvalid || safeHandle.IsClosed)
        {
            throw new InvalidOperationException(
                $"Confluent.Kafka {ConfluentKafkaVersion}: '{typeof(Handle).FullName}.{PropertyName}' returned no " +
                "valid native handle (was the client disposed?).");
        }

        return safeHandle.DangerousGetHandle();
    }
}
