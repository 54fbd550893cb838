# The VMM's display at host level (--display offscreen --control): a tiny
# guest draws colour bars on the boot framebuffer found at the QXL VRAM BAR,
# then a square (seen through dirty-page tracking only), then speaks QXL
# (memory slot, primary surface, fill, a chunked bitmap copy, a fill
# clipped away, two hostile commands, a hardware cursor set and moved); screenshots of the guest and dumps of the host-side output must
# show exactly that, the bad commands are released and reported once, and an
# idle guest costs no frame copies. Pacing: a guest drawing full screens
# back to back gets at most 60 copies a second; one drawing at 60 Hz gets
# its frames delivered, and the last one is what the host buffer shows.
# timeout: 300
. tests/lib.sh
. tests/kvm/lib.sh
DGUEST=$BUILD/kvm-tests/display_guest.elf
[ -f "$DGUEST" ] || skip "display test guest not built ($DGUEST)"
command -v python3 > /dev/null || skip "python3 missing"
tool() { python3 tests/kvm/display_tool.py "$@"; }

vm_pid=
stop_vm() { [ -z "$vm_pid" ] || kill -9 "$vm_pid" 2> /dev/null || true; }
cleanup_hooks+=("stop_vm")

# start_vm CMDLINE SIZE: the guest with its console on a FIFO we write to.
start_vm() {
  rm -f "$T/in" "$T/sock"
  mkfifo "$T/in"
  "$KVMBOX" vm run --kernel "$DGUEST" --mem 64 --cmdline "$1" \
    --display offscreen --display-size "$2" --control "$T/sock" \
    < "$T/in" > "$T/console" 2> "$T/vmerr" &
  vm_pid=$!
  exec 3> "$T/in"
}
wait_for() { # FILE PATTERN SECONDS
  for _ in $(seq $(($3 * 10))); do
    grep -q "$2" "$1" 2> /dev/null && return 0
    kill -0 "$vm_pid" 2> /dev/null || fail "the VMM died: $(cat "$T/vmerr")"
    sleep 0.1
  done
  fail "no '$2' after $3 s: $(cat "$1") $(cat "$T/vmerr")"
}
# until_dump KIND ARGS...: retries the host output's dump for a few frames.
until_dump() {
  local kind=$1; shift
  for _ in $(seq 30); do
    tool ctl "$T/sock" "screendump $T/dump.ppm" | grep -q '^ok' || fail "screendump refused"
    tool expect "$kind" "$T/dump.ppm" "$@" > "$T/why" 2>&1 && return 0 || true
    sleep 0.1
  done
  fail "host output never became '$*': $(cat "$T/why")"
}
expect_image() { tool expect "$@" > "$T/why" 2>&1 || fail "$(cat "$T/why")"; }
stop_with_quit() {
  [ "$(tool ctl "$T/sock" quit)" = ok ] || fail "quit refused"
  set +e; wait "$vm_pid"; local rc=$?; set -e
  vm_pid=
  exec 3>&-
  [ "$rc" = 0 ] || fail "quit: the VMM exited $rc: $(cat "$T/vmerr")"
}

# 1. The boot framebuffer, 1:1 on a same-size output.
start_vm "lfb 640 480" 640x480
wait_for "$T/console" "guest: lfb drawn" 90
r=$(tool ctl "$T/sock" "screenshot $T/shot.ppm")
[ "$r" = "ok 640x480" ] || fail "screenshot: $r"
expect_image bars "$T/shot.ppm" 640 480
until_dump bars 640 480
# Idle: nothing changes, nothing is copied.
f1=$(tool ctl "$T/sock" info | sed -n 's/.* frames=\([0-9]*\).*/\1/p')
sleep 1
f2=$(tool ctl "$T/sock" info | sed -n 's/.* frames=\([0-9]*\).*/\1/p')
[ -n "$f1" ] && [ "$f1" = "$f2" ] || fail "idle guest still costs frame copies ($f1 -> $f2)"
# A change the VMM only learns from the dirty log.
echo go >&3
wait_for "$T/console" "guest: square drawn" 60
until_dump bars 640 480 square
tool ctl "$T/sock" "screenshot $T/shot.ppm" > /dev/null
expect_image bars "$T/shot.ppm" 640 480 square
info=$(tool ctl "$T/sock" info)
case $info in "ok 640x480 lfb "*) ;; *) fail "info: $info" ;; esac
# Bad control input gets one error line; the VM goes on.
r=$(tool ctl "$T/sock" "screenshot" "frobnicate" "pointer 9999 1 0" "screenshot /nonexistent/x.ppm")
[ "$(echo "$r" | grep -c '^error ')" = 4 ] || fail "bad commands: $r"
stop_with_quit

