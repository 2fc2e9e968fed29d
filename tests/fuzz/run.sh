#!/usr/bin/env bash
# Runs every libFuzzer target built in BUILD_DIR (tests/fuzz, HANGAR_FUZZ=ON) for
# FUZZ_SECONDS each (default 60), or until FUZZ_RUNS executions when that is set and comes
# first, or until the target's processes have used FUZZ_CPU_SECONDS of CPU when that is set
# (on a shared machine wall time says little), in fork mode on FUZZ_JOBS processes (default:
# all cores), then prints one line per target -- target, executions, crashes (crash, leak,
# timeout and oom inputs saved), new coverage (edges the grown corpus covers beyond the
# seeds, then seeds->grown as edges/features), CPU seconds of the run -- and last
# "N targets, M crashes". Exits 1 when anything crashed.
#
# Found inputs accumulate in BUILD_DIR/fuzz-runs/corpus/<target> (seeds stay in
# tests/fuzz/corpus); crashing inputs land in BUILD_DIR/fuzz-runs/artifacts/<target>, each
# to be fixed and then added to the seed corpus as a regression input.
# Usage: tests/fuzz/run.sh BUILD_DIR [TARGET...]
set -uo pipefail
build=${1:?usage: tests/fuzz/run.sh BUILD_DIR [TARGET...]}
shift
seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-$(nproc)}
src=$(cd "$(dirname "$0")" && pwd)
work=$build/fuzz-runs

# "edges features" covered by one pass over the given corpus directories (libFuzzer's
# INITED line).
coverage() {
  local line
  line=$("$@" -runs=0 2>&1 | grep -o 'INITED cov: [0-9]* ft: [0-9]*' | tail -n 1)
  [ -n "$line" ] || return 0
  set -- $line
  echo "$3 $5"
}

# CPU seconds used so far by the fuzzer whose pid is $1: itself, its reaped descendants and
# the live ones (fork mode runs each job as `sh -c fuzzer ...`, a grandchild).
tree_cpu() {
  local ticks=0 pid stat kids
  kids=$(pgrep -P "$1" | tr '\n' ,)
  for pid in "$1" ${kids//,/ } $([ -n "$kids" ] && pgrep -P "${kids%,}"); do
    stat=$(cut -d ')' -f 2 "/proc/$pid/stat" 2>/dev/null) || continue
    set -- $stat
    ticks=$((ticks + ${12} + ${13} + ${14} + ${15}))
  done
  echo $((ticks / $(getconf CLK_TCK)))
}

# Stops the fuzzer $1 once it has used $2 CPU seconds. SIGTERM, which libFuzzer takes as an
# interrupt: a background job of a script starts with SIGINT ignored.
cpu_watchdog() {
  while kill -0 "$1" 2>/dev/null; do
    if [ "$(tree_cpu "$1")" -ge "$2" ]; then
      kill -TERM "$1" $(pgrep -P "$1") 2>/dev/null
      return
    fi
    sleep 2
  done
}

targets=0
crashes=0
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for exe in "$build"/tests/fuzz/fuzz_*; do names+=("${exe##*/fuzz_}"); done
fi
rows=()
for name in "${names[@]}"; do
  exe=$build/tests/fuzz/fuzz_$name
  corpus=$work/corpus/$name
  artifacts=$work/artifacts/$name
  log=$work/$name.log
  rm -rf "$artifacts"
  mkdir -p "$corpus" "$artifacts"
  opts=(-artifact_prefix="$artifacts/")
  case $name in
    json | json_syntax | jwt | konnect | merge_patch) opts+=(-dict="$src/dict/json.dict") ;;
    http) opts+=(-dict="$src/dict/http.dict") ;;
    markdown | yaml) opts+=(-dict="$src/dict/yaml.dict") ;;
  esac
  before=$(coverage "$exe" "${opts[@]}" "$src/corpus/$name")
  limit=(-max_total_time="$seconds")
  [ -n "${FUZZ_RUNS:-}" ] && limit+=(-runs="$FUZZ_RUNS")
  "$exe" "${opts[@]}" -fork="$jobs" -ignore_crashes=1 "${limit[@]}" \
    "$corpus" "$src/corpus/$name" >"$log" 2>&1 &
  pid=$!
  cpu=0
  watchdog=
  if [ -n "${FUZZ_CPU_SECONDS:-}" ]; then
    cpu_watchdog "$pid" "$FUZZ_CPU_SECONDS" &
    watchdog=$!
  fi
  while kill -0 "$pid" 2>/dev/null; do
    cpu=$(tree_cpu "$pid")
    sleep 1
  done
  wait "$pid"
  [ -n "$watchdog" ] && wait "$watchdog"
  execs=$(grep -o '^#[0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*$')
  after=$(coverage "$exe" "${opts[@]}" "$corpus" "$src/corpus/$name")
  found=$(find "$artifacts" -type f | wc -l)
  # No INITED line: a corpus input crashes the binary, so coverage could not be measured.
  delta="?"
  if [ -n "$before" ] && [ -n "$after" ]; then
    read -r edges0 ft0 <<<"$before"
    read -r edges1 ft1 <<<"$after"
    delta="$((edges1 - edges0)) ($edges0/$ft0->$edges1/$ft1)"
  fi
  rows+=("$(printf '%-14s %12s %8s  %-34s %6s' "$name" "${execs:-0}" "$found" "$delta" "$cpu")")
  targets=$((targets + 1))
  crashes=$((crashes + found))
done
printf '%-14s %12s %8s  %-34s %6s\n' target execs crashes \
  'new-coverage (seeds->grown e/ft)' cpu-s
printf '%s\n' "${rows[@]}"
echo "$targets targets, $crashes crashes"
[ "$crashes" -eq 0 ]
