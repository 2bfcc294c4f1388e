using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace Monitor.Kafka.Embedded;

/// <summary>
/// librdkafka's mock-cluster functions, which Confluent.Kafka exports from its native file but does not wrap.
/// Every call is bound to the very file Confluent.Kafka loaded (a second copy of librdkafka would have its own
/// globals and could not see the first copy's clients), found in the process's mapped files.
/// </summary>
internal static partial class LibrdkafkaNative
{
    private const string LibraryName = "monitor-librdkafka";

    private static readonly object ResolverGate = new();
    private static bool _resolverInstalled;
    private static IntPtr _library;

    /// <summary>
    /// Routes this assembly's <see cref="LibraryName"/> imports to the loaded librdkafka file. Call after a
    /// Confluent.Kafka client was built (that is what loads the native file).
    /// </summary>
    internal static void EnsureResolver()
    {
        lock (ResolverGate)
        {
            if (_resolverInstalled)
            {
                return;
            }

            string path = FindLoadedLibrdkafka();
            _library = NativeLibrary.Load(path);
            NativeLibrary.SetDllImportResolver(typeof(LibrdkafkaNative).Assembly, Resolve);
            LoadedPath = path;
            _resolverInstalled = true;
        }
    }

    /// <summary>The path of the librdkafka file the imports are bound to, once <see cref="EnsureResolver"/> ran.</summary>
    internal static string? LoadedPath { get; private set; }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName == LibraryName ? _library : IntPtr.Zero;

    /// <summary>Finds the librdkafka file mapped into this process (Linux: /proc/self/maps; elsewhere: modules).</summary>
    internal static string FindLoadedLibrdkafka()
    {
        const string maps = "/proc/self/maps";
        if (File.Exists(maps))
        {
            foreach (string line in File.ReadLines(maps))
            {
                // Format: address perms offset dev inode path; the path is the last field and may hold spaces.
                int slash = line.IndexOf('/', StringComparison.Ordinal);
                if (slash < 0)
                {
                    continue;
                }

                string path = line[slash..].Trim();
                if (IsLibrdkafka(path))
                {
                    return path;
                }
            }
        }
        else
        {
            using var process = Process.GetCurrentProcess();
            foreach (ProcessModule module in process.Modules)
            {
                if (IsLibrdkafka(module.FileName))
                {
                    return module.FileName;
                }
            }
        }

        throw new InvalidOperationException(
            string.Create(CultureInfo.InvariantCulture,
                $"No librdkafka native file is loaded in this process (Confluent.Kafka {NativeHandleAccessor.ConfluentKafkaVersion}). ") +
            "Build a Confluent.Kafka client first; if one was built, the native package librdkafka.redist is missing.");
    }

    private static bool IsLibrdkafka(string path)
    {
        string file = Path.GetFileName(path);
        return file.Contains("librdkafka", StringComparison.OrdinalIgnoreCase)
            && !file.Contains("++", StringComparison.Ordinal);
    }

    /// <summary>The message for a librdkafka error code, e.g. "Broker: Topic already exists".</summary>
    internal static string Describe(ErrorCode code) =>
        string.Create(CultureInfo.InvariantCulture, $"{code} ({(int)code}): {Marshal.PtrToStringUTF8(ErrorToString(code)) ?? "?"}");

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_err2str")]
    private static partial IntPtr ErrorToString(ErrorCode code);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_handle_mock_cluster")]
    internal static partial IntPtr HandleMockCluster(IntPtr rk);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_cluster_bootstraps")]
    internal static partial IntPtr MockClusterBootstraps(IntPtr mcluster);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_topic_create", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial ErrorCode MockTopicCreate(IntPtr mcluster, string topic, int partitionCount, int replicationFactor);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_group_initial_rebalance_delay_ms")]
    internal static partial void MockGroupInitialRebalanceDelayMs(IntPtr mcluster, int delayMs);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_broker_set_down")]
    internal static partial ErrorCode MockBrokerSetDown(IntPtr mcluster, int brokerId);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_broker_set_up")]
    internal static partial ErrorCode MockBrokerSetUp(IntPtr mcluster, int brokerId);
}