# 2. QXL commands; the 640x480 guest centred on an 800x600 output.
start_vm "qxl 640 480" 800x600
wait_for "$T/console" "guest: qxl drawn" 90
grep -q '^guest: released 1 2 6 3 4 5$' "$T/console" || fail "releases: $(cat "$T/console")"
r=$(tool ctl "$T/sock" "screenshot $T/shot.ppm")
[ "$r" = "ok 640x480" ] || fail "screenshot: $r"
expect_image qxl "$T/shot.ppm"  # the guest's screen: no cursor
until_dump frame 800 600 640 480 qxl cursor  # the output: the cursor over it
grep -q "draw command at 0x500000000000000 outside the memory slots" "$T/vmerr" ||
  fail "the hostile command was not reported: $(cat "$T/vmerr")"
grep -q "image at .* outside the memory slots" "$T/vmerr" || fail "bad image not reported"
info=$(tool ctl "$T/sock" info)
case $info in "ok 640x480 qxl "*"draws=4 "*) ;; *) fail "info: $info" ;; esac
stop_with_quit

# 3. Pacing. Back to back: at most 60 copies/s, however fast the guest draws.
field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p"; }
start_vm "redraw 640 480 1000000" 640x480
for _ in $(seq 300); do
  d=$(tool ctl "$T/sock" info | field draws); [ "${d:-0}" -gt 2 ] && break; sleep 0.1
done
# The clock runs around both questions: the copies counted lie inside it.
t0=$(date +%s%N); i0=$(tool ctl "$T/sock" info)
sleep 2
i1=$(tool ctl "$T/sock" info); t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
frames=$(($(echo "$i1" | field frames) - $(echo "$i0" | field frames)))
draws=$(($(echo "$i1" | field draws) - $(echo "$i0" | field draws)))
echo "back to back: $draws draws, $frames copies in $ms ms"
[ "$frames" -ge 1 ] || fail "no copies while the guest draws"
[ $((frames * 1000)) -le $((ms * 60 + 5000)) ] || fail "$frames copies in $ms ms: more than 60/s"
stop_with_quit
# A guest drawing two alternating screens at 60 Hz: its frames reach the
# host buffer (not merged away), and the last one is what it shows.
start_vm "paced 640 480 120" 640x480
wait_for "$T/console" "guest: paced done" 90
sleep 0.2
i1=$(tool ctl "$T/sock" info) # copies so far: 120 frames and a few before
frames=$(echo "$i1" | field frames) draws=$(echo "$i1" | field draws)
echo "60 Hz guest: $draws draws, $frames copies; $(grep 'paced done' "$T/console")"
[ "$draws" = 120 ] || fail "the guest drew $draws frames, not 120"
[ "$frames" -ge 60 ] && [ "$frames" -le 125 ] || fail "$frames copies for 120 guest frames"
tool ctl "$T/sock" "screenshot $T/shot.ppm" "screendump $T/dump.ppm" > /dev/null
cmp -s "$T/shot.ppm" "$T/dump.ppm" || fail "the host buffer is not the guest's last frame"
stop_with_quit

# 4. Usage errors.
expect_status 2 "$KVMBOX" vm run --kernel "$DGUEST" --display hologram
grep -q -- "--display 'hologram'" "$T/err" || fail "no --display message"
expect_status 2 "$KVMBOX" vm run --kernel "$DGUEST" --control "$T/c"
grep -q -- "--control needs --display" "$T/err" || fail "no --control message"
expect_status 2 "$KVMBOX" vm run --kernel "$DGUEST" --display offscreen --display-size 10x10
echo "all good"
