# The VMM's i8042 as a tiny guest sees it: controller self-tests, aux
# loop-back, keyboard reset/identify/echo/LEDs/scancode sets, then keys
# injected through --control arrive as set-2, set-1 and translated set-1
# scancodes, and pointer moves as PS/2 mouse packets (no tablet driver in
# the guest: the fall-back).
# timeout: 180
. tests/lib.sh
. tests/kvm/lib.sh
IGUEST=$BUILD/kvm-tests/input_guest.elf
EVREAD=$BUILD/kvm-tests/evread
[ -f "$IGUEST" ] && [ -x "$EVREAD" ] || skip "input test guest/tools not built"

sock=$T/ctl
"$KVMBOX" vm run --kernel "$IGUEST" --mem 64 --display offscreen --control "$sock" \
  < /dev/null > "$T/guest" 2> "$T/vmerr" &
vm=$!
cleanup_hooks+=("kill $vm 2>/dev/null")

wait_for() { # TEXT: until the guest printed it (60 s at most)
  for _ in $(seq 600); do
    grep -q "^$1\$" "$T/guest" && return 0
    kill -0 $vm 2>/dev/null || fail "VMM ended early: $(cat "$T/vmerr")"
    sleep 0.1
  done
  fail "guest never printed '$1': $(tail -5 "$T/guest")"
}
ctl() { "$EVREAD" ctl "$sock" "$@" >> "$T/ctl.log" || fail "control socket: $*"; }
keys() { # the guest's "key XX" lines after "ready $1", joined
  sed -n "/^ready $1\$/,/^\(ready\|set\|mouse\)/p" "$T/guest" | sed -n 's/^key //p' | tr '\n' ' '
}

wait_for "ready set2"
for want in "selftest 55" "ctr 65" "kbd-test 00" "aux-test 00" "aux-loop 5a 01" \
    "kbd-reset fa aa" "kbd-id fa ab 41" "kbd-echo ee" "kbd-leds-arg fa" "kbd-bad fe" \
    "ctr-now 05" "get-set-arg fa 02" "set-3-arg fe"; do
  grep -qx "$want" "$T/guest" || fail "expected '$want' from the guest: $(cat "$T/guest")"
done

# KEY_A, KEY_RIGHTCTRL (0xe0-prefixed), KEY_ESC: make and break of each.
ab="key 30 1"; ab2="key 30 0"
ctl "$ab" "$ab2" "key 97 1" "key 97 0" "key 1 1" "key 1 0"
wait_for "ready set1"
[ "$(keys set2)" = "1c f0 1c e0 14 e0 f0 14 76 f0 76 " ] || fail "set 2: $(keys set2)"
ctl "$ab" "$ab2" "key 1 1" "key 1 0"
wait_for "ready xlat"
[ "$(keys set1)" = "1e 9e 01 81 " ] || fail "set 1: $(keys set1)"
ctl "$ab" "$ab2" "key 97 1" "key 97 0" "key 1 1" "key 1 0"
wait_for "ready mouse"
[ "$(keys xlat)" = "1e 9e e0 1d e0 9d 01 81 " ] || fail "translated: $(keys xlat)"
grep -qx "mouse-id-wheel fa 03" "$T/guest" || fail "no IntelliMouse id after 200/100/80"
grep -qx "mouse-status fa 00 02 64" "$T/guest" || fail "mouse status: $(grep mouse-status "$T/guest")"

# Right 5 and up 3 with the left button, then the middle button alone.
ctl "pointer 10 10 0" "pointer 15 7 1" "pointer 15 7 4"
wait_for "guest: done"
[ "$(grep '^pkt' "$T/guest" | tr '\n' ' ')" = "pkt 09 05 03 pkt 0c 00 00 " ] ||
  fail "mouse packets: $(grep '^pkt' "$T/guest")"
set +e; wait $vm; rc=$?; set -e
[ $rc = 0 ] || fail "VMM exit $rc: $(cat "$T/vmerr")"
echo "all good"
