namespace Monitor.Core.Rules;

/// <summary>Alert routing (<c>alerts</c>).</summary>
public sealed record AlertRules
{
    /// <summary>An absolute http(s) URL of the runbook, put in every alert (<c>runbook_url</c>).</summary>
    public string? RunbookUrl { get; init; }

    /// <summary>An absolute http(s) URL of the model's dashboard, put in every alert (<c>dashboard_url</c>).</summary>
    public string? DashboardUrl { get; init; }

    /// <summary>Where alerts are sent (<c>routes</c>); each route decides independently.</summary>
    public IReadOnlyList<AlertRoute> Routes { get; init; } = [];
}

/// <summary>One alert destination and its policy (an entry of <c>alerts.routes</c>).</summary>
public sealed record AlertRoute
{
    /// <summary>A name unique in the file (<c>name</c>, required); part of each delivery's idempotency key.</summary>
    public string? Name { get; init; }

    /// <summary>The delivery channel (<c>channel</c>, required).</summary>
    public AlertChannel? Channel { get; init; }

    /// <summary>E-mail addresses, or absolute http(s) URLs for the other channels (<c>targets</c>, at least one).</summary>
    public IReadOnlyList<string> Targets { get; init; } = [];

    /// <summary>The least severe alert this route sends (<c>min_severity</c>, default warning).</summary>
    public AlertSeverity MinSeverity { get; init; } = AlertSeverity.Warning;

    /// <summary>How many consecutive bad windows before an alert fires (<c>for_windows</c>, default 1).</summary>
    public int ForWindows { get; init; } = 1;

    /// <summary>The least time between two notifications of the same alert (<c>cooldown</c>, default 1h).</summary>
    public TimeSpan Cooldown { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How often a still-firing alert is sent again (<c>renotify_interval</c>); <see langword="null"/> (the default) never.</summary>
    public TimeSpan? RenotifyInterval { get; init; }

    /// <summary>How many consecutive clean windows resolve a firing alert (<c>resolve_after</c>, default 2).</summary>
    public int ResolveAfter { get; init; } = 2;

    /// <summary>Overrides <see cref="AlertRules.RunbookUrl"/> for this route (<c>runbook_url</c>), e.g. the on-call runbook.</summary>
    public string? RunbookUrl { get; init; }

    /// <summary>Overrides <see cref="AlertRules.DashboardUrl"/> for this route (<c>dashboard_url</c>).</summary>
    public string? DashboardUrl { get; init; }
}

/// <summary>When and how to ask for a retrain (<c>retrain</c>).</summary>
public sealed record RetrainPolicy
{
    /// <summary>
    /// Retrain after this many consecutive windows with critical dataset drift (<c>conditions.dataset_drift_windows</c>);
    /// <see langword="null"/> disables the condition.
    /// </summary>
    public int? DatasetDriftWindows { get; init; }

    /// <summary>Retrain when a performance floor is breached at critical level (<c>conditions.performance_floor_breached</c>, default false).</summary>
    public bool OnPerformanceFloorBreached { get; init; }

    /// <summary>Whether any or all conditions must hold (<c>conditions.match</c>, default any).</summary>
    public RetrainMatch Match { get; init; } = RetrainMatch.Any;

    /// <summary>The absolute http(s) URL that receives the retrain request (<c>webhook</c>, required).</summary>
    public string? Webhook { get; init; }

    /// <summary>
    /// The environment variable holding the HMAC-SHA256 signing secret (<c>secret_env</c>); secrets never live in
    /// rule files. <see langword="null"/> sends unsigned requests.
    /// </summary>
    public string? SecretEnv { get; init; }

    /// <summary>The least time between two retrain requests (<c>min_interval</c>, default 24h).</summary>
    public TimeSpan MinInterval { get; init; } = TimeSpan.FromHours(24);
}
