using Monitor.Core.Drift;
using Monitor.Worker.Commands;

return MonitorCommandLine.Create(DriftTestRegistry.Default).Parse(args).Invoke();
