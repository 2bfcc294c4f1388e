#!/usr/bin/env bash
# Checks Monitor's dashboards, Prometheus rules, runbooks and docker-compose stack (docs/dashboards.md, "Checks").
# Installs what it needs on a fresh Debian machine (run as root, or with sudo available); prints each check;
# exits non-zero if any check fails. Usage: tests/dashboards/check.sh
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
here="$root/tests/dashboards"
failed=()
passed=0

sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"

need_apt() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "== installing ${missing[*]}"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# Runs one named check: prints its name, its output indented, and PASS/FAIL.
check() {
  local name=$1
  shift
  echo "== $name"
  local out status
  out=$("$@" 2>&1)
  status=$?
  [ -n "$out" ] && sed 's/^/   /' <<<"$out"
  if [ $status -eq 0 ]; then
    echo "   PASS"
    passed=$((passed + 1))
  else
    echo "   FAIL (exit $status)"
    failed+=("$name")
  fi
}

need_apt prometheus prometheus-alertmanager docker-compose python3 python3-yaml ca-certificates
command -v npm >/dev/null 2>&1 || need_apt nodejs npm
# Debian's python3 has PyYAML from python3-yaml; another python3 first on PATH may not.
py=/usr/bin/python3

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. Generated files are up to date.
generated_up_to_date() {
  local tmp="$work/gen"
  rm -rf "$tmp" && mkdir -p "$tmp/dashboards/grafana" "$tmp/dashboards/kibana"
  cp "$root/dashboards/grafana/generate.py" "$tmp/dashboards/grafana/"
  cp "$root/dashboards/kibana/generate.py" "$tmp/dashboards/kibana/"
  $py "$tmp/dashboards/grafana/generate.py" && $py "$tmp/dashboards/kibana/generate.py" || return 1
  local status=0
  for f in "$tmp"/dashboards/grafana/dashboards/*.json "$tmp/dashboards/kibana/monitor.ndjson"; do
    local rel=${f#"$tmp/"}
    if ! cmp -s "$f" "$root/$rel"; then
      echo "$rel differs from what its generator writes: run python3 ${rel%/*}/generate.py (or ../generate.py) and commit"
      status=1
    else
      echo "ok: $rel"
    fi
  done
  local committed
  committed=$(ls "$root"/dashboards/grafana/dashboards/*.json | wc -l)
  if [ "$committed" -ne "$(ls "$tmp"/dashboards/grafana/dashboards/*.json | wc -l)" ]; then
    echo "dashboards/grafana/dashboards holds a JSON file the generator does not write"
    status=1
  fi
  return $status
}
check "generated Grafana JSON and Kibana NDJSON match their generators" generated_up_to_date

# 2. Prometheus rules.
check "promtool check rules" promtool check rules "$root"/rules/prometheus/*.yml
check "promtool test rules" promtool test rules "$root"/rules/prometheus/tests/*.yml
check "alert structure, runbooks and test coverage" $py "$here/consistency.py" alerts
check "performance floors match rules/*.yaml" $py "$here/consistency.py" floors

# 3. Prometheus and Alertmanager configuration of the stack.
prometheus_config() {
  # rule_files point at the container path; check the config with the rules where the container sees them.
  sed "s#/etc/prometheus/rules/#$root/rules/prometheus/#" "$root/deploy/prometheus/prometheus.yml" >"$work/prometheus.yml"
  promtool check config "$work/prometheus.yml"
}
check "promtool check config deploy/prometheus/prometheus.yml" prometheus_config
check "amtool check-config deploy/alertmanager/alertmanager.yml" amtool check-config "$root/deploy/alertmanager/alertmanager.yml"

# 4. docker-compose.
check "docker-compose config -q" docker-compose -f "$root/docker-compose.yml" config -q
compose_paths() {
  docker-compose -f "$root/docker-compose.yml" config >"$work/compose.yml" || return 1
  $py "$here/consistency.py" compose-paths "$work/compose.yml"
}
check "docker-compose bind mounts and Dockerfile exist" compose_paths
check "deploy/monitor/rules match rules/" $py "$here/consistency.py" compose-rules

# 5. Grafana dashboards against @grafana/schema.
grafana_types() {
  local ts="$work/ts"
  mkdir -p "$ts"
  cp "$here/package.json" "$here/package-lock.json" "$ts/"
  (cd "$ts" && npm ci --no-audit --no-fund --loglevel=error) || return 1
  local listing
  listing=$($py "$here/grafana_ts.py" "$ts" "$root"/dashboards/grafana/dashboards/*.json) || { echo "$listing"; return 1; }
  head -1 <<<"$listing"
  local files=()
  mapfile -t files < <(tail -n +2 <<<"$listing")
  (cd "$ts" && npx --no-install tsc --noEmit --strict --resolveJsonModule --skipLibCheck false --target es2020 --moduleResolution bundler --module esnext "${files[@]}")
}
check "Grafana dashboards type-check against @grafana/schema (tsc --strict)" grafana_types

grafana_structure() {
  $py - "$root" <<'EOF'
import json, pathlib, sys
root = pathlib.Path(sys.argv[1])
problems = []
uids = {}
for f in sorted((root / "dashboards/grafana/dashboards").glob("*.json")):
    d = json.loads(f.read_text())
    uids[d["uid"]] = f.name
    ids = [p["id"] for p in d["panels"]]
    if len(ids) != len(set(ids)):
        problems.append(f"{f.name}: duplicate panel ids")
    for p in d["panels"]:
        if p["type"] == "row":
            continue
        if p.get("datasource", {}).get("uid") != "prometheus":
            problems.append(f"{f.name}: panel {p['title']!r} does not use datasource uid prometheus")
        if not p.get("targets"):
            problems.append(f"{f.name}: panel {p['title']!r} has no query")
        g = p["gridPos"]
        if g["x"] + g["w"] > 24:
            problems.append(f"{f.name}: panel {p['title']!r} is wider than the grid")
    print(f"ok: {f.name}: uid {d['uid']}, {len(d['panels'])} panels")
want = {"monitor-fleet", "monitor-model", "monitor-health"}
if set(uids) != want:
    problems.append(f"dashboard uids {sorted(uids)}, want {sorted(want)}")
prov = (root / "dashboards/grafana/provisioning/datasources/prometheus.yml").read_text()
if "uid: prometheus" not in prov or "url: http://prometheus:9090" not in prov:
    problems.append("datasource provisioning: want uid prometheus at http://prometheus:9090")
for p in problems:
    print("FAIL:", p)
sys.exit(1 if problems else 0)
EOF
}
check "Grafana dashboards: uids, datasource, queries, grid" grafana_structure

grafana_promql() {
  $py "$here/consistency.py" promql "$work/dashboard-queries.yml" && promtool check rules "$work/dashboard-queries.yml"
}
check "Grafana panel queries parse as PromQL (promtool)" grafana_promql

# 6. Kibana saved objects.
check "Kibana NDJSON: parses, required keys, references, documented fields" $py "$here/consistency.py" kibana

# 7. Metric names.
check "metric names used in dashboards and rules are in docs/metrics.md" $py "$here/consistency.py" metrics

echo
if [ ${#failed[@]} -gt 0 ]; then
  echo "dashboards check: $passed passed, ${#failed[@]} failed:"
  printf '  - %s\n' "${failed[@]}"
  exit 1
fi
echo "dashboards check: $passed passed, 0 failed"
