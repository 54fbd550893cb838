#!/bin/bash
# make bench: each subsystem's benchmark against its peer, in one run, with
# ratios. Subsystem scripts are bench/bench_*.sh; each prints its own table.
set -uo pipefail
cd "$(dirname "$0")/.."
export BUILD=${BUILD:-build} KVMBOX=$PWD/${BUILD:-build}/kvmbox
rc=0
for b in bench/bench_*.sh; do
  echo "== $(basename "$b" .sh)"
  bash "$b" || rc=1
done
exit $rc
