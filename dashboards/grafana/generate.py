#!/usr/bin/env python3
"""Writes Monitor's Grafana dashboards (dashboards/grafana/dashboards/*.json).

The JSON files are committed; this script is their source. Edit here, run
`python3 dashboards/grafana/generate.py`, commit both. tests/dashboards/check.sh fails when the committed
JSON differs from what this script writes. Standard library only.
"""
import json
import pathlib

OUT = pathlib.Path(__file__).resolve().parent / "dashboards"
DS = {"type": "prometheus", "uid": "prometheus"}
SCHEMA_VERSION = 39  # Grafana 11.x; newer Grafana migrates it forward on load
SEVERITY_MAPPING = [{
    "type": "value",
    "options": {
        "0": {"text": "none", "color": "green", "index": 0},
        "1": {"text": "warning", "color": "orange", "index": 1},
        "2": {"text": "critical", "color": "red", "index": 2},
    },
}]


def thresholds(*steps):
    """steps: (value, colour) pairs after the base colour; the first item is the base colour."""
    base, *rest = steps
    return {"mode": "absolute", "steps": [{"color": base, "value": None}] + [{"color": c, "value": v} for v, c in rest]}


def target(expr, legend="", ref="A", instant=False, fmt=None):
    t = {"datasource": DS, "refId": ref, "expr": expr, "legendFormat": legend or "__auto", "range": not instant, "instant": instant}
    if fmt:
        t["format"] = fmt
    return t


def targets(*items, instant=False, fmt=None):
    refs = "ABCDEFGHIJ"
    return [target(e, l, refs[i], instant, fmt) for i, (e, l) in enumerate(items)]


class Layout:
    """Places panels left to right in a 24-column grid, wrapping to a new row."""

    def __init__(self):
        self.x = 0
        self.y = 0
        self.row_h = 0
        self.next_id = 1
        self.panels = []

    def add(self, panel, w, h):
        if self.x + w > 24:
            self.x = 0
            self.y += self.row_h
            self.row_h = 0
        panel["id"] = self.next_id
        self.next_id += 1
        panel["gridPos"] = {"h": h, "w": w, "x": self.x, "y": self.y}
        self.panels.append(panel)
        self.x += w
        self.row_h = max(self.row_h, h)

    def row(self, title):
        if self.x:
            self.y += self.row_h
        self.x = 0
        self.row_h = 0
        self.add({"type": "row", "title": title, "collapsed": False, "panels": []}, 24, 1)


def timeseries(title, tgts, unit="short", description="", overrides=None, steps=None, log=False, stack=False, minv=None, maxv=None):
    custom = {"drawStyle": "line", "lineWidth": 1, "fillOpacity": 10, "showPoints": "never", "spanNulls": False}
    if log:
        custom["scaleDistribution"] = {"type": "log", "log": 10}
    if stack:
        custom["stacking"] = {"mode": "normal", "group": "A"}
    defaults = {"unit": unit, "custom": custom, "color": {"mode": "palette-classic"}}
    if steps:
        defaults["thresholds"] = steps
    if minv is not None:
        defaults["min"] = minv
    if maxv is not None:
        defaults["max"] = maxv
    return {
        "type": "timeseries", "title": title, "description": description, "datasource": DS, "targets": tgts,
        "fieldConfig": {"defaults": defaults, "overrides": overrides or []},
        "options": {"legend": {"displayMode": "table", "placement": "bottom", "showLegend": True, "calcs": ["lastNotNull", "max"]},
                    "tooltip": {"mode": "multi", "sort": "desc"}},
    }


def stat(title, tgts, unit="short", description="", steps=None, mappings=None, text_mode="auto"):
    defaults = {"unit": unit, "thresholds": steps or thresholds("green"), "color": {"mode": "thresholds"}}
    if mappings:
        defaults["mappings"] = mappings
    return {
        "type": "stat", "title": title, "description": description, "datasource": DS, "targets": tgts,
        "fieldConfig": {"defaults": defaults, "overrides": []},
        "options": {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}, "colorMode": "background",
                    "graphMode": "none", "textMode": text_mode, "justifyMode": "auto", "orientation": "auto"},
    }


