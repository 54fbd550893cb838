# Shared functions for the VMM's host-level tests (sourced after tests/lib.sh).
GUEST=$BUILD/kvm-tests/guest.elf
[ -f "$GUEST" ] || skip "test guest not built ($GUEST)"
[ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] || skip "/dev/kvm not usable"

# run_guest EXPECTED_STATUS TEST [vm run options...]: runs the test guest.
run_guest() {
  local want=$1 test=$2; shift 2
  expect_status "$want" timeout 60 "$KVMBOX" vm run --kernel "$GUEST" --mem 64 \
    --cmdline "$test" "$@" < /dev/null
}
