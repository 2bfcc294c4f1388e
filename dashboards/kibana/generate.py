#!/usr/bin/env python3
"""Writes dashboards/kibana/monitor.ndjson, Monitor's Kibana saved objects (Kibana 8.x import format).

The NDJSON is committed; this script is its source (nested JSON-in-strings are easier to get right here).
Edit, run `python3 dashboards/kibana/generate.py`, commit both; tests/dashboards/check.sh fails when they differ.
Objects: four data views, the "drifted tests" saved search, three aggregation-based ("legacy") visualizations
and the "Monitor" dashboard. Aggregation-based visualizations are used rather than Lens because their saved
format is small, documented and stable across 8.x; Kibana migrates them forward on import.
"""
import json
import pathlib

OUT = pathlib.Path(__file__).resolve().parent / "monitor.ndjson"
CORE = "8.8.0"  # coreMigrationVersion written by every Kibana >= 8.8 export

DATA_VIEWS = [
    ("monitor-drift", "monitor-drift-*", "Monitor drift reports (window × feature × test)", ()),
    ("monitor-windows", "monitor-windows-*", "Monitor window summaries",
     ("dataset_drift.share", "dataset_drift.warning_share", "dataset_drift.critical_share", "performance.label_coverage")),
    ("monitor-alerts", "monitor-alerts-*", "Monitor alerts", ()),
    ("monitor-logs", "monitor-logs-*", "Monitor logs", ()),
]


def js(value):
    return json.dumps(value, separators=(",", ":"))


def obj(kind, oid, attributes, references=(), type_migration="8.0.0"):
    return {"attributes": attributes, "coreMigrationVersion": CORE, "id": oid, "managed": False,
            "references": list(references), "type": kind, "typeMigrationVersion": type_migration}


def data_view(oid, pattern, name, percent_fields):
    formats = {f: {"id": "percent", "params": {}} for f in percent_fields}
    return obj("index-pattern", oid, {
        "allowNoIndex": True, "fieldAttrs": "{}", "fieldFormatMap": js(formats), "fields": "[]", "name": name,
        "runtimeFieldMap": "{}", "sourceFilters": "[]", "timeFieldName": "@timestamp", "title": pattern, "typeMeta": "{}",
    })


def index_ref(view):
    return {"id": view, "name": "kibanaSavedObjectMeta.searchSourceJSON.index", "type": "index-pattern"}


def search_source(query="", with_index=True):
    s = {"query": {"query": query, "language": "kuery"}, "filter": []}
    if with_index:
        s["indexRefName"] = "kibanaSavedObjectMeta.searchSourceJSON.index"
    return js(s)


DRIFTED_SEARCH = obj("search", "monitor-drifted-tests", {
    "title": "Monitor: drifted tests",
    "description": "Drift test results over their warning threshold (drifted:true), newest first: one row per window × feature × test.",
    "columns": ["model", "model_version", "feature", "test", "statistic", "p_value", "warning", "critical", "severity", "mode", "bound", "n_current", "final"],
    "sort": [["@timestamp", "desc"]],
    "grid": {}, "hideChart": False, "isTextBasedQuery": False, "timeRestore": False,
    "kibanaSavedObjectMeta": {"searchSourceJSON": search_source("drifted:true")},
}, [index_ref("monitor-drift")])


def axes_params(chart_type, value_title, mode="normal"):
    return {
        "type": chart_type, "grid": {"categoryLines": False},
        "categoryAxes": [{"id": "CategoryAxis-1", "type": "category", "position": "bottom", "show": True, "style": {},
                          "scale": {"type": "linear"}, "labels": {"show": True, "filter": True, "truncate": 100}, "title": {}}],
        "valueAxes": [{"id": "ValueAxis-1", "name": "LeftAxis-1", "type": "value", "position": "left", "show": True, "style": {},
                       "scale": {"type": "linear", "mode": mode}, "labels": {"show": True, "rotate": 0, "filter": False, "truncate": 100},
                       "title": {"text": value_title}}],
        "seriesParams": [{"show": True, "type": chart_type, "mode": "stacked" if chart_type == "histogram" else "normal",
                          "data": {"label": value_title, "id": "1"}, "valueAxis": "ValueAxis-1",
                          "drawLinesBetweenPoints": True, "lineWidth": 2, "showCircles": True, "interpolate": "linear"}],
        "addTooltip": True, "addLegend": True, "legendPosition": "right", "times": [], "addTimeMarker": False,
        "labels": {"show": False}, "thresholdLine": {"show": False, "value": 10, "width": 1, "style": "full", "color": "#E7664C"},
        "palette": {"type": "palette", "name": "kibana_palette"}, "isVislibVis": True, "detailedTooltip": True, "legendSize": "auto",
    }


def date_histogram(agg_id="2"):
    return {"id": agg_id, "enabled": True, "type": "date_histogram", "schema": "segment",
            "params": {"field": "@timestamp", "useNormalizedEsInterval": True, "scaleMetricValues": False, "interval": "auto",
                       "drop_partials": False, "min_doc_count": 1, "extended_bounds": {}}}


def terms(agg_id, field, schema, size=10, order_by="1"):
    return {"id": agg_id, "enabled": True, "type": "terms", "schema": schema,
            "params": {"field": field, "orderBy": order_by, "order": "desc", "size": size, "otherBucket": False,
                       "otherBucketLabel": "Other", "missingBucket": False, "missingBucketLabel": "Missing"}}