def bargauge(title, tgts, unit="short", description="", steps=None, minv=0, maxv=None):
    defaults = {"unit": unit, "thresholds": steps or thresholds("green"), "color": {"mode": "thresholds"}, "min": minv}
    if maxv is not None:
        defaults["max"] = maxv
    return {
        "type": "bargauge", "title": title, "description": description, "datasource": DS, "targets": tgts,
        "fieldConfig": {"defaults": defaults, "overrides": []},
        "options": {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}, "displayMode": "gradient",
                    "orientation": "horizontal", "showUnfilled": True},
    }


def table(title, tgts, description="", overrides=None, organize=None, unit="short"):
    panel = {
        "type": "table", "title": title, "description": description, "datasource": DS, "targets": tgts,
        "fieldConfig": {"defaults": {"unit": unit, "custom": {"align": "auto", "cellOptions": {"type": "auto"}}, "thresholds": thresholds("green")},
                        "overrides": overrides or []},
        "options": {"showHeader": True, "cellHeight": "sm"},
        "transformations": [{"id": "merge", "options": {}}],
    }
    if organize:
        panel["transformations"].append({"id": "organize", "options": organize})
    return panel


def by_name_regex(regex, props):
    return {"matcher": {"id": "byRegexp", "options": regex}, "properties": props}


def by_name(name, props):
    return {"matcher": {"id": "byName", "options": name}, "properties": props}


DASHED_ORANGE = [{"id": "color", "value": {"mode": "fixed", "fixedColor": "orange"}},
                 {"id": "custom.lineStyle", "value": {"fill": "dash", "dash": [10, 10]}}, {"id": "custom.fillOpacity", "value": 0}]
DASHED_RED = [{"id": "color", "value": {"mode": "fixed", "fixedColor": "red"}},
              {"id": "custom.lineStyle", "value": {"fill": "dash", "dash": [10, 10]}}, {"id": "custom.fillOpacity", "value": 0}]
THRESHOLD_OVERRIDES = [by_name_regex(".*warning.*", DASHED_ORANGE), by_name_regex(".*critical.*", DASHED_RED)]


def query_var(name, label, query, multi=False, include_all=False, hide=0):
    return {
        "name": name, "label": label, "type": "query", "datasource": DS,
        "query": {"query": query, "refId": "PrometheusVariableQueryEditor-VariableQuery", "qryType": 1},
        "refresh": 2, "sort": 1, "multi": multi, "includeAll": include_all, "hide": hide,
        "options": [], "regex": "", "skipUrlSync": False,
    }


def dashboard(uid, title, description, panels, variables=(), links=(), refresh="1m", time_from="now-24h"):
    return {
        "uid": uid, "title": title, "description": description, "tags": ["monitor"], "editable": True,
        "schemaVersion": SCHEMA_VERSION, "version": 1, "graphTooltip": 1, "refresh": refresh, "timezone": "utc",
        "fiscalYearStartMonth": 0, "liveNow": False, "id": None,
        "time": {"from": time_from, "to": "now"}, "timepicker": {},
        "templating": {"list": list(variables)},
        "annotations": {"list": [{
            "builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"}, "enable": True, "hide": True,
            "iconColor": "rgba(0, 211, 255, 1)", "name": "Annotations & Alerts", "type": "dashboard"}]},
        "links": list(links), "panels": panels,
    }


def link_to(title, uid, keep_vars=False):
    return {"title": title, "type": "link", "url": f"/d/{uid}", "icon": "dashboard", "tags": [], "asDropdown": False,
            "includeVars": keep_vars, "keepTime": True, "targetBlank": False, "tooltip": ""}


