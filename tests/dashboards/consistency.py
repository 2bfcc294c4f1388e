#!/usr/bin/env python3
"""Consistency checks for Monitor's dashboards, alerting rules and local stack (run by check.sh).

Usage: consistency.py <check> [args]   with check one of:
  metrics        every monitor_* name in dashboards, alerting rules and promtool tests is in docs/metrics.md
  alerts         every alert has for/severity/summary/description/runbook_url, a runbook file, and a firing
                 and a not-firing promtool case
  floors         rules/prometheus/monitor-floors.yml == performance.floors of rules/*.yaml (both ways)
  compose-rules  deploy/monitor/rules/<model>.yaml differs from rules/<model>.yaml only in allowed keys
  compose-paths  FILE (the output of `docker-compose config`): every bind-mount source and Dockerfile exists
  kibana         dashboards/kibana/monitor.ndjson: parses, required keys, references resolve, fields documented
  promql         FILE: writes every Grafana panel query as a recording rule into FILE, Grafana variables
                 replaced by sample values, so that `promtool check rules FILE` parses them as PromQL
Prints what it checked; exits 1 on the first failing check with every problem it found.
"""
import json
import pathlib
import re
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")
# Error metrics: limits are ceilings (docs/rules.md, "Metrics per task").
LOWER_IS_BETTER = {"log_loss", "brier", "calibration_error", "mae", "rmse", "mape", "bias"}


def fail(problems):
    for p in problems:
        print(f"  FAIL: {p}")
    sys.exit(1)


def catalogue():
    """Metric family names and the histogram families, from docs/metrics.md's tables."""
    names, histograms = set(), set()
    for line in (ROOT / "docs/metrics.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\|\s*`((?:monitor|process)_[a-z0-9_]+)`\s*\|(.*)$", line)
        if m:
            names.add(m.group(1))
            cells = [c.strip() for c in m.group(2).split("|")]
            if cells and cells[0] == "histogram":
                histograms.add(m.group(1))
    return names, histograms


def used_metric_names(text):
    # monitor_* and process_* tokens not preceded by a name character; recording rules (monitor:...) never match.
    return set(re.findall(r"(?<![A-Za-z0-9_:])(?:monitor|process)_[a-z0-9_]+", text))


def check_metrics():
    names, histograms = catalogue()
    if len(names) < 10:
        fail([f"docs/metrics.md: only {len(names)} metric names parsed"])
    files = sorted((ROOT / "dashboards/grafana/dashboards").glob("*.json")) + sorted((ROOT / "rules/prometheus").glob("*.yml")) \
        + sorted((ROOT / "rules/prometheus/tests").glob("*.yml"))
    problems, seen = [], set()
    for f in files:
        for name in used_metric_names(f.read_text(encoding="utf-8")):
            seen.add(name)
            base = name
            for suffix in HISTOGRAM_SUFFIXES:
                if name.endswith(suffix) and name[: -len(suffix)] in histograms:
                    base = name[: -len(suffix)]
            if base not in names:
                problems.append(f"{f.relative_to(ROOT)}: {name} is not in docs/metrics.md")
    if problems:
        fail(problems)
    print(f"  ok: {len(seen)} distinct metric names in {len(files)} files, all in docs/metrics.md ({len(names)} catalogued)")


def alert_rules():
    rules = []
    for f in sorted((ROOT / "rules/prometheus").glob("*.yml")):
        for group in yaml.safe_load(f.read_text(encoding="utf-8"))["groups"]:
            for rule in group["rules"]:
                if "alert" in rule:
                    rules.append((f, rule))
    return rules


