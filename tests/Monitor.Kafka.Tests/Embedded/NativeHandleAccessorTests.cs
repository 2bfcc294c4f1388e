using System.Reflection;
using System.Runtime.InteropServices;
using Confluent.Kafka;
using Monitor.Kafka.Embedded;

namespace Monitor.Kafka.Tests.Embedded;

/// <summary>
/// Guards the one reflective dependency on Confluent.Kafka internals: if an upgrade renames
/// <c>Handle.LibrdkafkaHandle</c>, these fail and name the version, instead of the embedded cluster
/// failing obscurely.
/// </summary>
public sealed class NativeHandleAccessorTests
{
    [Fact]
    public void ConfluentKafkaHandle_HasInternalSafeHandleProperty_ThatTheAccessorReads()
    {
        var property = typeof(Handle).GetProperty("LibrdkafkaHandle", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);

        Assert.True(property is not null && typeof(SafeHandle).IsAssignableFrom(property.PropertyType),
            $"Confluent.Kafka {NativeHandleAccessor.ConfluentKafkaVersion} no longer has the internal SafeHandle property " +
            "Confluent.Kafka.Handle.LibrdkafkaHandle that NativeHandleAccessor reads to reach rd_kafka_t; " +
            "update NativeHandleAccessor (and this test) for this Confluent.Kafka version.");
    }

    [Fact]
    public void GetRdKafkaPointer_LiveClient_ReturnsNonNullPointer()
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = "127.0.0.1:9" })
            .SetLogHandler(static (_, _) => { })
            .Build();

        IntPtr pointer = NativeHandleAccessor.GetRdKafkaPointer(admin);

        Assert.NotEqual(IntPtr.Zero, pointer);
    }

    [Fact]
    public void GetRdKafkaPointer_DisposedClient_ThrowsNamingTheVersion()
    {
        var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = "127.0.0.1:9" })
            .SetLogHandler(static (_, _) => { })
            .Build();
        admin.Dispose();

        var error = Assert.Throws<InvalidOperationException>(() => NativeHandleAccessor.GetRdKafkaPointer(admin));

        Assert.Contains(NativeHandleAccessor.ConfluentKafkaVersion, error.Message, StringComparison.Ordinal);
    }
}
