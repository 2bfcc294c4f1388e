using System.Globalization;
using Monitor.Core.Accumulators;
using Monitor.Core.Evaluation;
using Monitor.Core.Rules;
using Monitor.Core.Windows;

namespace Monitor.Core.Alerts;

/// <summary>
/// Decides, for one model, when an alert fires, escalates, is repeated or resolves on each route, and when a
/// retrain is requested. It is a pure state machine over final window reports and the injected clock: the
/// same rules, reports and clock give the same decisions and the same idempotency keys, and a policy restored
/// from its checkpoint continues exactly as the original would. Not thread-safe: one model's loop owns it.
/// See <c>docs/alerting.md</c> for the states and transitions.
/// </summary>
public sealed class AlertPolicy
{
    private const byte Tag = 0xA1;
    private const byte FormatVersion = 1;
    private const string AllRules = "*";

    /// <summary>The dataset drift and floor severity that counts towards a retrain (the rule file's documented meaning).</summary>
    private const Severity RetrainSeverity = Severity.Critical;

    private readonly ModelRules _rules;
    private readonly TimeProvider _time;
    private readonly string _model;
    private readonly AlertRoute[] _routes;
    private readonly string[] _routeNames;

    // _states[rule][route], rules in AlertRuleNames.All order, routes in file order.
    private readonly RouteState[][] _states;
    private readonly SortedDictionary<string, DateTimeOffset> _silences = new(StringComparer.Ordinal);

    private DateTimeOffset? _lastPerformanceWindowEnd;
    private int _datasetRun;
    private readonly List<TimeRange> _datasetRunWindows = [];
    private List<AlertEvidence> _datasetEvidence = [];
    private bool _performanceBreached;
    private List<AlertEvidence> _performanceEvidence = [];
    private TimeRange? _performanceWindow;
    private DateTimeOffset? _lastRetrain;

    /// <summary>Creates a policy in its initial state (no alert pending or firing, no silences).</summary>
    /// <param name="rules">The model's validated rules; routes need a name and a channel.</param>
    /// <param name="time">The clock for cooldowns, re-notification, silences and the retrain rate limit.</param>
    /// <exception cref="ArgumentException">The rules lack what the policy needs (see <see cref="RuleValidator"/>).</exception>
    public AlertPolicy(ModelRules rules, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(time);
        _rules = rules;
        _time = time;
        _model = rules.Name ?? throw new ArgumentException("The rules name no model (model.name).", nameof(rules));
        _routes = [.. rules.Alerts.Routes];
        _routeNames = new string[_routes.Length];
        for (int i = 0; i < _routes.Length; i++)
        {
            var r = _routes[i];
            _routeNames[i] = r.Name ?? throw new ArgumentException($"alerts.routes[{i}] has no name.", nameof(rules));
            if (r.Channel is null || r.ForWindows < 1 || r.ResolveAfter < 1 || r.Cooldown < TimeSpan.Zero || r.RenotifyInterval <= TimeSpan.Zero)
            {
                throw new ArgumentException($"Route '{r.Name}' is not valid (channel, for_windows, resolve_after, cooldown, renotify_interval); validate the rules first.", nameof(rules));
            }
        }

        if (rules.Retrain is { } retrain && (retrain.Webhook is null || retrain.MinInterval <= TimeSpan.Zero || retrain.DatasetDriftWindows < 1))
        {
            throw new ArgumentException("The retrain policy is not valid (webhook, min_interval, dataset_drift_windows); validate the rules first.", nameof(rules));
        }

        _states = new RouteState[AlertRuleNames.All.Count][];
        for (int k = 0; k < _states.Length; k++)
        {
            _states[k] = new RouteState[_routes.Length];
            for (int i = 0; i < _routes.Length; i++)
            {
                _states[k][i] = new RouteState();
            }
        }
    }

    /// <summary>The model this policy decides for.</summary>
    public string Model => _model;

