#!/bin/sh
# konnect-list.sh - the Konnect API Products surface under load, through the gateway:
#  1. list-page cost does not grow with the collection: products are loaded into two orgs
#     (SMALL = 1,000 and LARGE = 100,000 by default, by bench/konnect_load.py), then wrk
#     reads 20-item pages: the first page and the last (page 50 of 1k, page 5,000 of 100k);
#  2. create (POST /v2/api-products) and get (GET /v2/api-products/{id}) throughput.
# Each line shows req/s and latency; the ratios at the end compare the deep page with the
# first page and the large org with the small one (1.00 = same cost). The last lines list the
# large org sorted by name both ways (the name index: first, middle and last page) and
# filtered by filter[name][eq], against the default order's first page.
#
# Usage: bench/konnect-list.sh [URL ADMIN_TOKEN]
#   Without arguments it starts a private stack from $BUILD_DIR/bin (default build/bin) with
#   scripts/run-local on a free port with a temp data dir, and stops it afterwards.
# Tunables (environment): SMALL (1000), LARGE (100000), PAGE (20), DURATION (5s),
#   CONNECTIONS (16), THREADS (2), LOADERS (32 concurrent creates while loading).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
command -v wrk >/dev/null 2>&1 || { echo "konnect-list.sh: wrk not found (apt-get install wrk)" >&2; exit 2; }

. "$here/stack.sh"
bench_stack konnect-list.sh "$@"

small=${SMALL:-1000}
large=${LARGE:-100000}
page=${PAGE:-20}
duration=${DURATION:-5s}
conns=${CONNECTIONS:-16}
threads=${THREADS:-2}
run_id=$(date +%s)-$$

# A kpat_ token with editor rights on orgs/<org>, minted through the admin API.
mint() {
  curl -fsS -X POST "$url/auth/v1/tokens" -H "Authorization: Bearer $admin" \
    -H "Content-Type: application/json" \
    -d "{\"kind\":\"kpat\",\"subject\":\"bench-$1\",\"bindings\":[{\"scope\":\"orgs/$1\",\"role\":\"editor\"}]}" |
    /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

run() { # label token url [script]
  HANGAR_TOKEN=$2 BENCH_LABEL=$1 wrk -t"$threads" -c"$conns" -d"$duration" \
    -s "$here/${4:-get_resources.lua}" "$3" | tail -n 1
}

small_tok=$(mint "bench-small-$run_id")
large_tok=$(mint "bench-large-$run_id")
write_tok=$(mint "bench-write-$run_id")
echo "loading $small products into one org and $large into another ..."
/usr/bin/python3 "$here/konnect_load.py" "$url" "$small_tok" "$small" "${LOADERS:-32}"
/usr/bin/python3 "$here/konnect_load.py" "$url" "$large_tok" "$large" "${LOADERS:-32}"
last_small=$(( (small + page - 1) / page ))
last_large=$(( (large + page - 1) / page ))
one=$(curl -fsS -X POST "$url/v2/api-products" -H "Authorization: Bearer $write_tok" \
  -H "Content-Type: application/json" -d '{"name":"bench get"}' |
  /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

list="$url/v2/api-products?page%5Bsize%5D=$page&page%5Bnumber%5D="
echo "gateway $url, $threads threads, $conns connections, $duration each, page size $page"
results=$(
  run "list $small: page 1            " "$small_tok" "${list}1"
  run "list $small: page $last_small (last)    " "$small_tok" "${list}$last_small"
  run "list $large: page 1          " "$large_tok" "${list}1"
  run "list $large: page $last_large (last)" "$large_tok" "${list}$last_large"
  run "POST create                    " "$write_tok" "$url/v2/api-products" konnect_create.lua
  run "GET  one product               " "$write_tok" "$url/v2/api-products/$one"
  run "list $large: sort=name, page 1 " "$large_tok" "${list}1&sort=name"
  run "list $large: sort=-name, page 1" "$large_tok" "${list}1&sort=-name"
  run "list $large: sort=name, middle " "$large_tok" "${list}$((last_large / 2))&sort=name"
  run "list $large: sort=-name, last  " "$large_tok" "${list}$last_large&sort=-name"
  run "list $large: filter[name][eq]  " "$large_tok" "${list}1&filter%5Bname%5D%5Beq%5D=product%200050000"
)
echo "$results"
echo "$results" | awk -v small="$small" -v large="$large" '
  { rate = $0; sub(/ req\/s.*/, "", rate); n = split(rate, f, " "); r[NR] = f[n] + 0 }
  END {
    printf "cost ratio (req/s of first page / req/s of the other; 1.00 = same cost):\n"
    printf "  %d: last page vs first page      x%.2f\n", small, r[1] / r[2]
    printf "  %d: last page vs first page    x%.2f\n", large, r[3] / r[4]
    printf "  first page, %d vs %d        x%.2f\n", large, small, r[1] / r[3]
    printf "  last page, %d vs %d         x%.2f\n", large, small, r[2] / r[4]
    printf "create vs get one: %.0f vs %.0f req/s (x%.2f)\n", r[5], r[6], r[6] / r[5]
    nw = split("sort=name page 1,sort=-name page 1,sort=name middle page,sort=-name last page,filter[name][eq]", what, ",")
    for (i = 7; i <= 11; i++)
      printf "%d, %s: x%.2f the cost of the default order'"'"'s first page\n", large, what[i - 6],
             r[3] / (r[i] > 0 ? r[i] : 1) }'
