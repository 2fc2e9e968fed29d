#!/bin/sh
# engines.sh - the whole stack on each storage engine, in one run (issue 15): bench/load.sh
# (POST create, GET one resource, GET a list of 50, each through the gateway with wrk) on a
# private stack on LMDB (what `make run` starts), then on a private stack on etcd
# (HANGAR_STORE=etcd: scripts/run-replicated's three etcd members on loopback and
# HANGAR_REPLICAS replicas of each service, default 1 here so that both stacks have one
# process per service), then each etcd figure as a ratio of LMDB's.
#
# Usage: bench/engines.sh   (BUILD_DIR picks the build tree, default <repo>/build)
# Tunables (environment): those of bench/load.sh (DURATION, CONNECTIONS, THREADS) and
#   HANGAR_REPLICAS. The etcd members listen on scripts/etcd-local's fixed ports, so no
#   `HANGAR_STORE=etcd make run` may be running meanwhile.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT INT TERM

echo "== LMDB (one process per service)"
HANGAR_STORE=lmdb "$here/load.sh" | tee "$out/lmdb"
echo "== etcd (3 members, ${HANGAR_REPLICAS:-1} replica(s) per service)"
HANGAR_STORE=etcd HANGAR_REPLICAS=${HANGAR_REPLICAS:-1} "$here/load.sh" | tee "$out/etcd"

# Each result line is "LABEL  N req/s  p50 X ms  p99 Y ms ...", with the same labels in both.
echo "== etcd / LMDB"
awk '
  / req\/s/ {
    label = $0; sub(/ +[0-9.]+ req\/s.*/, "", label)
    rate = $0; sub(/ req\/s.*/, "", rate); sub(/.* /, "", rate)
    p99 = $0; sub(/.*p99 +/, "", p99); sub(/ .*/, "", p99)
    if (FILENAME ~ /lmdb$/) { lrate[label] = rate; lp99[label] = p99; next }
    if (!(label in lrate)) next
    printf "%s  req/s x%.2f   p99 x%.2f\n", label, (lrate[label] > 0 ? rate / lrate[label] : 0),
      (lp99[label] > 0 ? p99 / lp99[label] : 0)
  }' "$out/lmdb" "$out/etcd"
