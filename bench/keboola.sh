#!/usr/bin/env bash
# Keboola provisioning figures: durable creates/s of real mysql credentials (a database and a
# user each) and of records-only snowflake credentials, docker job latency, and what a client
# sees while MariaDB is down (private stack only).
#   bench/keboola.sh [URL ADMIN_TOKEN]   (N=200 creates, C=8 clients by default)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
. "$here/stack.sh"
bench_stack keboola "$@"
cd "$repo"
down=()
[ $# -lt 2 ] && down=("$bench_tmp/data/run")
/usr/bin/python3 "$here/keboola_load.py" "$url" "$admin" "${N:-200}" "${C:-8}" "${down[@]}"
