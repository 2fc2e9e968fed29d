#!/bin/sh
# peers.sh - Hangar's gateway against its peer and its limit, side by side in one run (issue 13):
#   Hangar        our gateway, on a private stack (bench/stack.sh);
#   grpc-gateway  grpc-gateway 1.6.4 generated from our ktrlplane.proto (bench/peers/grpc-gateway),
#                 dialing the same stack's resources-svc socket: one backend behind two gateways;
#   limit         bench/limit's canned server, answering the bytes Hangar answered for each
#                 request, captured with curl at start.
# Workloads: GET one KtrlPlane resource, GET a list of 50 (limit=50), POST create (durable: the
# same resources-svc writes it through group commit). Each (workload, server) is run ROUNDS
# times, interleaved and in a rotated order per round, with wrk (THREADS thread, CONNECTIONS
# connections); each table gives the median over rounds of req/s, p50 and p99, then the ratios.
#
# Usage: bench/peers.sh   (BUILD_DIR picks the build tree, default <repo>/build)
# Tunables (environment): DURATION (5s per run), ROUNDS (3), WARMUP (1s, one unmeasured run
#   per workload and server before round 1), CONNECTIONS (64), THREADS (1),
#   WORKLOADS ("get list create": any of them, e.g. "list" while working on lists).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
build=${BUILD_DIR:-$repo/build}
for p in wrk go protoc curl; do
  command -v "$p" >/dev/null 2>&1 ||
    { echo "peers.sh: $p not found (scripts/install-deps bench)" >&2; exit 2; }
done
duration=${DURATION:-5s}
rounds=${ROUNDS:-3}
warmup=${WARMUP:-1s}
conns=${CONNECTIONS:-64}
threads=${THREADS:-1}
workloads=${WORKLOADS:-get list create}
for w in $workloads; do
  case $w in get | list | create) ;; *) echo "peers.sh: unknown workload $w" >&2; exit 2 ;; esac
done

cmake --build "$build" --target limit_server -j2 >/dev/null
"$here/peers/grpc-gateway/build.sh" "$build/peers/grpc-gateway"

# Freeze the lifecycle at "creating": the reconciler would otherwise provision every resource
# a create run made during the runs that follow it, and the answers captured for the limit
# would change under it.
HANGAR_PROVISION_DELAY_MS=86400000
export HANGAR_PROVISION_DELAY_MS
. "$here/stack.sh"
peer_pid=""
limit_pid=""
peers_cleanup() { # a server ended by TERM waits as 143: no failure under set -e
  for pid in $peer_pid $limit_pid; do kill -TERM "$pid" 2>/dev/null && { wait "$pid" || true; }; done
  bench_cleanup
}
trap peers_cleanup EXIT INT TERM
bench_stack peers.sh # a private stack: the peer needs its resources-svc socket
sock=$bench_tmp/data/run/resources.sock

wait_file() { # file pid name
  for _ in $(seq 1 100); do
    [ -s "$1" ] && return 0
    kill -0 "$2" 2>/dev/null || break
    sleep 0.1
  done
  echo "peers.sh: $3 did not start" >&2
  cat "$bench_tmp/$3.log" >&2
  exit 1
}

run_id=$(date +%s)
project=bench-peers-$run_id
creates=bench-peers-creates-$run_id
base="$url/api/v1/projects/$project/resources"
auth="Authorization: Bearer $admin"

# 50 resources (one of them "bench-one") of about 350 bytes each, so that the page of 50 is
# about 17 KB as in issue 13: over libevent's 16 KiB write, where a missing TCP_NODELAY shows.
seed_settings='{"database_name":"bench","enable_analytics":true,"region":"eu-west-1","replicas":3}'
for i in $(seq 1 50); do
  id=bench-$i
  [ "$i" -eq 1 ] && id=bench-one
  curl -fsS -o /dev/null -X POST "$base" -H "$auth" -H "Content-Type: application/json" \
    -d "{\"id\":\"$id\",\"name\":\"bench resource $id\",\"type\":\"Konnektr.Graph\",\"sku\":\"free\",\"settings_json\":$seed_settings}"
done

# The limit's answers: Hangar's own bytes, status line and headers included (--raw: as sent).
capture() { # name curl-args...
  name=$1
  shift
  curl -fsS --raw -i -o "$bench_tmp/$name.http" -H "$auth" -H "Content-Type: application/json" "$@"
}
capture get "$base/bench-one"
capture list "$base?limit=50"
capture create -X POST "$url/api/v1/projects/$creates/resources" \
  -d '{"id":"bench-captured","name":"bench bench-captured","type":"Konnektr.Graph","sku":"free","settings_json":{"database_name":"bench","enable_analytics":true}}'