    /// <summary>
    /// Consumes one report and returns what to send now. Provisional reports (<c>Final == false</c>) are
    /// ignored. Back-fill revisions (<c>Revision &gt; 0</c>) carry performance only: they step the
    /// <c>performance</c> condition and nothing else. Reports must come in window order; a performance verdict
    /// for a window older than the last judged one is stale and ignored.
    /// </summary>
    /// <exception cref="ArgumentException">The report is for another model.</exception>
    public PolicyDecision Observe(WindowReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (!report.Final)
        {
            return PolicyDecision.Empty;
        }

        if (!string.Equals(report.Model, _model, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The report is for model '{report.Model}', this policy decides for '{_model}'.", nameof(report));
        }

        var now = _time.GetUtcNow();
        PruneSilences(now);
        var sent = new List<AlertNotification>();
        var suppressed = new List<SuppressedNotification>();

        var performanceStep = ClassifyPerformance(report);
        for (int k = 0; k < AlertRuleNames.All.Count; k++)
        {
            string rule = AlertRuleNames.All[k];
            bool isPerformance = rule == AlertRuleNames.Performance;
            if (!isPerformance && report.Revision > 0)
            {
                continue;
            }

            var mode = isPerformance ? performanceStep : StepMode.Step;
            if (mode == StepMode.Skip || RuleObservation.Of(rule, report) is not { } observation)
            {
                continue;
            }

            for (int i = 0; i < _routes.Length; i++)
            {
                Step(rule, i, _states[k][i], observation, report, mode, now, sent, suppressed);
            }
        }

        var retrain = DecideRetrain(report, performanceStep, now);
        return sent.Count == 0 && suppressed.Count == 0 && retrain is null
            ? PolicyDecision.Empty
            : new PolicyDecision(sent, retrain is null ? [] : [retrain], suppressed);
    }

    /// <summary>
    /// Silences notifications of <paramref name="rule"/> (or of every rule when null) for the model until the
    /// clock reaches <paramref name="until"/> (exclusive). State keeps changing while silenced; an alert that
    /// fires or escalates under a silence is announced on the first bad window after it ends. A later call
    /// for the same rule replaces the earlier one, so an <paramref name="until"/> in the past lifts it.
    /// Retrain requests are not affected.
    /// </summary>
    /// <exception cref="ArgumentException">Another model, or an unknown rule.</exception>
    public void Silence(string model, string? rule, DateTimeOffset until)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!string.Equals(model, _model, StringComparison.Ordinal))
        {
            throw new ArgumentException($"This policy decides for '{_model}', not '{model}'.", nameof(model));
        }

        if (rule is not null && !AlertRuleNames.All.Contains(rule, StringComparer.Ordinal))
        {
            throw new ArgumentException($"Unknown rule '{rule}'; use one of {string.Join(", ", AlertRuleNames.All)} or null for all.", nameof(rule));
        }

