#!/usr/bin/env bash
# Monitor's one entry point for people and CI.
#   ./build.sh demo [args]   run Monitor's main job on the embedded default (no external services)
#   ./build.sh test          install what the tests need, build, run every test, print "N passed, N failed"
#   ./build.sh build         build everything (Release)
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)
config=${CONFIGURATION:-Release}

need_apt() {
  # Installs Debian packages the test suite uses, once; a new machine has none of them.
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "build.sh: installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

cmd_build() {
  dotnet build Monitor.sln -c "$config" -nologo -v:q
}

# Debian packages the tests use: prometheus (a real Prometheus and promtool), prometheus-alertmanager, docker-compose (validates
# docker-compose.yml; no engine is needed for that).
test_packages="prometheus prometheus-alertmanager docker-compose"

cmd_test() {
  need_apt ${MONITOR_TEST_APT_PACKAGES:-$test_packages}
  cmd_build
  local results="$root/artifacts/test-results"
  rm -rf "$results"
  mkdir -p "$results"
  local status=0
  dotnet test Monitor.sln -c "$config" --no-build -nologo \
    --logger "trx" --results-directory "$results" -- RunConfiguration.TestSessionTimeout=3000000 || status=$?
  # One plain closing line over every test assembly, read from the TRX files.
  local passed=0 failed=0 skipped=0
  for trx in "$results"/*.trx; do
    [ -f "$trx" ] || continue
    local counters
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
    p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
    f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
    nx=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$counters")
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${nx:-0}))
  done
  # Checks outside the .NET test runner, each counted as one test.
  run_check() {
    local name=$1; shift
    if "$@" >"$results/$name.log" 2>&1; then
      passed=$((passed + 1)); echo "check $name: passed"
    else
      failed=$((failed + 1)); status=1; echo "check $name: FAILED (log below)"; tail -40 "$results/$name.log"
    fi
  }
  run_check benchmarks-smoke dotnet run --project tests/Monitor.Benchmarks -c "$config" --no-build -- smoke
  if [ -x tests/dashboards/check.sh ]; then
    run_check dashboards-and-alert-rules tests/dashboards/check.sh
  fi
  if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
    echo "build.sh: no test ran" >&2
    status=1
  fi
  echo "tests: $passed passed, $failed failed, $skipped skipped"
  return $status
}

cmd_demo() {
  dotnet run --project src/Monitor.Worker -c "$config" -- demo "$@"
}

case "${1:-}" in
  test) shift; cmd_test "$@" ;;
  build) shift; cmd_build "$@" ;;
  demo) shift; cmd_demo "$@" ;;
  *) sed -n '2,5p' "$0"; exit 2 ;;
esac
