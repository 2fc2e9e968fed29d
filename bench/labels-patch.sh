#!/bin/sh
# labels-patch.sh - the cost of refusing an oversized labels PATCH (issue 11, item 3): one
# Konnect product is PATCHed with LABELS labels (60,000 by default, about 0.9 MB), which must
# answer 400 "labels must not have more than 50 entries". Prints each run's time and the
# median. Before the count-first check this took seconds (a linear search per key while
# merging, before counting); now the count refuses it before any entry is read.
#
# Usage: bench/labels-patch.sh [URL ADMIN_TOKEN]
#   Without arguments it starts a private stack from $BUILD_DIR/bin (default build/bin) with
#   scripts/run-local on a free port with a temp data dir, and stops it afterwards.
# Tunables (environment): LABELS (60000), RUNS (5).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)

stack_pid=""
tmp=$(mktemp -d)
cleanup() {
  [ -n "$stack_pid" ] && kill -TERM "$stack_pid" 2>/dev/null && wait "$stack_pid" 2>/dev/null
  rm -rf "$tmp"
  return 0
}
trap cleanup EXIT INT TERM

if [ $# -ge 2 ]; then
  url=${1%/}
  admin=$2
else
  port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  mkdir "$tmp/data"
  HANGAR_HTTP_PORT=$port HANGAR_DATA_DIR=$tmp/data HANGAR_LOG_LEVEL=warn \
    "$repo/scripts/run-local" "${BUILD_DIR:-$repo/build}/bin" >"$tmp/stack.log" 2>&1 &
  stack_pid=$!
  url=http://127.0.0.1:$port
  for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "$url/readyz" 2>/dev/null && break
    sleep 0.1
  done
  admin=$(cat "$tmp/data/dev-admin-token")
fi
curl -fsS -o /dev/null "$url/readyz" || { echo "labels-patch.sh: $url is not ready" >&2; exit 1; }

labels=${LABELS:-60000}
runs=${RUNS:-5}
org=bench-labels-$(date +%s)-$$
token=$(curl -fsS -X POST "$url/auth/v1/tokens" -H "Authorization: Bearer $admin" \
  -H "Content-Type: application/json" \
  -d "{\"kind\":\"kpat\",\"subject\":\"$org\",\"bindings\":[{\"scope\":\"orgs/$org\",\"role\":\"editor\"}]}" |
  /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
id=$(curl -fsS -X POST "$url/v2/api-products" -H "Authorization: Bearer $token" \
  -H "Content-Type: application/json" -d '{"name":"bench labels"}' |
  /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
/usr/bin/python3 -c 'import json,sys; n=int(sys.argv[1]); print(json.dumps({"labels": {"k%06d" % i: "v" for i in range(n)}}))' \
  "$labels" >"$tmp/body.json"

echo "PATCH $url/v2/api-products/{id} with $labels labels ($(wc -c <"$tmp/body.json") bytes), $runs runs"
for i in $(seq 1 "$runs"); do
  out=$(curl -sS -o "$tmp/answer" -w '%{http_code} %{time_total}' -X PATCH \
    "$url/v2/api-products/$id" -H "Authorization: Bearer $token" \
    -H "Content-Type: application/json" --data-binary "@$tmp/body.json")
  echo "  run $i: HTTP ${out% *}, ${out#* } s"
  echo "${out#* }" >>"$tmp/times"
done
echo "  answer: $(head -c 300 "$tmp/answer")"
sort -n "$tmp/times" | awk '{ t[NR] = $1 } END {
  m = NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
  printf "median of %d runs: %.3f s\n", NR, m }'
