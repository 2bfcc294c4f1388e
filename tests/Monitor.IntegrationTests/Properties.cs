// The tests start brokers, daemons and child processes and measure latencies: one at a time on shared cores.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