# ---------------------------------------------------------------------------------------------------------------
def fleet():
    L = Layout()
    L.row("Fleet")
    L.add(stat("Models monitored", targets(("count(count by (model) (monitor_window_end_timestamp_seconds))", "models")),
               description="Models with at least one evaluated window."), 4, 4)
    L.add(stat("Drifting features", targets(("sum(monitor_dataset_drifted_features)", "features")),
               description="Features over their warning threshold in each model's last window, summed over models.",
               steps=thresholds("green", (1, "orange"), (5, "red"))), 4, 4)
    L.add(stat("Model alerts firing", targets(('sum by (severity) (monitor_alerts_firing)', "{{severity}}")),
               description="Alerts Monitor's own alert policy holds firing (rules/*.yaml routes).",
               steps=thresholds("green", (1, "red"))), 6, 4)
    L.add(stat("Prometheus alerts firing", targets(('count by (severity) (ALERTS{alertstate="firing", alertname=~"Monitor.*"}) or vector(0)', "{{severity}}")),
               description="Alerts from rules/prometheus/monitor-alerts.yml that are firing now.",
               steps=thresholds("green", (1, "red"))), 5, 4)
    L.add(stat("Monitor up", targets(('sum(up{job="monitor"})', "instances")), description="Monitor instances Prometheus scrapes successfully.",
               steps=thresholds("red", (1, "green"))), 5, 4)

    L.row("Drift per model")
    L.add(table("Models", targets(
        ("max by (model) (monitor_dataset_drifted_features)", "drifted"),
        ("max by (model) (monitor_dataset_drift_share)", "share"),
        ("sum by (model) (monitor_window_events)", "events"),
        ("time() - max by (model) (monitor_window_end_timestamp_seconds)", "window_age"),
        ("max by (model) (monitor_baseline_age_seconds)", "baseline_age"),
        ("sum by (model) (monitor_alerts_firing)", "alerts"),
        instant=True, fmt="table"),
        description="One row per model: drifted features and dataset drift share in the last window, events in it, age of the window and of the baseline, alerts firing. Click a model for its drill-down.",
        overrides=[
            by_name("model", [{"id": "links", "value": [{"title": "Drill down", "url": "/d/monitor-model?var-model=${__value.raw}&${__url_time_range}"}]}]),
            by_name("Value #B", [{"id": "unit", "value": "percentunit"}, {"id": "displayName", "value": "dataset drift share"},
                                 {"id": "custom.cellOptions", "value": {"type": "color-background"}},
                                 {"id": "thresholds", "value": thresholds("green", (0.3, "orange"), (0.5, "red"))}]),
            by_name("Value #A", [{"id": "displayName", "value": "drifted features"}]),
            by_name("Value #C", [{"id": "displayName", "value": "events in window"}]),
            by_name("Value #D", [{"id": "unit", "value": "s"}, {"id": "displayName", "value": "last window ended"}]),
            by_name("Value #E", [{"id": "unit", "value": "s"}, {"id": "displayName", "value": "baseline age"}]),
            by_name("Value #F", [{"id": "displayName", "value": "alerts firing"},
                                 {"id": "custom.cellOptions", "value": {"type": "color-background"}},
                                 {"id": "thresholds", "value": thresholds("green", (1, "red"))}]),
        ],
        organize={"excludeByName": {"Time": True}}), 24, 8)
    L.add(bargauge("Dataset drift share", targets(("max by (model) (monitor_dataset_drift_share)", "{{model}}"), instant=True),
                   unit="percentunit", maxv=1, steps=thresholds("green", (0.3, "orange"), (0.5, "red")),
                   description="Share of each model's features drifted in its last window (orange 0.3 and red 0.5 are the demo rules' dataset_drift warning/critical shares)."), 12, 8)
    L.add(bargauge("Drifting features", targets(("max by (model) (monitor_dataset_drifted_features)", "{{model}}"), instant=True),
                   steps=thresholds("green", (1, "orange"), (3, "red")), description="Features drifted per model in its last window."), 12, 8)
    L.add(timeseries("Dataset drift share over time", targets(("max by (model) (monitor_dataset_drift_share)", "{{model}}")),
                     unit="percentunit", minv=0, maxv=1), 12, 8)
    L.add(timeseries("Critical feature drifts over time", targets(("count by (model) (monitor_feature_drift_severity == 2)", "{{model}}")),
                     description="Feature × test pairs at critical severity, per model.", minv=0), 12, 8)

    L.row("Performance")
    L.add(table("Performance headline (last window with labels)", targets(("monitor_model_performance", ""), instant=True, fmt="table"),
                description="Every performance metric of every model; floors are in rules/<model>.yaml and mirrored as monitor:model_performance_floor:* series.",
                organize={"excludeByName": {"Time": True, "__name__": True, "instance": True, "job": True},
                          "renameByName": {"Value": "value"}}), 12, 8)
    L.add(timeseries("Label coverage", targets(("max by (model) (monitor_label_coverage)", "{{model}}")), unit="percentunit", minv=0, maxv=1,
                     description="Labelled predictions / predictions in the last window. Low for models whose labels arrive late (e.g. chargebacks)."), 12, 8)
    links = [link_to("Model drill-down", "monitor-model"), link_to("Monitor health", "monitor-health")]
    return dashboard("monitor-fleet", "Monitor / Fleet overview", "Every monitored model at a glance: drift, performance and alerts.", L.panels, links=links)


