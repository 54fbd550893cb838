#!/bin/bash
# usage: tests/fuzz/run.sh BUILD FUZZER...
# Runs each libFuzzer target for FUZZ_SECONDS (default 60) from its seed
# corpus in tests/fuzz/corpus/NAME (kept) plus a scratch corpus in BUILD.
# Exit status non-zero when any target found a crash, leak or timeout.
set -uo pipefail
BUILD=$1; shift
secs=${FUZZ_SECONDS:-60}
rc=0
for bin in "$@"; do
  name=$(basename "$bin")
  seeds=tests/fuzz/corpus/$name
  work=$BUILD/fuzz/corpus/$name
  mkdir -p "$work" "$BUILD/fuzz/artifacts"
  dirs=("$work"); [ -d "$seeds" ] && dirs+=("$seeds")
  echo "fuzz $name: ${secs}s"
  if ! "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
       -max_len=65536 -print_final_stats=1 \
       -artifact_prefix="$BUILD/fuzz/artifacts/$name-" "${dirs[@]}" \
       > "$BUILD/fuzz/$name.log" 2>&1; then
    echo "fuzz $name: FOUND A PROBLEM"; tail -n 40 "$BUILD/fuzz/$name.log"; rc=1
  else
    grep -E 'stat::number_of_executed_units|cov:' "$BUILD/fuzz/$name.log" | tail -2
  fi
done
exit $rc
