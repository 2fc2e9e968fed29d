#!/bin/sh
# group-commit.sh - builds bench_group_commit if needed and runs it.
# Usage: bench/group-commit.sh [seconds] [clients]   (defaults 5 s each mode, 64 clients)
# BUILD_DIR picks the build tree (default <repo>/build); TMPDIR where the stores go.
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$repo/build}
bin=$build/bin/bench_group_commit
if [ ! -x "$bin" ]; then
  [ -f "$build/CMakeCache.txt" ] || cmake -S "$repo" -B "$build"
  cmake --build "$build" -j"$(nproc)" --target bench_group_commit
fi
exec "$bin" "${1:-5}" "${2:-64}"
