# Shared helpers for the scenario tests (sourced). Each test runs in its own
# scratch folder $T, removed on exit; fail() prints why and exits 1.
set -euo pipefail
KVMBOX=${KVMBOX:-$PWD/build/kvmbox}
T=$(mktemp -d "${TMPDIR:-/tmp}/kvmbox-t.XXXXXX")
cleanup_hooks=()
on_exit() { for h in "${cleanup_hooks[@]}"; do eval "$h" || true; done; rm -rf "$T"; }
trap on_exit EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 77; }
expect_status() { # expected command...
  local want=$1; shift
  set +e; "$@" > "$T/out" 2> "$T/err"; local got=$?; set -e
  [ "$got" = "$want" ] || fail "'$*' exited $got, expected $want; stderr: $(head -3 "$T/err")"
}