def model():
    sel = 'model="$model", version=~"$version"'
    fsel = sel + ', feature=~"$feature"'
    match = "on (model, version, feature, test)"
    L = Layout()
    L.row("Summary")
    L.add(stat("Dataset drift share", targets((f"max(monitor_dataset_drift_share{{{sel}}})", "share")), unit="percentunit",
               steps=thresholds("green", (0.3, "orange"), (0.5, "red"))), 4, 4)
    L.add(stat("Drifted features", targets((f"max(monitor_dataset_drifted_features{{{sel}}})", "features")),
               steps=thresholds("green", (1, "orange"), (3, "red"))), 4, 4)
    L.add(stat("Events in last window", targets((f"sum(monitor_window_events{{{sel}}})", "events"))), 4, 4)
    L.add(stat("Last window ended", targets(('time() - monitor_window_end_timestamp_seconds{model="$model"}', "ago")), unit="s",
               steps=thresholds("green", (7200, "orange"), (14400, "red"))), 4, 4)
    L.add(stat("Baseline age", targets(('monitor_baseline_age_seconds{model="$model"}', "age")), unit="s",
               steps=thresholds("green", (30 * 86400, "orange"), (90 * 86400, "red"))), 4, 4)
    L.add(stat("Alerts firing", targets(('sum by (severity) (monitor_alerts_firing{model="$model"})', "{{severity}}")),
               steps=thresholds("green", (1, "red"))), 4, 4)

    L.row("Feature drift")
    L.add(table("Severity per feature and test (last window)",
                targets((f"max by (feature, test) (monitor_feature_drift_severity{{{fsel}}})", ""),
                        (f"max by (feature, test) (monitor_feature_drift_score{{{fsel}}})", ""),
                        (f"min by (feature, test) (monitor_feature_drift_p_value{{{fsel}}})", ""), instant=True, fmt="table"),
                overrides=[by_name("Value #A", [{"id": "displayName", "value": "severity"}, {"id": "mappings", "value": SEVERITY_MAPPING},
                                                {"id": "custom.cellOptions", "value": {"type": "color-background"}}]),
                           by_name("Value #B", [{"id": "displayName", "value": "score"}, {"id": "decimals", "value": 4}]),
                           by_name("Value #C", [{"id": "displayName", "value": "p-value"}, {"id": "unit", "value": "sci"}])],
                organize={"excludeByName": {"Time": True}}), 24, 9)
    score = timeseries(
        "Drift score: $feature",
        targets((f"monitor_feature_drift_score{{{fsel}}}", "{{test}} score"),
                (f"monitor_feature_drift_warning_threshold{{{fsel}}} unless {match} monitor_feature_drift_p_value{{{fsel}}}", "{{test}} warning"),
                (f"monitor_feature_drift_critical_threshold{{{fsel}}} unless {match} monitor_feature_drift_p_value{{{fsel}}}", "{{test}} critical")),
        description="The test statistic per window. Dashed lines are the warning (orange) and critical (red) thresholds from monitor_feature_drift_warning_threshold and monitor_feature_drift_critical_threshold, drawn for distance tests only: p-value tests compare their p-value (next panel), not the statistic.",
        overrides=THRESHOLD_OVERRIDES, minv=0)
    score["repeat"] = "feature"
    score["repeatDirection"] = "h"
    score["maxPerRow"] = 3
    L.add(score, 8, 8)
    L.row("p-values, prediction and dataset drift")
    L.add(timeseries(
        "p-values (p-value tests)",
        targets((f"monitor_feature_drift_p_value{{{fsel}}}", "{{feature}} {{test}} p"),
                (f"monitor_feature_drift_warning_threshold{{{fsel}}} and {match} monitor_feature_drift_p_value{{{fsel}}}", "{{feature}} {{test}} warning"),
                (f"monitor_feature_drift_critical_threshold{{{fsel}}} and {match} monitor_feature_drift_p_value{{{fsel}}}", "{{feature}} {{test}} critical")),
        unit="sci", log=True, overrides=THRESHOLD_OVERRIDES,
        description="Raw p-values (log scale). Drift when the p-value falls below the dashed thresholds. At large n every p-value is tiny: prefer effect sizes."), 12, 9)
    L.add(timeseries("Prediction drift", targets((f"monitor_prediction_drift_score{{{sel}}}", "{{test}}")), minv=0,
                     description="Drift of the model's output (rules: prediction_drift)."), 12, 9)
    L.add(timeseries("Dataset drift share", targets((f"monitor_dataset_drift_share{{{sel}}}", "share {{version}}")), unit="percentunit",
                     minv=0, maxv=1, steps=thresholds("green", (0.3, "orange"), (0.5, "red"))), 12, 8)
    L.add(timeseries("Drifted features", targets((f"monitor_dataset_drifted_features{{{sel}}}", "drifted {{version}}")), minv=0), 12, 8)

    L.row("Performance and labels")
    L.add(timeseries(
        "Performance metrics",
        targets((f"monitor_model_performance{{{sel}}}", "{{metric}}"),
                ('monitor:model_performance_floor:warning{model="$model"}', "{{metric}} warning"),
                ('monitor:model_performance_floor:critical{model="$model"}', "{{metric}} critical")),
        overrides=THRESHOLD_OVERRIDES,
        description="Metrics on the last window with labels. Dashed: floors from rules/prometheus/monitor-floors.yml (a copy of the rules file's performance.floors)."), 12, 9)
    L.add(timeseries("Label coverage", targets((f"monitor_label_coverage{{{sel}}}", "coverage {{version}}")), unit="percentunit", minv=0, maxv=1), 12, 9)
    L.add(timeseries("Labels joined / expired", targets(('sum(rate(monitor_labels_joined_total{model="$model"}[$__rate_interval]))', "joined/s"),
                                                       ('sum(rate(monitor_labels_expired_total{model="$model"}[$__rate_interval]))', "expired/s")),
                     unit="ops", minv=0), 12, 8)
    L.add(timeseries("Events per window", targets((f"monitor_window_events{{{sel}}}", "events {{version}}"),
                                                  ('sum(rate(monitor_late_events_total{model="$model"}[$__rate_interval]))', "late events/s")),
                     minv=0, description="Prediction events in each evaluated window; late events arrived after their window closed."), 12, 8)

    L.row("Data quality")
    L.add(timeseries("Data quality per check",
                     targets((f"monitor_data_quality{{{fsel}}}", "{{feature}} {{check}}")), unit="percentunit", minv=0,
                     description="Share of values per feature failing each check (missing_share, type_error_share, out_of_range_share, unseen_share)."), 16, 9)
    L.add(table("Data quality (last window)", targets((f"max by (feature, check) (monitor_data_quality{{{fsel}}})", ""), instant=True, fmt="table"),
                unit="percentunit",
                overrides=[by_name("Value", [{"id": "custom.cellOptions", "value": {"type": "color-background"}},
                                             {"id": "thresholds", "value": thresholds("green", (0.01, "orange"), (0.05, "red"))}])],
                organize={"excludeByName": {"Time": True}}), 8, 9)

    variables = [
        query_var("model", "Model", "label_values(monitor_window_end_timestamp_seconds, model)"),
        query_var("version", "Version", 'label_values(monitor_window_events{model="$model"}, version)', multi=True, include_all=True),
        query_var("feature", "Feature", 'label_values(monitor_feature_drift_score{model="$model"}, feature)', multi=True, include_all=True),
    ]
    variables[1]["allValue"] = ".*"
    variables[2]["allValue"] = ".*"
    links = [link_to("Fleet overview", "monitor-fleet"), link_to("Monitor health", "monitor-health")]
    return dashboard("monitor-model", "Monitor / Model drill-down", "One model: drift per feature with thresholds, p-values, performance, data quality, labels and volume.",
                     L.panels, variables=variables, links=links, time_from="now-7d")


