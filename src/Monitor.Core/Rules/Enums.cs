namespace Monitor.Core.Rules;

/// <summary>What the monitored model predicts; decides the prediction fields read and the valid metrics.</summary>
public enum ModelTask
{
    /// <summary>Two classes, a score in [0, 1] and/or a 0/1 label (rule files: <c>binary_classification</c>).</summary>
    BinaryClassification,

    /// <summary>More than two classes, a label and optionally per-class scores (<c>multiclass_classification</c>).</summary>
    MulticlassClassification,

    /// <summary>A real-valued prediction (<c>regression</c>).</summary>
    Regression,
}

/// <summary>Where the reference profile of a model comes from.</summary>
public enum BaselineKind
{
    /// <summary>A profile file built by <c>monitor baseline build</c> from training data (<c>file</c>).</summary>
    File,

    /// <summary>A fixed past event-time interval of the model's own traffic (<c>window</c>).</summary>
    Window,

    /// <summary>The windows just before the evaluated one (<c>rolling</c>): catches sudden changes, not slow drift.</summary>
    Rolling,
}

/// <summary>How p-values are corrected for testing many features at once before counting drifted features.</summary>
public enum PValueCorrection
{
    /// <summary>No correction (<c>none</c>).</summary>
    None,

    /// <summary>Bonferroni: each p-value is multiplied by the number of features (<c>bonferroni</c>).</summary>
    Bonferroni,

    /// <summary>Benjamini–Hochberg false-discovery-rate control (<c>bh</c>), the default.</summary>
    BenjaminiHochberg,
}

/// <summary>A delivery channel for alerts.</summary>
public enum AlertChannel
{
    /// <summary>E-mail; targets are addresses (<c>email</c>).</summary>
    Email,

    /// <summary>A signed JSON POST; targets are http(s) URLs (<c>webhook</c>).</summary>
    Webhook,

    /// <summary>A Slack incoming webhook; targets are http(s) URLs (<c>slack</c>).</summary>
    Slack,

    /// <summary>Prometheus Alertmanager's API; targets are its base http(s) URLs (<c>alertmanager</c>).</summary>
    Alertmanager,
}

/// <summary>The severity of an alert; <see cref="Critical"/> is the more severe.</summary>
public enum AlertSeverity
{
    /// <summary>A warning threshold was crossed.</summary>
    Warning,

    /// <summary>A critical threshold was crossed.</summary>
    Critical,
}

/// <summary>Which prediction field prediction drift is measured on.</summary>
public enum PredictionSource
{
    /// <summary>The score (binary classification), a numeric feature (<c>score</c>).</summary>
    Score,

    /// <summary>The predicted label, a categorical feature (<c>label</c>).</summary>
    Label,

    /// <summary>The predicted value (regression), a numeric feature (<c>value</c>).</summary>
    Value,
}

/// <summary>How several retrain conditions combine.</summary>
public enum RetrainMatch
{
    /// <summary>Any one configured condition triggers a retrain (<c>any</c>), the default.</summary>
    Any,

    /// <summary>All configured conditions must hold in the same window (<c>all</c>).</summary>
    All,
}
