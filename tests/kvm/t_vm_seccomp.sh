# The seccomp sandbox: once the machine runs, a forbidden system call (here
# opening a file, forced by a test-only option) kills the VMM with SIGSYS;
# without the sandbox the same call is harmless.
# timeout: 120
. tests/lib.sh
. tests/kvm/lib.sh

run_guest 159 uart --test-seccomp-violation  # 128 + SIGSYS
run_guest 0 uart --test-seccomp-violation --no-seccomp
grep -q 'guest: done' "$T/out" || fail "guest did not run without seccomp"
echo "all good"