        _silences[rule ?? AllRules] = until.ToUniversalTime();
    }

    /// <summary>Whether notifications of <paramref name="rule"/> are silenced now.</summary>
    public bool IsSilenced(string rule) => IsSilenced(rule, _time.GetUtcNow());

    /// <summary>
    /// The alerts firing now (resolving ones included: they fire until resolved), one per (rule, route), in
    /// rule then route order; for <c>monitor_alerts_firing</c> and status pages.
    /// </summary>
    public IReadOnlyList<FiringAlert> Firing()
    {
        var result = new List<FiringAlert>();
        for (int k = 0; k < _states.Length; k++)
        {
            for (int i = 0; i < _routes.Length; i++)
            {
                var st = _states[k][i];
                if (st.Phase is AlertPhase.Firing or AlertPhase.Resolving)
                {
                    result.Add(new FiringAlert(AlertRuleNames.All[k], _routeNames[i], st.Current, st.Since, st.Announced != Severity.None));
                }
            }
        }

        return result;
    }

    /// <summary>Writes the complete state for a checkpoint (readable by <see cref="Read"/>; bytes are deterministic).</summary>
    public void Write(StateWriter w)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.Byte(Tag);
        w.Byte(FormatVersion);
        w.Text(_model);
        w.Count32(_states.Length * _routes.Length);
        for (int k = 0; k < _states.Length; k++)
        {
            for (int i = 0; i < _routes.Length; i++)
            {
                w.Text(AlertRuleNames.All[k]);
                w.Text(_routeNames[i]);
                _states[k][i].Write(w);
            }
        }

        StateFormat.WriteTime(w, _lastPerformanceWindowEnd);
        w.Count32(_datasetRun);
        w.Count32(_datasetRunWindows.Count);
        foreach (var range in _datasetRunWindows)
        {
            StateFormat.WriteRange(w, range);
        }

        StateFormat.WriteEvidence(w, _datasetEvidence);
        w.Bool(_performanceBreached);
        StateFormat.WriteEvidence(w, _performanceEvidence);
        w.Bool(_performanceWindow.HasValue);
        if (_performanceWindow is { } pw)
        {
            StateFormat.WriteRange(w, pw);
        }

        StateFormat.WriteTime(w, _lastRetrain);
        w.Count32(_silences.Count);
        foreach (var (rule, until) in _silences)
        {
            w.Text(rule);
            w.Count64(until.UtcTicks);
        }
    }

    /// <summary>
    /// Restores a policy written by <see cref="Write"/>. Alerts are matched by (rule, route name): a route
    /// added to the rules since starts fresh, a removed one is dropped, so a rule-file change keeps the rest.
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are corrupt, of another format version, or of another model.</exception>
    public static AlertPolicy Read(ref StateReader r, ModelRules rules, TimeProvider time)
    {
        var p = new AlertPolicy(rules, time);
        r.Expect(Tag, "an alert policy");
        byte version = r.Byte();
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"Alert policy state version {version} is not supported (expected {FormatVersion}).");
        }

        string model = r.Text();
        if (!string.Equals(model, p._model, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"The checkpoint holds alert state of model '{model}', not '{p._model}'.");
        }

        int entries = StateFormat.ReadCount(ref r);
        for (int e = 0; e < entries; e++)
        {
            string rule = r.Text();
            string route = r.Text();
            var state = RouteState.Read(ref r);
            int k = IndexOf(AlertRuleNames.All, rule);
            int i = IndexOf(p._routeNames, route);
            if (k >= 0 && i >= 0)
            {
                p._states[k][i] = state;
            }
        }

        p._lastPerformanceWindowEnd = StateFormat.ReadTime(ref r);
        p._datasetRun = StateFormat.ReadCount(ref r);
        int windows = r.Length(16);
        for (int i = 0; i < windows; i++)
        {
            p._datasetRunWindows.Add(StateFormat.ReadRange(ref r));
        }

        p._datasetEvidence = StateFormat.ReadEvidence(ref r);
        p._performanceBreached = r.Bool();
        p._performanceEvidence = StateFormat.ReadEvidence(ref r);
        p._performanceWindow = r.Bool() ? StateFormat.ReadRange(ref r) : null;
        p._lastRetrain = StateFormat.ReadTime(ref r);
        int silences = r.Length(12);
        for (int i = 0; i < silences; i++)
        {
            string rule = r.Text();
            p._silences[rule] = StateFormat.ReadInstant(ref r);
        }

        return p;
    }

    /// <summary>The phase of one alert, for tests and status pages.</summary>
    internal AlertPhase PhaseOf(string rule, string route) => StateOf(rule, route).Phase;

    internal RouteState StateOf(string rule, string route) =>
        _states[IndexOf(AlertRuleNames.All, rule)][IndexOf(_routeNames, route)];

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private StepMode ClassifyPerformance(WindowReport report)
    {
        if (report.Performance is not { Judged: true })
        {
            return StepMode.Skip;
        }

        var end = report.Window.End;
        if (_lastPerformanceWindowEnd is not { } last || end > last)
        {
            _lastPerformanceWindowEnd = end.ToUniversalTime();
            return StepMode.Step;
        }

        return end == last ? StepMode.Rejudge : StepMode.Skip;
    }

    private void Step(
        string rule,
        int routeIndex,
        RouteState st,
        RuleObservation obs,
        WindowReport report,
        StepMode mode,
        DateTimeOffset now,
        List<AlertNotification> sent,
        List<SuppressedNotification> suppressed)
    {
        var route = _routes[routeIndex];
        var min = route.MinSeverity == AlertSeverity.Critical ? Severity.Critical : Severity.Warning;
        bool bad = obs.Severity >= min;

        if (mode == StepMode.Rejudge)
        {
            // A back-fill of the window already counted: it may change how bad a firing alert is, not the counts.
            if (bad && st.Phase == AlertPhase.Firing)
            {
                TakeBad(st, obs);
                AnnounceFiring(rule, routeIndex, st, obs, report, now, sent, suppressed);
            }

            return;
        }

        if (bad)
        {
            switch (st.Phase)
            {
                case AlertPhase.Ok or AlertPhase.Pending:
                    st.Since ??= report.Window.Start.ToUniversalTime();
                    st.Pending++;
                    if (st.Pending < route.ForWindows)
                    {
                        st.Phase = AlertPhase.Pending;
                        return;
                    }

                    st.Phase = AlertPhase.Firing;
                    st.Pending = 0;
                    st.Announced = Severity.None;
                    st.Peak = Severity.None;
                    break;
                default:
                    st.Phase = AlertPhase.Firing;
                    st.Clean = 0;
                    break;
            }

            TakeBad(st, obs);
            AnnounceFiring(rule, routeIndex, st, obs, report, now, sent, suppressed);
            return;
        }

        switch (st.Phase)
        {
            case AlertPhase.Pending:
                st.EndEpisode();
                return;
            case AlertPhase.Firing or AlertPhase.Resolving:
                st.Clean++;
                if (st.Clean < route.ResolveAfter)
                {
                    st.Phase = AlertPhase.Resolving;
                    return;
                }

                // An alert never announced resolves quietly: on-call has nothing to close.
                if (st.Announced != Severity.None)
                {
                    var n = Build(rule, routeIndex, st, AlertState.Resolved, AlertTransition.Resolved, st.Peak, ResolvedEvidence(st, obs), null, null, report, now);
                    if (IsSilenced(rule, now))
                    {
                        suppressed.Add(new SuppressedNotification(n, SuppressionReason.Silence));
                    }
                    else
                    {
                        // Resolve notices ignore the cooldown: withholding one would leave the alert open downstream.
                        sent.Add(n);
                        st.LastNotified = now;
                    }
                }

                st.EndEpisode();
                return;
            default:
                return;
        }
    }

    private static void TakeBad(RouteState st, RuleObservation obs)
    {
        st.Current = obs.Severity;
        st.Peak = WindowReport.Max(st.Peak, obs.Severity);
        st.Keys.Clear();
        foreach (var e in obs.Evidence)
        {
            st.Keys.Add((e.Feature, e.Test));
        }
    }

    private void AnnounceFiring(
        string rule,
        int routeIndex,
        RouteState st,
        RuleObservation obs,
        WindowReport report,
        DateTimeOffset now,
        List<AlertNotification> sent,
        List<SuppressedNotification> suppressed)
    {
        var route = _routes[routeIndex];
        AlertTransition transition;
        if (st.Announced == Severity.None)
        {
            transition = AlertTransition.Fired;
        }
        else if (st.Current > st.Announced)
        {
            transition = AlertTransition.Escalated;
        }
        else if (route.RenotifyInterval is { } every && st.LastNotified is { } last && now - last >= every)
        {
            transition = AlertTransition.Renotified;
        }
        else
        {
            return;
        }

        var n = Build(rule, routeIndex, st, AlertState.Firing, transition, st.Current, obs.Evidence, obs.Chart, obs.Detail, report, now);
        if (IsSilenced(rule, now))
        {
            suppressed.Add(new SuppressedNotification(n, SuppressionReason.Silence));
            return;
        }

        if (transition != AlertTransition.Escalated && st.LastNotified is { } previous && now - previous < route.Cooldown)
        {
            suppressed.Add(new SuppressedNotification(n, SuppressionReason.Cooldown));
            return;
        }

        sent.Add(n);
        st.LastNotified = now;
        st.Announced = WindowReport.Max(st.Announced, st.Current);
    }

    private static List<AlertEvidence> ResolvedEvidence(RouteState st, RuleObservation obs)
    {
        var result = new List<AlertEvidence>();
        foreach (var e in obs.All)
        {
            if (st.Keys.Contains((e.Feature, e.Test)))
            {
                result.Add(e);
            }
        }

        return result;
    }

    private AlertNotification Build(
        string rule,
        int routeIndex,
        RouteState st,
        AlertState state,
        AlertTransition transition,
        Severity severity,
        IReadOnlyList<AlertEvidence> evidence,
        DistributionChart? chart,
        string? detail,
        WindowReport report,
        DateTimeOffset now)
    {
        var route = _routes[routeIndex];
        string routeName = _routeNames[routeIndex];
        return new AlertNotification(
            IdempotencyKey(_model, rule, routeName, report.Window.End, state, severity),
            _model,
            report.ModelVersion,
            rule,
            severity,
            state,
            report.Window,
            now,
            AlertText.Summary(_model, rule, severity, transition, evidence, detail, st),
            evidence,
            chart,
            routeName,
            route.Channel!.Value,
            route.Targets,
            route.RunbookUrl ?? _rules.Alerts.RunbookUrl,
            route.DashboardUrl ?? _rules.Alerts.DashboardUrl,
            report.BaselineId)
        {
            Transition = transition,
        };
    }

    /// <summary>
    /// <c>{model}|{rule}|{route}|{windowEnd:O}|{state}</c>, where state is <c>firing:warning</c>,
    /// <c>firing:critical</c> or <c>resolved</c>; the severity keeps an escalation found by a back-fill of the
    /// same window distinct from the firing it escalates.
    /// </summary>
    internal static string IdempotencyKey(string model, string rule, string route, DateTimeOffset windowEnd, AlertState state, Severity severity)
    {
        string token = state == AlertState.Resolved ? "resolved" : severity == Severity.Critical ? "firing:critical" : "firing:warning";
        return string.Create(CultureInfo.InvariantCulture, $"{model}|{rule}|{route}|{windowEnd.ToUniversalTime():O}|{token}");
    }

    private bool IsSilenced(string rule, DateTimeOffset now) =>
        (_silences.TryGetValue(rule, out var until) && now < until) || (_silences.TryGetValue(AllRules, out var all) && now < all);

    private void PruneSilences(DateTimeOffset now)
    {
        List<string>? expired = null;
        foreach (var (rule, until) in _silences)
        {
            if (now >= until)
            {
                (expired ??= []).Add(rule);
            }
        }

        if (expired is not null)
        {
            foreach (string rule in expired)
            {
                _silences.Remove(rule);
            }
        }
    }

    private RetrainRequest? DecideRetrain(WindowReport report, StepMode performanceStep, DateTimeOffset now)
    {
        if (_rules.Retrain is not { } policy)
        {
            return null;
        }

        bool changed = false;
        if (policy.DatasetDriftWindows is { } needed && report.Revision == 0)
        {
            changed = true;
            if (report.Dataset is { } d && d.Severity >= RetrainSeverity)
            {
                _datasetRun++;
                _datasetRunWindows.Add(report.Window);
                if (_datasetRunWindows.Count > needed)
                {
                    _datasetRunWindows.RemoveAt(0);
                }

                _datasetEvidence = [.. RuleObservation.Of(AlertRuleNames.DatasetDrift, report)?.Evidence ?? []];
            }
            else
            {
                _datasetRun = 0;
                _datasetRunWindows.Clear();
                _datasetEvidence = [];
            }
        }

        if (policy.OnPerformanceFloorBreached && performanceStep != StepMode.Skip)
        {
            changed = true;
            var performance = report.Performance!;
            _performanceBreached = performance.Severity >= RetrainSeverity;
            _performanceEvidence = _performanceBreached ? [.. RuleObservation.Of(AlertRuleNames.Performance, report)?.Evidence ?? []] : [];
            _performanceWindow = _performanceBreached ? report.Window : null;
        }

        if (!changed)
        {
            return null;
        }

        bool datasetConfigured = policy.DatasetDriftWindows is not null;
        bool datasetHolds = datasetConfigured && _datasetRun >= policy.DatasetDriftWindows;
        bool performanceHolds = policy.OnPerformanceFloorBreached && _performanceBreached;
        bool holds = policy.Match == RetrainMatch.Any
            ? datasetHolds || performanceHolds
            : (datasetConfigured || policy.OnPerformanceFloorBreached)
                && (!datasetConfigured || datasetHolds)
                && (!policy.OnPerformanceFloorBreached || performanceHolds);
        if (!holds || (_lastRetrain is { } last && now - last < policy.MinInterval))
        {
            return null;
        }

        _lastRetrain = now;
        var reasons = new List<string>(2);
        var evidence = new List<AlertEvidence>();
        var windows = new List<TimeRange>();
        if (datasetHolds)
        {
            reasons.Add("dataset_drift");
            evidence.AddRange(_datasetEvidence);
            windows.AddRange(_datasetRunWindows);
        }

        if (performanceHolds)
        {
            reasons.Add("performance_floor");
            evidence.AddRange(_performanceEvidence);
            if (_performanceWindow is { } pw && !windows.Contains(pw))
            {
                windows.Add(pw);
            }
        }

        windows.Sort((a, b) => a.Start.CompareTo(b.Start));
        string reason = string.Join('+', reasons);
        return new RetrainRequest(
            string.Create(CultureInfo.InvariantCulture, $"{_model}|retrain|{reason}|{report.Window.End.ToUniversalTime():O}"),
            _model,
            report.ModelVersion,
            reason,
            evidence,
            windows,
            report.BaselineId,
            now,
            policy.Webhook!,
            policy.SecretEnv);
    }

    private enum StepMode
    {
        Skip,
        Step,
        Rejudge,
    }
}
