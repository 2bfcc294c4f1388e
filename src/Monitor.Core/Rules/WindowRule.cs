namespace Monitor.Core.Rules;

/// <summary>Event-time windows (<c>window</c>).</summary>
public sealed record WindowRule
{
    /// <summary>The window length, e.g. 1h or 1d (<c>size</c>, required).</summary>
    public TimeSpan? Size { get; init; }

    /// <summary>Shifts window starts from the Unix epoch, e.g. 6h for days starting 06:00 UTC (<c>offset</c>, default 0).</summary>
    public TimeSpan Offset { get; init; } = TimeSpan.Zero;

    /// <summary>How long after a window's end late events are still added before it closes (<c>allowed_lateness</c>, default 5m).</summary>
    public TimeSpan AllowedLateness { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// For sliding windows, how far consecutive windows move (<c>slide</c>); must divide <see cref="Size"/>,
    /// because a sliding window is merged from size/slide panes. <see langword="null"/> (the default) is tumbling.
    /// </summary>
    public TimeSpan? Slide { get; init; }
}

/// <summary>When windows are evaluated (<c>schedule</c>).</summary>
public sealed record ScheduleRule
{
    /// <summary>The default cron expression: every five minutes, at second 0.</summary>
    public const string DefaultCron = "0 */5 * * * ?";

    /// <summary>
    /// A Quartz cron expression (seconds first) deciding when evaluation runs (<c>cron</c>, default every 5 minutes).
    /// Closed windows are evaluated once, finally, at the first run after they close.
    /// </summary>
    public string? Cron { get; init; } = DefaultCron;

    /// <summary>Whether each run also evaluates the open window, marked provisional (<c>evaluate_open_window</c>, default false).</summary>
    public bool EvaluateOpenWindow { get; init; }

    /// <summary>The time zone the cron expression is read in (<c>timezone</c>, default UTC; windows are always UTC).</summary>
    public string TimeZone { get; init; } = "UTC";
}

/// <summary>The reference profile (<c>baseline</c>).</summary>
public sealed record BaselineRule
{
    /// <summary>Where the profile comes from (<c>kind</c>, required).</summary>
    public BaselineKind? Kind { get; init; }

    /// <summary>For <see cref="BaselineKind.File"/>: the profile file, relative to the rule file's folder (<c>path</c>).</summary>
    public string? Path { get; init; }

    /// <summary>For <see cref="BaselineKind.Window"/>: the inclusive start of the reference interval (<c>start</c>).</summary>
    public DateTimeOffset? Start { get; init; }

    /// <summary>For <see cref="BaselineKind.Window"/>: the exclusive end of the reference interval (<c>end</c>).</summary>
    public DateTimeOffset? End { get; init; }

    /// <summary>For <see cref="BaselineKind.Rolling"/>: how many preceding windows are merged as reference (<c>windows</c>, default 1).</summary>
    public int? Windows { get; init; }

    /// <summary>The number of reference-quantile bins PSI uses (<c>psi_bins</c>, default 10).</summary>
    public int PsiBins { get; init; } = 10;
}

/// <summary>Memory bounds of the per-window accumulators (<c>sketch</c>).</summary>
public sealed record SketchRule
{
    /// <summary>
    /// How many values per numeric feature and window are kept exactly before switching to a KLL sketch
    /// (<c>exact_limit</c>, default 100,000).
    /// </summary>
    public int ExactLimit { get; init; } = 100_000;

    /// <summary>
    /// The memory, in MiB, that exact values of all this model's open windows may take together
    /// (<c>exact_memory_mb</c>, default 64). Past it, the features holding the most exact values switch to
    /// their sketches early, so memory stays bounded however many features and windows are open.
    /// </summary>
    public int ExactMemoryMb { get; init; } = 64;

    /// <summary>The KLL sketch's accuracy parameter; rank error ≈ 1.65/k (<c>kll_k</c>, default 200).</summary>
    public int KllK { get; init; } = 200;

    /// <summary>Distinct categories tracked per feature; the rest are counted as <c>__other__</c> (<c>category_cap</c>, default 1,000).</summary>
    public int CategoryCap { get; init; } = 1000;
}

/// <summary>When the model as a whole counts as drifted (<c>dataset_drift</c>).</summary>
public sealed record DatasetDriftRule
{
    /// <summary>The share of drifted features, in (0, 1], that raises a warning (<c>warning_share</c>, default 0.3).</summary>
    public double WarningShare { get; init; } = 0.3;

    /// <summary>The share of drifted features, in (0, 1], that is critical (<c>critical_share</c>, default 0.5).</summary>
    public double CriticalShare { get; init; } = 0.5;

    /// <summary>The multiple-testing correction for p-value tests across features (<c>correction</c>, default bh).</summary>
    public PValueCorrection Correction { get; init; } = PValueCorrection.BenjaminiHochberg;
}
