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

. "$here/stack.sh"
bench_stack labels-patch.sh "$@"

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
  "$labels" >"$bench_tmp/body.json"

echo "PATCH $url/v2/api-products/{id} with $labels labels ($(wc -c <"$bench_tmp/body.json") bytes), $runs runs"
for i in $(seq 1 "$runs"); do
  out=$(curl -sS -o "$bench_tmp/answer" -w '%{http_code} %{time_total}' -X PATCH \
    "$url/v2/api-products/$id" -H "Authorization: Bearer $token" \
    -H "Content-Type: application/json" --data-binary "@$bench_tmp/body.json")
  echo "  run $i: HTTP ${out% *}, ${out#* } s"
  echo "${out#* }" >>"$bench_tmp/times"
done
echo "  answer: $(head -c 300 "$bench_tmp/answer")"
sort -n "$bench_tmp/times" | awk '{ t[NR] = $1 } END {
  m = NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
  printf "median of %d runs: %.3f s\n", NR, m }'
