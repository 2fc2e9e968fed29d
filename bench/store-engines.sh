#!/bin/sh
# store-engines.sh - creates/s and GET latency at the storage layer, LMDB against etcd, in
# one run (bench_store_engines). Starts its own etcd member (Debian's etcd-server) on free
# loopback ports with --max-txn-ops 4096, its data and the LMDB store under one temp dir
# ($TMPDIR, default /tmp), and removes both afterwards.
# Usage: bench/store-engines.sh [seconds] [clients] [etcd-max-txn-ops]
#        (defaults 5 s each engine, 64 clients, 128 ops: etcd's own default)
# BUILD_DIR picks the build tree (default <repo>/build).
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$repo/build}
bin=$build/bin/bench_store_engines
if [ ! -x "$bin" ]; then
  [ -f "$build/CMakeCache.txt" ] || cmake -S "$repo" -B "$build"
  cmake --build "$build" -j"$(nproc)" --target bench_store_engines
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hangar-engines-XXXXXX")
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
client=127.0.0.1:$(free_port)
peer=http://127.0.0.1:$(free_port)
/usr/bin/etcd --name bench --data-dir "$tmp/etcd" --listen-client-urls "http://$client" \
  --advertise-client-urls "http://$client" --listen-peer-urls "$peer" \
  --initial-advertise-peer-urls "$peer" --initial-cluster "bench=$peer" \
  --max-txn-ops 4096 >"$tmp/etcd.log" 2>&1 &
etcd_pid=$!
trap 'kill $etcd_pid 2>/dev/null; wait $etcd_pid 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
for _ in $(seq 300); do
  curl -sf "http://$client/health" 2>/dev/null | grep -q '"health":"true"' && break
  sleep 0.1
done
"$bin" "lmdb:$tmp/lmdb" "etcd:$client/bench" -s "${1:-5}" -c "${2:-64}" -t "${3:-128}"
