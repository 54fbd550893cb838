#!/bin/bash
# make bench: each subsystem's benchmark against its peer, in one run, with
# ratios. Subsystem scripts are bench/bench_*.sh; each prints its own table.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
export BUILD KVMBOX=$BUILD/kvmbox
rc=0
for b in bench/bench_*.sh; do
  echo "== $(basename "$b" .sh)"
  bash "$b" || rc=1
done
exit $rc