def check_alerts():
    problems, names = [], set()
    rules = alert_rules()
    for f, rule in rules:
        name = rule["alert"]
        names.add(name)
        where = f"{f.relative_to(ROOT)}: {name}"
        if not rule.get("for"):
            problems.append(f"{where}: no 'for'")
        severity = rule.get("labels", {}).get("severity")
        if severity not in ("warning", "critical"):
            problems.append(f"{where}: severity label is {severity!r}, want warning or critical")
        ann = rule.get("annotations", {})
        for key in ("summary", "description", "runbook_url"):
            if not ann.get(key):
                problems.append(f"{where}: no {key} annotation")
        if not re.search(r"\{\{\s*\$value", ann.get("summary", "") + ann.get("description", "")) and name != "MonitorDown":
            problems.append(f"{where}: summary/description do not show {{{{ $value }}}}")
        url = ann.get("runbook_url", "")
        m = re.match(r"^https://github\.com/monitor-ml/monitor/blob/main/(docs/runbooks/[A-Za-z]+\.md)$", url)
        if not m:
            problems.append(f"{where}: runbook_url {url!r} is not https://github.com/monitor-ml/monitor/blob/main/docs/runbooks/<name>.md")
        elif m.group(1) != f"docs/runbooks/{name}.md":
            problems.append(f"{where}: runbook_url names {m.group(1)}, want docs/runbooks/{name}.md")
        elif not (ROOT / m.group(1)).is_file():
            problems.append(f"{where}: {m.group(1)} does not exist")
    firing, quiet = set(), set()
    for f in sorted((ROOT / "rules/prometheus/tests").glob("*.yml")):
        doc = yaml.safe_load(f.read_text(encoding="utf-8"))
        for test in doc.get("tests", []):
            for case in test.get("alert_rule_test", []):
                (firing if case.get("exp_alerts") else quiet).add(case["alertname"])
    for name in sorted(names):
        if name not in firing:
            problems.append(f"{name}: no promtool case where it fires")
        if name not in quiet:
            problems.append(f"{name}: no promtool case where it does not fire")
    if problems:
        fail(problems)
    print(f"  ok: {len(rules)} alerting rules ({len(names)} alerts): for, severity, summary, description, runbook file, firing and quiet tests")


def check_floors():
    recorded = {}
    for group in yaml.safe_load((ROOT / "rules/prometheus/monitor-floors.yml").read_text(encoding="utf-8"))["groups"]:
        for rule in group["rules"]:
            m = re.match(r"^monitor:model_performance_floor:(warning|critical)$", rule.get("record", ""))
            if not m:
                fail([f"monitor-floors.yml: unexpected rule {rule}"])
            value = re.fullmatch(r"vector\(([-0-9.eE+]+)\)", rule["expr"].strip())
            if not value:
                fail([f"monitor-floors.yml: expr {rule['expr']!r} is not vector(<number>)"])
            labels = rule["labels"]
            key = (labels["model"], labels["metric"], m.group(1))
            if key in recorded:
                fail([f"monitor-floors.yml: {key} recorded twice"])
            recorded[key] = (float(value.group(1)), labels["direction"])
    expected = {}
    for f in sorted((ROOT / "rules").glob("*.yaml")):
        doc = yaml.safe_load(f.read_text(encoding="utf-8"))
        floors = (doc.get("performance") or {}).get("floors") or {}
        for metric, limits in floors.items():
            direction = "below" if metric in LOWER_IS_BETTER else "above"
            for level in ("warning", "critical"):
                if level in limits:
                    expected[(doc["model"]["name"], metric, level)] = (float(limits[level]), direction)
    problems = []
    for key in sorted(set(expected) | set(recorded)):
        if key not in recorded:
            problems.append(f"floor {key} = {expected[key]} is in rules/*.yaml but not in monitor-floors.yml")
        elif key not in expected:
            problems.append(f"floor {key} = {recorded[key]} is in monitor-floors.yml but not in rules/*.yaml")
        elif expected[key] != recorded[key]:
            problems.append(f"floor {key}: rules say {expected[key]}, monitor-floors.yml says {recorded[key]}")
    if problems:
        fail(problems)
    print(f"  ok: {len(recorded)} recorded performance floors match rules/*.yaml")


def check_compose_rules():
    allowed = [("baseline", "path"), ("alerts", "dashboard_url")]
    problems, count = [], 0
    for copy in sorted((ROOT / "deploy/monitor/rules").glob("*.yaml")):
        count += 1
        original = yaml.safe_load((ROOT / "rules" / copy.name).read_text(encoding="utf-8"))
        deployed = yaml.safe_load(copy.read_text(encoding="utf-8"))
        for a, b in allowed:
            deployed.get(a, {}).pop(b, None)
            original.get(a, {}).pop(b, None)
        # Route targets may differ (container host names); everything else about a route may not.
        for doc in (original, deployed):
            for route in (doc.get("alerts") or {}).get("routes", []):
                route.pop("targets", None)
        if original != deployed:
            problems.append(f"{copy.relative_to(ROOT)} differs from rules/{copy.name} beyond baseline.path, alerts.dashboard_url and route targets")
    if problems:
        fail(problems)
    print(f"  ok: {count} deploy/monitor/rules file(s) equal rules/ except the allowed host/path keys")


