#!/bin/sh
# profile.sh - where one request's time goes, per process (issue 13): the figures behind the
# README's "Where the time goes". Two measurements of one workload on a private stack
# (auth-svc, resources-svc, gateway; no reconciler work: the lifecycle is frozen):
#
#   cpu        wrk (1 thread, CONNECTIONS connections) for DURATION; each process's user and
#              system CPU per request (/proc/PID/stat), wrk's own, and the same for the limit
#              server (bench/limit) answering the bytes the gateway answered. On a machine whose
#              cores are all busy, req/s is inversely proportional to the CPU a request costs
#              across every process, the client included: these are that sum's terms.
#   callgrind  the gateway and resources-svc under callgrind; counters are zeroed after a
#              warm-up and dumped after a keep-alive wrk run (4 connections), so startup and
#              connection set-up are left out: instructions per request, per process, by
#              library, and each process's costliest functions.
#
# Usage: bench/profile.sh [get|list|create] [cpu|callgrind]...   (default: get cpu callgrind)
# Tunables: BUILD_DIR (default <repo>/build), DURATION (5), CONNECTIONS (64), TOP (15).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
bin=${BUILD_DIR:-$repo/build}/bin
workload=${1:-get}
[ $# -gt 0 ] && shift
modes=${*:-cpu callgrind}
duration=${DURATION:-5}
conns=${CONNECTIONS:-64}
top=${TOP:-15}
for p in wrk curl valgrind callgrind_annotate callgrind_control; do
  command -v "$p" >/dev/null 2>&1 ||
    { echo "profile.sh: $p not found (scripts/install-deps bench)" >&2; exit 2; }
done
case $workload in
  get) path=/api/v1/projects/p1/resources/res-01 ;;
  list) path="/api/v1/projects/p1/resources?limit=50" ;;
  create) path=/api/v1/projects/p2/resources ;;
  *) echo "profile.sh: unknown workload $workload" >&2; exit 2 ;;
esac
cmake --build "${BUILD_DIR:-$repo/build}" --target gateway resources-svc auth-svc limit_server \
  -j2 >/dev/null

tmp=$(mktemp -d)
pids=""
stop() {
  for p in $pids; do kill -TERM "$p" 2>/dev/null || true; done
  for p in $pids; do wait "$p" 2>/dev/null || true; done
  pids=""
}
trap 'stop; rm -rf "$tmp"' EXIT INT TERM
export HANGAR_ADMIN_TOKEN=profile-admin-token-0123456789abcdef
export HANGAR_JWT_SECRET=profile-jwt-secret-0123456789abcdef0123
export HANGAR_TOKEN=$HANGAR_ADMIN_TOKEN HANGAR_PROVISION_DELAY_MS=86400000
auth="Authorization: Bearer $HANGAR_ADMIN_TOKEN"

