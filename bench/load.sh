#!/bin/sh
# load.sh - HTTP load through the gateway with wrk (Debian package "wrk"): GET /healthz as the
# reference (the gateway alone), then POST create, GET one resource and GET a 50-item list on
# /api/v1/projects/{p}/resources, printing req/s, p99 and each figure as a ratio of the
# reference measured in the same run (the machine is shared and noisy).
#
# Usage: bench/load.sh [URL TOKEN]
#   Without arguments it starts a private stack from $BUILD_DIR/bin (default build/bin) on a
#   free port with a temp data dir, and stops it afterwards. With URL and TOKEN it loads a
#   running gateway; TOKEN must be allowed to create in the project (e.g. the admin token).
# Tunables (environment): DURATION (10s), CONNECTIONS (64), THREADS (2), PROJECT.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
command -v wrk >/dev/null 2>&1 || { echo "load.sh: wrk not found (apt-get install wrk)" >&2; exit 2; }

. "$here/stack.sh"
bench_stack load.sh "$@"
token=$admin

duration=${DURATION:-10s}
conns=${CONNECTIONS:-64}
threads=${THREADS:-2}
HANGAR_TOKEN=$token
BENCH_PROJECT=${PROJECT:-bench-$$}
BENCH_RUN=$(date +%s)
export HANGAR_TOKEN BENCH_PROJECT BENCH_RUN
base="${url%/}/api/v1/projects/$BENCH_PROJECT/resources"
curl -fsS -o /dev/null "${url%/}/healthz" || { echo "load.sh: no gateway at $url" >&2; exit 1; }

run() { # label script url
  BENCH_LABEL=$1 wrk -t"$threads" -c"$conns" -d"$duration" -s "$here/$2" "$3" | tail -n 1
}

echo "gateway $url, project $BENCH_PROJECT, $threads threads, $conns connections, $duration each"
results=$(
  run "GET  /healthz (reference)" get_resources.lua "${url%/}/healthz"
  run "POST create              " create_resources.lua "$base"
  curl -fsS -o /dev/null -X POST "$base" -H "Authorization: Bearer $token" \
    -d '{"id":"bench-one","name":"bench","type":"Konnektr.Graph"}' || true
  run "GET  one resource        " get_resources.lua "$base/bench-one"
  run "GET  list limit=50       " get_resources.lua "$base?limit=50"
)
echo "$results" | awk '
  { rate = $0; sub(/ req\/s.*/, "", rate); n = split(rate, f, " "); r = f[n] + 0
    if (NR == 1) ref = r
    printf "%s   x%.2f of reference\n", $0, (ref > 0 ? r / ref : 0) }'