"$build/bin/limit_server" --ready-file "$bench_tmp/limit.ready" \
  GET "/api/v1/projects/*/resources/*" "$bench_tmp/get.http" \
  GET "/api/v1/projects/*/resources" "$bench_tmp/list.http" \
  POST "/api/v1/projects/*/resources" "$bench_tmp/create.http" >"$bench_tmp/limit.log" 2>&1 &
limit_pid=$!
wait_file "$bench_tmp/limit.ready" "$limit_pid" limit
"$build/peers/grpc-gateway/grpc-gateway-peer" -listen 127.0.0.1:0 -backend "unix:$sock" \
  -ready-file "$bench_tmp/peer.ready" >"$bench_tmp/peer.log" 2>&1 &
peer_pid=$!
wait_file "$bench_tmp/peer.ready" "$peer_pid" peer
limit_url=http://$(cat "$bench_tmp/limit.ready")
peer_url=http://$(cat "$bench_tmp/peer.ready")

server_url() { # server
  case $1 in
    hangar) echo "$url" ;;
    grpc-gateway) echo "$peer_url" ;;
    limit) echo "$limit_url" ;;
  esac
}
# What each server answers, checked before any load: status and body size.
check() { # server workload
  u=$(server_url "$1")/api/v1/projects
  case $2 in
    get) out=$(curl -sS -o /dev/null -w '%{http_code} %{size_download}' -H "$auth" "$u/$project/resources/bench-one") ;;
    list) out=$(curl -sS -o /dev/null -w '%{http_code} %{size_download}' -H "$auth" "$u/$project/resources?limit=50") ;;
    create)
      settings='{"database_name":"bench","enable_analytics":true}'
      [ "$1" = grpc-gateway ] && settings='{"json":"{\"database_name\":\"bench\",\"enable_analytics\":true}"}'
      out=$(curl -sS -o /dev/null -w '%{http_code} %{size_download}' -H "$auth" -X POST "$u/$creates/resources" \
        -d "{\"id\":\"check-$1\",\"name\":\"check\",\"type\":\"Konnektr.Graph\",\"sku\":\"free\",\"settings_json\":$settings}") ;;
  esac
  case $out in
    2*) echo "$out" ;;
    *) echo "peers.sh: $1 answered $out to the $2 check" >&2; exit 1 ;;
  esac
}

# One wrk run; prints wrk_report.lua's line, labelled "workload server".
load() { # workload server duration round
  u=$(server_url "$2")/api/v1/projects
  settings='{"database_name":"bench","enable_analytics":true}'
  [ "$2" = grpc-gateway ] && settings='{"json":"{\"database_name\":\"bench\",\"enable_analytics\":true}"}'
  case $1 in
    get) script=get_resources.lua target=$u/$project/resources/bench-one ;;
    list) script=get_resources.lua target="$u/$project/resources?limit=50" ;;
    create) script=create_resources.lua target=$u/$creates/resources ;;
  esac
  HANGAR_TOKEN=$admin BENCH_LABEL="$1 $2" BENCH_RUN="$run_id$4${2%%-*}" BENCH_SETTINGS_JSON=$settings \
    wrk -t"$threads" -c"$conns" -d"$3" -s "$here/$script" "$target" | tail -n 1
}

servers="hangar grpc-gateway limit"
for w in $workloads; do
  for s in $servers; do
    echo "$w $s $(check "$s" "$w")" >>"$bench_tmp/sizes"
  done
done

echo "peers.sh: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "peers.sh: wrk $threads thread, $conns connections, $rounds rounds of $duration per server and workload, interleaved"
for w in $workloads; do
  for s in $servers; do load "$w" "$s" "$warmup" w >/dev/null; done
done
rotate() { # n words...: the words rotated left n times
  n=$1
  shift
  while [ "$n" -gt 0 ]; do
    first=$1
    shift
    set -- "$@" "$first"
    n=$((n - 1))
  done
  echo "$@"
}
for r in $(seq 1 "$rounds"); do
  for w in $workloads; do
    for s in $(rotate $((r - 1)) $servers); do
      load "$w" "$s" "$duration" "$r" | tee -a "$bench_tmp/results" >&2
    done
  done
done
echo "peers.sh: done $(date -u '+%H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"

awk -f "$here/peers_table.awk" "$bench_tmp/sizes" "$bench_tmp/results"