wait_file() {
  for _ in $(seq 1 600); do [ -s "$1" ] && return 0; sleep 0.1; done
  echo "profile.sh: $1 never appeared; logs in $tmp" >&2
  cat "$tmp"/*.log >&2
  exit 1
}

# start WRAPPER: the three processes, the services' under WRAPPER (empty: none). Valgrind
# cannot map LMDB's default 64 GiB, hence the map size.
start() {
  rm -rf "$tmp/run" "$tmp/auth" "$tmp/res" && mkdir -p "$tmp/run" "$tmp/auth" "$tmp/res"
  "$bin/auth-svc" --ready-file "$tmp/run/auth.ready" --log-level warn \
    --listen "unix:$tmp/run/auth.sock" --data-dir "$tmp/auth" >"$tmp/auth.log" 2>&1 &
  pids="$pids $!"
  wait_file "$tmp/run/auth.ready"
  HANGAR_MAX_IN_FLIGHT_PER_PRINCIPAL=4096 HANGAR_STORE_MAP_SIZE=1G \
    $1 "$bin/resources-svc" --ready-file "$tmp/run/res.ready" --log-level warn \
    --listen "unix:$tmp/run/res.sock" --data-dir "$tmp/res" --auth "unix:$tmp/run/auth.sock" \
    >"$tmp/res.log" 2>&1 &
  pids="$pids $!"
  res_pid=$!
  wait_file "$tmp/run/res.ready"
  $1 "$bin/gateway" --ready-file "$tmp/run/gw.ready" --log-level warn --listen 127.0.0.1:0 \
    --resources "unix:$tmp/run/res.sock" --auth "unix:$tmp/run/auth.sock" \
    >"$tmp/gw.log" 2>&1 &
  pids="$pids $!"
  gw_pid=$!
  wait_file "$tmp/run/gw.ready"
  url=http://$(cat "$tmp/run/gw.ready")
  for _ in $(seq 1 600); do
    curl -fsS "$url/readyz" 2>/dev/null | grep -q '"resources":"serving"' && break
    sleep 0.2
  done
  # The same 50 resources as bench/peers.sh seeds (~350 bytes each: a page of 50 is ~17 KB).
  for i in $(seq -w 1 50); do
    curl -fsS -o /dev/null -X POST "$url/api/v1/projects/p1/resources" -H "$auth" \
      -H "Content-Type: application/json" -d "{\"id\":\"res-$i\",\"name\":\"bench resource res-$i\",\
\"type\":\"Konnektr.Graph\",\"sku\":\"free\",\"settings_json\":{\"database_name\":\"bench\",\
\"enable_analytics\":true,\"region\":\"eu-west-1\",\"replicas\":3}}"
  done
}

# load TARGET SECONDS CONNS: one wrk run of the workload; its output in $tmp/wrk.txt.
load() {
  script=""
  [ "$workload" = create ] && script="-s $here/create_resources.lua"
  # shellcheck disable=SC2086 # script is empty or two words
  wrk -t1 -c"$3" -d"$2"s $script -H "$auth" "$1$path" >"$tmp/wrk.txt"
  reqs=$(awk '/ requests in /{print $1}' "$tmp/wrk.txt")
  if grep -q "Non-2xx" "$tmp/wrk.txt"; then
    echo "profile.sh: answers other than 2xx:" >&2
    cat "$tmp/wrk.txt" >&2
    exit 1
  fi
}

cpu_ticks() { awk '{print $14, $15}' "/proc/$1/stat"; }

# per_request NAME BEFORE AFTER: "NAME  user U us  sys S us" per request from clock ticks.
# per_request NAME BEFORE AFTER: "NAME  user U us  sys S us" per request from clock ticks.
per_request() {
  tck=$(getconf CLK_TCK)
  echo "$2 $3" | awk -v n="$1" -v r="$reqs" -v t="$tck" \
    '{printf "  %-14s user %6.1f us  sys %6.1f us  per request\n", n, ($3-$1)/t/r*1e6, ($4-$2)/t/r*1e6}'
}

# proc_name PID: the executable's base name.
proc_name() { tr '\0' '\n' <"/proc/$1/cmdline" | head -1 | awk '{n = split($0, a, "/"); print a[n]}'; }

# cpu_run NAME URL PID...: after a 1 s warm-up, one DURATION run under /usr/bin/time; the CPU
# per request of each PID and of wrk.
cpu_run() {
  name=$1 target=$2
  shift 2
  load "$target" 1 "$conns"
  for p in "$@"; do cpu_ticks "$p"; done >"$tmp/before"
  script=""
  [ "$workload" = create ] && script="-s $here/create_resources.lua"
  # shellcheck disable=SC2086 # script is empty or two words
  /usr/bin/time -f "%U %S" -o "$tmp/wrk.time" \
    wrk -t1 -c"$conns" -d"$duration"s $script -H "$auth" "$target$path" >"$tmp/wrk.txt"
  reqs=$(awk '/ requests in /{print $1}' "$tmp/wrk.txt")
  echo "$name: $(awk '/Requests\/sec/{print $2}' "$tmp/wrk.txt") req/s, $reqs requests"
  i=1
  for p in "$@"; do
    per_request "$(proc_name "$p")" "$(sed -n "${i}p" "$tmp/before")" "$(cpu_ticks "$p")"
    i=$((i + 1))
  done
  awk -v r="$reqs" '{printf "  %-14s user %6.1f us  sys %6.1f us  per request\n", "wrk", $1/r*1e6, $2/r*1e6}' \
    "$tmp/wrk.time"
}

echo "profile.sh: $workload ($path), $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
for mode in $modes; do
  case $mode in
    cpu)
      start ""
      if [ "$workload" = create ]; then
        curl -sS --raw -i -H "$auth" -H "Content-Type: application/json" -X POST "$url$path" \
          -d '{"id":"captured","name":"captured","type":"Konnektr.Graph","sku":"free"}'
      else
        curl -sS --raw -i -H "$auth" "$url$path"
      fi >"$tmp/answer.http"
      auth_pid=$(echo $pids | cut -d' ' -f1)
      cpu_run "hangar" "$url" "$auth_pid" "$res_pid" "$gw_pid"
      stop
      method=GET
      [ "$workload" = create ] && method=POST
      "$bin/limit_server" --ready-file "$tmp/limit.ready" "$method" "${path%%\?*}" \
        "$tmp/answer.http" >"$tmp/limit.log" 2>&1 &
      pids="$!"
      limit_pid=$!
      wait_file "$tmp/limit.ready"
      cpu_run "limit" "http://$(cat "$tmp/limit.ready")" "$limit_pid"
      stop
      ;;
    callgrind)
      start "valgrind --tool=callgrind --callgrind-out-file=$tmp/cg.%p"
      load "$url" 2 4
      callgrind_control -z "$gw_pid" >/dev/null
      callgrind_control -z "$res_pid" >/dev/null
      load "$url" "$duration" 4
      callgrind_control -d "$gw_pid" >/dev/null
      callgrind_control -d "$res_pid" >/dev/null
      sleep 1
      echo "callgrind: $reqs requests (keep-alive, 4 connections)"
      for p in "$gw_pid" "$res_pid"; do
        name=gateway
        [ "$p" = "$res_pid" ] && name=resources-svc
        callgrind_annotate --auto=no --threshold=100 "$tmp/cg.$p.1" 2>/dev/null |
          awk -v name="$name" -v r="$reqs" -v top="$top" -f "$here/profile_table.awk"
      done
      stop
      ;;
    *) echo "profile.sh: unknown mode $mode" >&2; exit 2 ;;
  esac
done