def check_compose_paths(config_file):
    doc = yaml.safe_load(pathlib.Path(config_file).read_text(encoding="utf-8"))
    problems, count = [], 0
    for name, service in doc["services"].items():
        for volume in service.get("volumes", []):
            if isinstance(volume, dict):
                if volume.get("type") != "bind":
                    continue
                source = volume["source"]
            else:
                source = volume.split(":")[0]
                if not source.startswith(("/", ".")):
                    continue
            count += 1
            if not pathlib.Path(source).exists():
                problems.append(f"service {name}: bind-mount source {source} does not exist")
        build = service.get("build")
        if build:
            context = pathlib.Path(build["context"] if isinstance(build, dict) else build)
            dockerfile = context / (build.get("dockerfile", "Dockerfile") if isinstance(build, dict) else "Dockerfile")
            count += 1
            if not dockerfile.is_file():
                problems.append(f"service {name}: {dockerfile} does not exist")
    if problems:
        fail(problems)
    print(f"  ok: {count} bind mounts and Dockerfiles of docker-compose.yml exist")


def documented_fields():
    """docs/dashboards.md: '### `pattern`' headings followed by '| `field` | type |' rows."""
    fields, current = {}, None
    for line in (ROOT / "docs/dashboards.md").read_text(encoding="utf-8").splitlines():
        h = re.match(r"^### `(monitor-[a-z]+-\*)`", line)
        if h:
            current = h.group(1)
            fields[current] = {}
            continue
        if line.startswith("#"):
            current = None
        m = re.match(r"^\|\s*`([^`]+)`\s*\|\s*([a-z_]+)\s*\|", line)
        if current and m:
            fields[current][m.group(1)] = m.group(2)
    return fields


def field_known(field, known):
    return field in known or any(k.endswith(".*") and field.startswith(k[:-1]) for k in known)


def check_kibana():
    path = ROOT / "dashboards/kibana/monitor.ndjson"
    fields = documented_fields()
    problems, objects = [], {}
    want = {"monitor-drift-*", "monitor-windows-*", "monitor-alerts-*", "monitor-logs-*"}
    if set(fields) != want:
        fail([f"docs/dashboards.md: field tables for {sorted(fields)}, want {sorted(want)}"])
    lines = path.read_text(encoding="utf-8").splitlines()
    for n, line in enumerate(lines, 1):
        try:
            o = json.loads(line)
        except json.JSONDecodeError as e:
            problems.append(f"line {n}: not JSON ({e})")
            continue
        for key in ("id", "type", "attributes", "references", "coreMigrationVersion", "typeMigrationVersion"):
            if key not in o:
                problems.append(f"line {n}: no {key}")
        if not isinstance(o.get("references"), list):
            problems.append(f"line {n}: references is not a list")
        objects[(o.get("type"), o.get("id"))] = o
    if problems:
        fail(problems)
    view_pattern = {}
    for (kind, oid), o in objects.items():
        a = o["attributes"]
        if kind == "index-pattern":
            for key in ("title", "name", "timeFieldName"):
                if not a.get(key):
                    problems.append(f"data view {oid}: no {key}")
            if a.get("title") not in fields:
                problems.append(f"data view {oid}: pattern {a.get('title')} has no field table in docs/dashboards.md")
            elif a.get("timeFieldName") not in fields[a["title"]]:
                problems.append(f"data view {oid}: time field {a.get('timeFieldName')} not documented")
            view_pattern[oid] = a.get("title")
            for field in json.loads(a.get("fieldFormatMap") or "{}"):
                if a.get("title") in fields and not field_known(field, fields[a["title"]]):
                    problems.append(f"data view {oid}: formatted field {field} is not documented")
    for n, (key, o) in enumerate(objects.items(), 1):
        kind, oid = key
        a = o["attributes"]
        for ref in o["references"]:
            if (ref.get("type"), ref.get("id")) not in objects:
                problems.append(f"{kind} {oid}: reference {ref} is not in the file")
        refs = {r["name"]: r for r in o["references"]}
        if kind in ("search", "visualization", "dashboard"):
            if not a.get("title"):
                problems.append(f"{kind} {oid}: no title")
            try:
                source = json.loads(a["kibanaSavedObjectMeta"]["searchSourceJSON"])
            except (KeyError, json.JSONDecodeError) as e:
                problems.append(f"{kind} {oid}: searchSourceJSON missing or not JSON ({e})")
                continue
            if "indexRefName" in source and source["indexRefName"] not in refs:
                problems.append(f"{kind} {oid}: indexRefName {source['indexRefName']} has no reference")
        pattern = None
        if kind in ("search", "visualization"):
            if a.get("savedSearchRefName"):
                ss = refs.get(a["savedSearchRefName"])
                if not ss:
                    problems.append(f"{kind} {oid}: savedSearchRefName has no reference")
                else:
                    sref = {r["name"]: r for r in objects[("search", ss["id"])]["references"]}
                    pattern = view_pattern.get(sref["kibanaSavedObjectMeta.searchSourceJSON.index"]["id"])
            else:
                r = refs.get("kibanaSavedObjectMeta.searchSourceJSON.index")
                pattern = view_pattern.get(r["id"]) if r else None
            if not pattern:
                problems.append(f"{kind} {oid}: no data view")
                continue
            used = set(a.get("columns", [])) | {s[0] for s in a.get("sort", [])}
            query = json.loads(a["kibanaSavedObjectMeta"]["searchSourceJSON"]).get("query", {}).get("query", "")
            used |= set(re.findall(r"([A-Za-z_@][A-Za-z0-9_.@*]*)\s*:", query))
            if kind == "visualization":
                try:
                    vis = json.loads(a["visState"])
                except (KeyError, json.JSONDecodeError) as e:
                    problems.append(f"visualization {oid}: visState missing or not JSON ({e})")
                    continue
                for key in ("title", "type", "aggs", "params"):
                    if key not in vis:
                        problems.append(f"visualization {oid}: visState has no {key}")
                used |= {agg["params"]["field"] for agg in vis.get("aggs", []) if "field" in agg.get("params", {})}
            for field in sorted(used):
                if not field_known(field, fields[pattern]):
                    problems.append(f"{kind} {oid}: field {field} is not in the {pattern} table of docs/dashboards.md")
        if kind == "dashboard":
            try:
                panels = json.loads(a["panelsJSON"])
                json.loads(a["optionsJSON"])
            except (KeyError, json.JSONDecodeError) as e:
                problems.append(f"dashboard {oid}: panelsJSON/optionsJSON missing or not JSON ({e})")
                continue
            for p in panels:
                for key in ("gridData", "panelIndex", "panelRefName", "type"):
                    if key not in p:
                        problems.append(f"dashboard {oid}: panel {p.get('panelIndex')} has no {key}")
                ref = refs.get(f"{p.get('panelIndex')}:{p.get('panelRefName')}")
                if not ref or ref["type"] != p.get("type"):
                    problems.append(f"dashboard {oid}: panel {p.get('panelIndex')} has no matching reference")
                g = p.get("gridData", {})
                if g.get("x", 0) + g.get("w", 0) > 48:
                    problems.append(f"dashboard {oid}: panel {p.get('panelIndex')} is wider than the 48-column grid")
    kinds = {k for k, _ in objects}
    for kind in ("index-pattern", "search", "visualization", "dashboard"):
        if kind not in kinds:
            problems.append(f"no {kind} object")
    if set(view_pattern.values()) != want:
        problems.append(f"data views for {sorted(view_pattern.values())}, want {sorted(want)}")
    if problems:
        fail(problems)
    print(f"  ok: {len(lines)} Kibana objects parse, have their keys, resolve their references and use documented fields")