def health():
    q = lambda e: f"histogram_quantile({e})"  # noqa: E731
    L = Layout()
    L.row("Process")
    L.add(stat("Monitor up", targets(('sum(up{job="monitor"})', "up")), steps=thresholds("red", (1, "green"))), 4, 4)
    L.add(stat("Newest event age", targets(("time() - max by (model) (monitor_last_event_timestamp_seconds)", "{{model}}")), unit="s",
               steps=thresholds("green", (900, "orange"), (1800, "red")), description="Wall clock minus the event time of the newest prediction, per model."), 8, 4)
    L.add(stat("Outbox depth", targets(("monitor_outbox_depth", "outbox")), steps=thresholds("green", (10, "orange"), (100, "red")),
               description="Notifications waiting for delivery."), 4, 4)
    L.add(stat("Elasticsearch buffer", targets(("monitor_elasticsearch_buffer_depth", "docs")), steps=thresholds("green", (1000, "orange"), (10000, "red"))), 4, 4)
    L.add(stat("ES docs dropped (1h)", targets(("sum(increase(monitor_elasticsearch_dropped_total[1h]))", "dropped")),
               steps=thresholds("green", (1, "red"))), 4, 4)

    L.add(timeseries("Memory", targets(("process_resident_memory_bytes", "resident (RSS)"), ("monitor_gc_committed_bytes", "GC committed"),
                                       ("monitor_gc_heap_bytes", "GC heap in use")), unit="bytes", minv=0,
                     description="Monitor's own footprint. Exact feature values are bounded per model by sketch.exact_memory_mb (see Exact values below)."), 12, 8)
    L.add(timeseries("CPU", targets(("rate(process_cpu_seconds_total[$__rate_interval])", "cores used")), unit="short", minv=0,
                     description="CPU seconds per second: 1 = one core busy."), 12, 8)

    L.row("Ingest")
    L.add(timeseries("Consumed / decoded per topic", targets(("sum by (topic) (rate(monitor_events_consumed_total[$__rate_interval]))", "{{topic}} consumed"),
                                                              ("sum by (topic) (rate(monitor_events_decoded_total[$__rate_interval]))", "{{topic}} decoded")),
                     unit="ops", minv=0), 12, 8)
    L.add(timeseries("Consumer lag per partition", targets(("monitor_consumer_lag", "{{topic}}/{{partition}}")), minv=0,
                     description="High watermark − committed offset."), 12, 8)
    L.add(timeseries("Decode errors by reason", targets(("sum by (topic, reason) (rate(monitor_decode_errors_total[$__rate_interval]))", "{{topic}} {{reason}}")),
                     unit="ops", minv=0, stack=True), 8, 8)
    L.add(timeseries("Dead letters by reason", targets(("sum by (topic, reason) (rate(monitor_dead_letters_total[$__rate_interval]))", "{{topic}} {{reason}}")),
                     unit="ops", minv=0, stack=True), 8, 8)
    L.add(timeseries("Late events / expired labels", targets(("sum by (model) (rate(monitor_late_events_total[$__rate_interval]))", "{{model}} late"),
                                                              ("sum by (model) (rate(monitor_labels_expired_total[$__rate_interval]))", "{{model}} label expired")),
                     unit="ops", minv=0), 8, 8)

    L.row("Evaluation and state")
    L.add(timeseries("Window evaluation duration", targets(
        (q("0.5, sum by (le, model) (rate(monitor_window_evaluation_duration_seconds_bucket[$__rate_interval]))"), "{{model}} p50"),
        (q("0.9, sum by (le, model) (rate(monitor_window_evaluation_duration_seconds_bucket[$__rate_interval]))"), "{{model}} p90"),
        (q("0.99, sum by (le, model) (rate(monitor_window_evaluation_duration_seconds_bucket[$__rate_interval]))"), "{{model}} p99")),
        unit="s", minv=0), 12, 8)
    L.add(timeseries("Checkpoint duration", targets(
        (q("0.5, sum by (le) (rate(monitor_checkpoint_duration_seconds_bucket[$__rate_interval]))"), "p50"),
        (q("0.9, sum by (le) (rate(monitor_checkpoint_duration_seconds_bucket[$__rate_interval]))"), "p90"),
        (q("0.99, sum by (le) (rate(monitor_checkpoint_duration_seconds_bucket[$__rate_interval]))"), "p99"),
        ("sum(rate(monitor_checkpoint_duration_seconds_count[$__rate_interval]))", "checkpoints/s")),
        unit="s", minv=0, overrides=[by_name("checkpoints/s", [{"id": "unit", "value": "ops"}, {"id": "custom.axisPlacement", "value": "right"}])]), 12, 8)

    L.add(timeseries("Exact values held vs budget", targets(("monitor_exact_values_bytes", "{{model}} held"), ("monitor_exact_values_budget_bytes", "{{model}} budget")),
                     unit="bytes", minv=0, description="Exact feature values of all open windows; past the budget the largest switch to KLL sketches (estimate: sketch in reports)."), 12, 8)
    L.add(timeseries("Early switches to sketches", targets(("sum by (model) (increase(monitor_exact_budget_switches_total[$__rate_interval]))", "{{model}}")),
                     minv=0, description="Accumulators switched to their sketch before the exact limit to stay within the model's budget."), 12, 8)

    L.row("Outputs")
    L.add(timeseries("Alerts sent / failed per channel", targets(("sum by (channel) (rate(monitor_alerts_sent_total[$__rate_interval]))", "{{channel}} sent"),
                                                                  ("sum by (channel) (rate(monitor_alerts_failed_total[$__rate_interval]))", "{{channel}} failed")),
                     unit="ops", minv=0, overrides=[by_name_regex(".*failed", [{"id": "color", "value": {"mode": "fixed", "fixedColor": "red"}}])],
                     description="Failed counts every attempt, retries included."), 8, 8)
    L.add(timeseries("Outbox depth", targets(("monitor_outbox_depth", "waiting")), minv=0), 8, 8)
    L.add(timeseries("Retrain requests by status", targets(("sum by (model, status) (increase(monitor_retrain_requests_total[$__rate_interval]))", "{{model}} {{status}}")),
                     minv=0), 8, 8)
    L.add(timeseries("Elasticsearch buffer / dropped", targets(("monitor_elasticsearch_buffer_depth", "buffered"),
                                                                ("sum(rate(monitor_elasticsearch_dropped_total[$__rate_interval]))", "dropped/s")),
                     minv=0, overrides=[by_name("dropped/s", [{"id": "unit", "value": "ops"}, {"id": "custom.axisPlacement", "value": "right"},
                                                              {"id": "color", "value": {"mode": "fixed", "fixedColor": "red"}}])]), 24, 8)
    links = [link_to("Fleet overview", "monitor-fleet"), link_to("Model drill-down", "monitor-model")]
    return dashboard("monitor-health", "Monitor / Health", "Monitor's own health: ingest, lag, evaluation, checkpoints, alert delivery, Elasticsearch export.",
                     L.panels, links=links, refresh="30s", time_from="now-6h")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for name, d in (("monitor-fleet.json", fleet()), ("monitor-model.json", model()), ("monitor-health.json", health())):
        (OUT / name).write_text(json.dumps(d, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
