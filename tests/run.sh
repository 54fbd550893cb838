#!/bin/bash
# Runs every test of kvmbox and ends with "N passed, N failed":
#  1. the unit-test programs of each subsystem, musl build and ASan/UBSan build;
#  2. the scenario scripts tests/*/t_*.sh (exit 0 pass, 77 skip, else fail);
#  3. a short bounded run of every fuzz target.
# TESTS=pattern limits the scenario scripts; QUICK=1 skips the boot tests.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
export BUILD KVMBOX=$BUILD/kvmbox
LOGDIR=$BUILD/test-logs
rm -rf "$LOGDIR"; mkdir -p "$LOGDIR"
passed=0 failed=0 skipped=0
failures=()

record() { # name status(0 pass, 77 skip, else fail) log
  if [ "$2" = 0 ]; then passed=$((passed + 1)); echo "ok $1"
  elif [ "$2" = 77 ]; then skipped=$((skipped + 1)); echo "skip $1"
  else failed=$((failed + 1)); failures+=("$1"); echo "FAIL $1"
    if [ -n "${3:-}" ] && [ -f "$3" ]; then
      # A scenario's own verdict (an assertion) may be far above the tail.
      grep -a -m 2 -A 6 '^Traceback\|^AssertionError' "$3" | cut -c1-300 | sed 's/^/    ! /'
      tail -n 25 "$3" | sed 's/^/    | /'
    fi
  fi
}

for flavour in musl asan; do
  for bin in "$BUILD"/$flavour/tests/*_tests; do
    [ -x "$bin" ] || continue
    log=$LOGDIR/$(basename "$bin").$flavour.log
    timeout 600 "$bin" > "$log" 2>&1
    rc=$?
    while read -r word name _; do
      case $word in
        ok) record "$flavour/$name" 0 ;;
        FAIL) record "$flavour/$name" 1
              grep -A8 "^FAIL $name\$" "$log" >/dev/null
              awk -v n="$name" '$0 ~ "^(ok|FAIL) " {p = 0} p {print "    | " $0} $0 == "FAIL " n {p = 1}' "$log" ;;
      esac
    done < <(grep -E '^(ok|FAIL) ' "$log")
    # A crash outside any test (or a missing summary) is a failure too.
    if [ $rc != 0 ] && ! grep -q '^FAIL ' "$log"; then
      record "$flavour/$(basename "$bin")" 1 "$log"
    fi
  done
done

for t in $(ls tests/*/t_*.sh 2>/dev/null | sort); do
  name=${t#tests/}; name=${name%.sh}
  [ -n "${TESTS:-}" ] && [[ $name != *${TESTS}* ]] && continue
  [ "${QUICK:-0}" = 1 ] && [[ $name == boot/* ]] && continue
  log=$LOGDIR/${name//\//_}.log
  limit=$(sed -n 's/^# timeout: *\([0-9]*\).*/\1/p' "$t" | head -1)
  timeout --kill-after=10 "${limit:-300}" bash "$t" > "$log" 2>&1
  record "$name" $? "$log"
done

# Two targets at a time (one per core): each still gets its full time.
fuzz_one() { # BIN: runs it in the background, its status in LOG.rc
  local log=$LOGDIR/fuzz_$(basename "$1").log
  FUZZ_SECONDS=${CHECK_FUZZ_SECONDS:-10} bash tests/fuzz/run.sh "$BUILD" "$1" > "$log" 2>&1
  echo $? > "$log.rc"
}
if [ "${NO_FUZZ:-0}" != 1 ]; then
  bins=()
  for bin in "$BUILD"/fuzz/bin/*; do [ -x "$bin" ] && bins+=("$bin"); done
  for ((i = 0; i < ${#bins[@]}; i += 2)); do
    for bin in "${bins[@]:i:2}"; do fuzz_one "$bin" & done
    wait
    for bin in "${bins[@]:i:2}"; do
      log=$LOGDIR/fuzz_$(basename "$bin").log
      record "fuzz/$(basename "$bin")" "$(cat "$log.rc" 2>/dev/null || echo 1)" "$log"
    done
  done
fi

echo
[ ${#failures[@]} = 0 ] || printf 'failed: %s\n' "${failures[@]}"
if [ $skipped != 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ $failed = 0 ]
