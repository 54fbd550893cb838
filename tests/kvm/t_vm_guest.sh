# The VMM runs a tiny guest on /dev/kvm: console output, power-off (0),
# i8042 reset (3), pvpanic (4), virtio-rng, and clear errors (1, 2).
# timeout: 240
. tests/lib.sh
. tests/kvm/lib.sh

run_guest 0 uart
grep -q '^guest: hello from the test guest$' "$T/out" || fail "no console output: $(cat "$T/out")"
grep -q '^guest: done$' "$T/out" || fail "guest did not finish"

run_guest 3 reset
run_guest 4 panic

run_guest 0 rng
line=$(grep '^rng ' "$T/out") || fail "no rng line: $(cat "$T/out")"
set -- $line
[ "$2" = 10 ] || fail "rng filled $2 bytes (hex), expected 10"
[ "$3" != 00000000000000000000000000000000 ] || fail "rng bytes all zero"

run_guest 0 uart --cpus 2
run_guest 0 uart --mem 4096  # RAM split around the PCI hole

# --serial FILE and none
expect_status 0 timeout 60 "$KVMBOX" vm run --kernel "$GUEST" --mem 64 --serial "$T/console.log"
grep -q 'guest: done' "$T/console.log" || fail "--serial FILE got nothing"
expect_status 0 timeout 60 "$KVMBOX" vm run --kernel "$GUEST" --mem 64 --serial none
[ ! -s "$T/out" ] || fail "--serial none still printed"

# SIGTERM (init stopping VMs) ends the VMM with 1 and says why.
"$KVMBOX" vm run --kernel "$GUEST" --mem 64 --cmdline hang < /dev/null > "$T/out" 2> "$T/err" &
vm=$!
for _ in $(seq 100); do grep -q hello "$T/out" && break; sleep 0.1; done
kill -TERM $vm
set +e; wait $vm; rc=$?; set -e
[ $rc = 1 ] || fail "SIGTERM: exit $rc"
grep -q 'stopped by' "$T/err" || fail "SIGTERM: $(cat "$T/err")"

# SIGTERM to a guest listening to the ACPI power button: it is asked first
# and powers off by itself (0); a second SIGTERM would have stopped it.
"$KVMBOX" vm run --kernel "$GUEST" --mem 64 --cmdline button < /dev/null > "$T/out" 2> "$T/err" &
vm=$!
for _ in $(seq 100); do grep -q 'waiting for the power button' "$T/out" && break; sleep 0.1; done
grep -q 'waiting for the power button' "$T/out" || fail "button guest did not start: $(cat "$T/out")"
kill -TERM $vm
set +e; wait $vm; rc=$?; set -e
[ $rc = 0 ] || fail "power button: exit $rc: $(cat "$T/err")"
grep -q '^guest: power button pressed$' "$T/out" || fail "power button: $(cat "$T/out")"
grep -q 'asked the guest to power off' "$T/err" || fail "power button not logged: $(cat "$T/err")"

# Errors: usage (2) and VMM errors (1) with one line naming the problem.
expect_status 2 "$KVMBOX" vm run
grep -q -- '--kernel is required' "$T/err" || fail "no usage message"
expect_status 2 "$KVMBOX" vm run --kernel "$GUEST" --cpus 0
expect_status 2 "$KVMBOX" vm run --kernel "$GUEST" --mem lots
expect_status 2 "$KVMBOX" vm run --kernel "$GUEST" --net carrier-pigeon
expect_status 1 "$KVMBOX" vm run --kernel "$T/missing"
grep -q "kernel $T/missing: No such file" "$T/err" || fail "missing kernel: $(cat "$T/err")"
head -c 4096 /dev/urandom > "$T/junk"
expect_status 1 "$KVMBOX" vm run --kernel "$T/junk"
grep -q 'not a kernel' "$T/err" || fail "junk kernel: $(cat "$T/err")"
expect_status 1 "$KVMBOX" vm run --kernel "$GUEST" --initrd "$T/missing"
head -c $((20 << 20)) /dev/zero > "$T/big.img"
expect_status 1 "$KVMBOX" vm run --kernel "$GUEST" --mem 16 --initrd "$T/big.img"
grep -q 'does not fit' "$T/err" || fail "oversized initrd: $(cat "$T/err")"
[ "$(wc -l < "$T/err")" = 1 ] || fail "error is not one line: $(cat "$T/err")"
echo "all good"
