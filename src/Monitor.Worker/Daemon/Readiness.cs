namespace Monitor.Worker.Daemon;

/// <summary>What /readyz reports: the daemon is ready when every part says so.</summary>
internal interface IReadinessCheck
{
    /// <summary>The part's name in /readyz output.</summary>
    string Name { get; }

    /// <summary>Whether the part is ready, and why not.</summary>
    (bool Ready, string Detail) Check();
}

/// <summary>Rules are loaded (always true once the host started: bad rules stop start-up).</summary>
internal sealed class RulesLoadedCheck(ModelRuntimes models) : IReadinessCheck
{
    public string Name => "rules";

    public (bool Ready, string Detail) Check() => (models.All.Count > 0, $"{models.All.Count} model(s)");
}
