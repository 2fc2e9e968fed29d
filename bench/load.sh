#!/bin/sh
# load.sh - HTTP load on a running gateway with wrk (Debian package "wrk"): POST then GET on
# /api/v1/projects/{p}/resources, printing requests/s and p99 latency for each.
#
# Usage: bench/load.sh [URL] [TOKEN]
#   URL    gateway base URL (or HANGAR_URL; default http://127.0.0.1:8080)
#   TOKEN  bearer token allowed to create in the project (or HANGAR_TOKEN), e.g. the admin
#          token the local stack prints
# Tunables (environment): DURATION (10s), CONNECTIONS (64), THREADS (2),
#   PROJECT (bench-<pid>; the resources created stay there).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
url=${1:-${HANGAR_URL:-http://127.0.0.1:8080}}
token=${2:-${HANGAR_TOKEN:-}}
if [ -z "$token" ]; then
  echo "usage: $0 [URL] TOKEN   (or HANGAR_URL / HANGAR_TOKEN)" >&2
  exit 2
fi
if ! command -v wrk >/dev/null 2>&1; then
  echo "load.sh: wrk not found (apt-get install wrk)" >&2
  exit 2
fi
duration=${DURATION:-10s}
conns=${CONNECTIONS:-64}
threads=${THREADS:-2}
HANGAR_TOKEN=$token
BENCH_PROJECT=${PROJECT:-bench-$$}
BENCH_RUN=$(date +%s)
export HANGAR_TOKEN BENCH_PROJECT BENCH_RUN
base="${url%/}/api/v1/projects/$BENCH_PROJECT/resources"

if ! curl -fsS -o /dev/null "${url%/}/healthz" 2>/dev/null; then
  echo "load.sh: no gateway answering at $url/healthz" >&2
  exit 1
fi
echo "gateway $url, project $BENCH_PROJECT, $threads threads, $conns connections, $duration each"
BENCH_LABEL="POST create" wrk -t"$threads" -c"$conns" -d"$duration" \
  -s "$here/create_resources.lua" "$base"
BENCH_LABEL="GET  list  " wrk -t"$threads" -c"$conns" -d"$duration" \
  -s "$here/get_resources.lua" "$base?limit=50"