GRAFANA_VARIABLES = [("$__rate_interval", "5m"), ("$__interval", "1m"), ("$__range", "1h"),
                     ("${__value.raw}", "x"), ("$model", "fraud"), ("$version", ".*"), ("$feature", ".*")]


def write_promql_rules(out_file):
    rules, problems = [], []
    for f in sorted((ROOT / "dashboards/grafana/dashboards").glob("*.json")):
        for p in json.loads(f.read_text(encoding="utf-8"))["panels"]:
            for t in p.get("targets", []):
                expr = t["expr"]
                for var, value in GRAFANA_VARIABLES:
                    expr = expr.replace(var, value)
                if "$" in expr:
                    problems.append(f"{f.name}: panel {p['title']!r} uses a variable this check does not know: {t['expr']}")
                rules.append({"record": f"dashboard:query:{len(rules)}", "expr": expr})
    if problems:
        fail(problems)
    pathlib.Path(out_file).write_text(yaml.safe_dump({"groups": [{"name": "dashboard-queries", "rules": rules}]}, sort_keys=False), encoding="utf-8")
    print(f"  ok: {len(rules)} panel queries written to {out_file}")


def main():
    checks = {"metrics": check_metrics, "alerts": check_alerts, "floors": check_floors,
              "compose-rules": check_compose_rules, "kibana": check_kibana}
    name = sys.argv[1] if len(sys.argv) > 1 else ""
    if name == "compose-paths":
        check_compose_paths(sys.argv[2])
    elif name == "promql":
        write_promql_rules(sys.argv[2])
    elif name in checks:
        checks[name]()
    else:
        print(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
