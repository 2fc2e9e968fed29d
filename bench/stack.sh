# stack.sh - sourced by the bench scripts: the gateway a benchmark loads, given or private.
#
#   . "$here/stack.sh"; bench_stack NAME "$@"
# With URL and TOKEN arguments it uses that gateway (TOKEN: an admin token). Without, it
# starts a private stack from $BUILD_DIR/bin (default build/bin) with scripts/run-local on a
# free port, data in a temp dir, and stops it on exit. Either way it sets `url` (no trailing
# slash) and `admin`, checks /readyz, and leaves `bench_tmp`, a scratch dir removed on exit.
bench_tmp=$(mktemp -d)
bench_stack_pid=""
bench_cleanup() {
  [ -n "$bench_stack_pid" ] && kill -TERM "$bench_stack_pid" 2>/dev/null &&
    wait "$bench_stack_pid" 2>/dev/null
  rm -rf "$bench_tmp"
  return 0
}
trap bench_cleanup EXIT INT TERM

bench_stack() { # NAME [URL TOKEN]
  bench_name=$1
  shift
  if [ $# -ge 2 ]; then
    url=${1%/}
    admin=$2
  else
    port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    mkdir "$bench_tmp/data"
    # One admin token drives every connection: lift the per-caller in-flight bound (32).
    HANGAR_HTTP_PORT=$port HANGAR_DATA_DIR=$bench_tmp/data HANGAR_LOG_LEVEL=warn \
      HANGAR_MAX_IN_FLIGHT_PER_PRINCIPAL=4096 \
      "$repo/scripts/run-local" "${BUILD_DIR:-$repo/build}/bin" >"$bench_tmp/stack.log" 2>&1 &
    bench_stack_pid=$!
    url=http://127.0.0.1:$port
    for _ in $(seq 1 300); do
      curl -fsS -o /dev/null "$url/readyz" 2>/dev/null && break
      sleep 0.1
    done
    admin=$(cat "$bench_tmp/data/dev-admin-token")
  fi
  curl -fsS -o /dev/null "$url/readyz" || {
    echo "$bench_name: $url is not ready" >&2
    [ -f "$bench_tmp/stack.log" ] && tail -20 "$bench_tmp/stack.log" >&2
    exit 1
  }
}