def visualization(oid, title, description, vis_state, references, search_source_json, saved_search=False):
    attributes = {"title": title, "description": description, "uiStateJSON": "{}", "version": 1,
                  "visState": js(vis_state), "kibanaSavedObjectMeta": {"searchSourceJSON": search_source_json}}
    if saved_search:
        attributes["savedSearchRefName"] = "search_0"
    return obj("visualization", oid, attributes, references, type_migration="8.5.0")


VIS_DRIFTED = visualization(
    "monitor-vis-drifted-over-time", "Monitor: drifted tests over time",
    "Count of drift test results over their warning threshold per window, stacked by model (from the saved search).",
    {"title": "Monitor: drifted tests over time", "type": "histogram",
     "aggs": [{"id": "1", "enabled": True, "type": "count", "schema": "metric", "params": {}},
              date_histogram(), terms("3", "model", "group")],
     "params": axes_params("histogram", "Drifted tests")},
    [{"id": "monitor-drifted-tests", "name": "search_0", "type": "search"}],
    js({"query": {"query": "", "language": "kuery"}, "filter": []}), saved_search=True)

VIS_SHARE = visualization(
    "monitor-vis-dataset-drift-share", "Monitor: dataset drift share",
    "Share of features drifted per window (max per interval), one line per model. Final windows only.",
    {"title": "Monitor: dataset drift share", "type": "line",
     "aggs": [{"id": "1", "enabled": True, "type": "max", "schema": "metric",
               "params": {"field": "dataset_drift.share", "customLabel": "Dataset drift share"}},
              date_histogram(), terms("3", "model", "group")],
     "params": axes_params("line", "Dataset drift share")},
    [index_ref("monitor-windows")], search_source("final:true"))

VIS_ALERTS = visualization(
    "monitor-vis-alerts", "Monitor: alerts by model, rule and severity",
    "Alert documents (firing, resolved, notification attempts) counted by model, rule, severity and state.",
    {"title": "Monitor: alerts by model, rule and severity", "type": "table",
     "aggs": [{"id": "1", "enabled": True, "type": "count", "schema": "metric", "params": {}},
              terms("2", "model", "bucket", 20), terms("3", "rule", "bucket", 20),
              terms("4", "severity", "bucket", 3), terms("5", "state", "bucket", 5)],
     "params": {"perPage": 10, "showPartialRows": False, "showMetricsAtAllLevels": False, "showTotal": False,
                "totalFunc": "sum", "percentageCol": "", "autoFitRowToContent": False}},
    [index_ref("monitor-alerts")], search_source())

VIS_LOG_LEVELS = visualization(
    "monitor-vis-log-levels", "Monitor: warnings and errors in Monitor's logs",
    "Monitor's own log events at Warning level or above, per interval and level.",
    {"title": "Monitor: warnings and errors in Monitor's logs", "type": "histogram",
     "aggs": [{"id": "1", "enabled": True, "type": "count", "schema": "metric", "params": {}},
              date_histogram(), terms("3", "level", "group", 5)],
     "params": axes_params("histogram", "Log events")},
    [index_ref("monitor-logs")], search_source("level:(Warning or Error or Fatal)"))

PANELS = [  # (object, type, x, y, w, h) on Kibana's 48-column grid
    (VIS_DRIFTED, "visualization", 0, 0, 24, 14),
    (VIS_SHARE, "visualization", 24, 0, 24, 14),
    (VIS_ALERTS, "visualization", 0, 14, 24, 14),
    (VIS_LOG_LEVELS, "visualization", 24, 14, 24, 14),
    (DRIFTED_SEARCH, "search", 0, 28, 48, 18),
]


def dashboard():
    panels, references = [], []
    for i, (o, kind, x, y, w, h) in enumerate(PANELS, start=1):
        idx = str(i)
        panels.append({"version": "8.8.0", "type": kind, "gridData": {"x": x, "y": y, "w": w, "h": h, "i": idx},
                       "panelIndex": idx, "embeddableConfig": {"enhancements": {}}, "panelRefName": f"panel_{idx}"})
        references.append({"id": o["id"], "name": f"{idx}:panel_{idx}", "type": kind})
    return obj("dashboard", "monitor-overview", {
        "title": "Monitor",
        "description": "Monitor's reports in Elasticsearch: drifted tests, dataset drift share, alerts, and Monitor's own warnings and errors.",
        "panelsJSON": js(panels),
        "optionsJSON": js({"useMargins": True, "syncColors": False, "syncCursor": True, "syncTooltips": False, "hidePanelTitles": False}),
        "timeRestore": True, "timeFrom": "now-7d", "timeTo": "now", "refreshInterval": {"pause": False, "value": 60000},
        "version": 1,
        "kibanaSavedObjectMeta": {"searchSourceJSON": search_source(with_index=False)},
    }, references, type_migration="8.9.0")


def main():
    objects = [data_view(*v) for v in DATA_VIEWS] + [DRIFTED_SEARCH, VIS_DRIFTED, VIS_SHARE, VIS_ALERTS, VIS_LOG_LEVELS, dashboard()]
    OUT.write_text("".join(json.dumps(o, ensure_ascii=False, sort_keys=True) + "\n" for o in objects), encoding="utf-8")


if __name__ == "__main__":
    main()
