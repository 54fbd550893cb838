# Keyboard and pointer in a real Linux guest, nested: QEMU TCG boots L1,
# whose kvmbox runs Debian's kernel (L2) twice.
# Run 1, --display offscreen --control: L2 finds the i8042 through ACPI
# (atkbd, psmouse) and, once its module loads, the virtio tablet; a small
# tool in L2 prints the input events it reads from /dev/input/event*. L1
# types k, v, m and Enter, moves the pointer and clicks through the control
# socket: L2 must see the same key codes, PS/2 relative motion first
# (psmouse only), then the tablet's absolute position scaled to 0..32767.
# Run 2, --display screen --menu-hotkey on L1's std-VGA (bochs DRM): keys,
# an absolute move and a wheel click injected into L1 with QMP (virtio keyboard and
# tablet) are grabbed by kvmbox and forwarded to L2 (held keys repeat, as
# on a real keyboard); Ctrl+Alt+F12 ends the VMM with status 5 (back to
# the menu) and F12 itself never reaches L2.
# timeout: 900
. tests/lib.sh
[ "${QUICK:-0}" = 1 ] && skip "QUICK=1 skips the nested boot tests"
. tests/boot/lib.sh
. tests/kvm/nested.sh
EVREAD=$BUILD/kvm-tests/evread
[ -x "$EVREAD" ] || skip "evread not built"

l2_input_init() {
  cat <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
echo "L2-INIT-REACHED"
dmesg | sed -n 's/^\[ *\([0-9.]*\)\] \(i8042\|serio\|input\): /L2-DMESG \1 \2: /p'
if grep -q l2run=2 /proc/cmdline; then
  for m in evdev virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_input; do
    insmod /lib/modules/$m.ko
  done
  for _ in $(seq 50); do [ -e /dev/input/event1 ] && break; sleep 0.1; done
  /bin/evread watch 120
  poweroff -f
fi
insmod /lib/modules/evdev.ko; insmod /lib/modules/psmouse.ko
for _ in $(seq 50); do [ -e /dev/input/event1 ] && break; sleep 0.1; done
sed -n 's/^N: Name=/L2-INPUT /p' /proc/bus/input/devices
/bin/evread watch 60
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_input; do
  insmod /lib/modules/$m.ko
done
for _ in $(seq 50); do [ -e /dev/input/event2 ] && break; sleep 0.1; done
sed -n 's/^N: Name=/L2-INPUT /p' /proc/bus/input/devices
/bin/evread watch 60
echo L2-DONE
poweroff -f
INIT
}

l1_input_init() {
  cat <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in irqbypass ccp kvm kvm-amd; do insmod /lib/modules/$m.ko || echo "L1-INSMOD-FAIL $m"; done
[ -c /dev/kvm ] && echo L1-KVM-READY
for m in $(cat /lib/modules/l1.list); do insmod /lib/modules/$m || echo "L1-INSMOD-FAIL $m"; done
/bin/kvmbox vm run --kernel /k/vmlinux --initrd /k/l2.cpio --mem 256 \
  --display offscreen --display-size 1024x768 --control /tmp/ctl \
  --cmdline "console=ttyS0 quiet panic=-1" > /tmp/l2.log 2>&1 &
vm=$!
ready() { # N: until evread printed its Nth EV-READY
  for _ in $(seq 1200); do
    [ "$(grep -c EV-READY /tmp/l2.log)" -ge "$1" ] && return 0
    kill -0 $vm 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
ctl() { /bin/evread ctl /tmp/ctl "$@"; }
typed="key 37 1|key 37 0|key 47 1|key 47 0|key 50 1|key 50 0|key 28 1|key 28 0"
if ready 1; then
  IFS='|'; ctl $typed; unset IFS
  ctl "pointer 512 384 0" "pointer 600 300 0" "pointer 600 300 1" "pointer 600 300 0"
  sleep 1; ctl "key 1 1" "key 1 0"
fi
if ready 2; then
  ctl "pointer 512 384 0" "pointer 100 700 0" "pointer 100 700 1" "pointer 100 700 0"
  sleep 1; ctl "key 1 1" "key 1 0"
fi
wait $vm
echo "L1-RUN exit=$?"
tr -d '\r' < /tmp/l2.log | sed 's/^/L2: /'
for _ in $(seq 100); do [ -e /dev/dri/card0 ] && [ -e /dev/input/event2 ] && break; sleep 0.1; done
echo L1-RUN2-START
{ /bin/kvmbox vm run --kernel /k/vmlinux --initrd /k/l2.cpio --mem 256 --display screen \
    --menu-hotkey --cmdline "console=ttyS0 quiet panic=-1 l2run=2" < /dev/null
  echo "L1-RUN2 exit=$?"; } 2>&1 | while read -r l; do echo "L2B: $l"; done
echo L1-ALL-DONE
poweroff -f
INIT
}

# Images: cached by the kernel, busybox, evread and this script.
key=$( { stat -c '%n %s %Y' "$KERNEL" "$BUSYBOX"; sha256sum < "$EVREAD"; cat "$0" tests/kvm/nested.sh; } |
      sha256sum | cut -c1-16)
cache=$HOME/.cache/kvmbox/input-$key
if [ ! -f "$cache/base.cpio" ]; then
  tmp=$cache.tmp.$$; rm -rf "$tmp"; mkdir -p "$tmp"
  r=$tmp/root l2=$tmp/l2
  mkdir -p "$r/bin" "$r/k" "$r/lib/modules" "$r/proc" "$r/sys" "$r/dev" "$r/tmp" \
           "$l2/bin" "$l2/lib/modules" "$l2/proc" "$l2/sys" "$l2/dev"
  cp "$BUSYBOX" "$r/bin/busybox"; cp "$BUSYBOX" "$l2/bin/busybox"
  for m in virt/lib/irqbypass.ko drivers/crypto/ccp/ccp.ko arch/x86/kvm/kvm.ko \
           arch/x86/kvm/kvm-amd.ko; do cp "$MODS/$m" "$r/lib/modules/"; done
  # L1's own screen (bochs DRM) and input (virtio keyboard/tablet, evdev), in load order
  for m in bochs virtio_pci virtio_input evdev; do
    modprobe --show-depends -S "$KVER" "$m" | while read -r cmd f _; do
      [ "$cmd" = insmod ] || continue
      grep -qxF "$(basename "$f")" "$r/lib/modules/l1.list" 2>/dev/null && continue
      cp "$f" "$r/lib/modules/"; basename "$f" >> "$r/lib/modules/l1.list"
    done
  done
  for m in drivers/virtio/virtio.ko drivers/virtio/virtio_ring.ko \
           drivers/virtio/virtio_pci_modern_dev.ko drivers/virtio/virtio_pci_legacy_dev.ko \
           drivers/virtio/virtio_pci.ko drivers/virtio/virtio_input.ko \
           drivers/input/evdev.ko drivers/input/mouse/psmouse.ko; do
    cp "$MODS/$m" "$l2/lib/modules/"
  done
  cp "$EVREAD" "$l2/bin/evread"; cp "$EVREAD" "$r/bin/evread"
  l2_input_init > "$l2/init"; chmod +x "$l2/init"
  make_cpio "$l2" "$r/k/l2.cpio"
  extract_vmlinux "$KERNEL" "$r/k/vmlinux" || fail "cannot extract vmlinux"
  make_cpio "$r" "$tmp/base.cpio"
  rm -rf "$r" "$l2"
  rm -rf "$cache"; mv "$tmp" "$cache"
fi
mkdir -p "$T/run/bin"
cp "$KVMBOX" "$T/run/bin/kvmbox"
l1_input_init > "$T/run/init"; chmod +x "$T/run/init"
make_cpio "$T/run" "$T/run.cpio"
cat "$cache/base.cpio" "$T/run.cpio" > "$T/l1.cpio"

# qmp JSON...: one QMP connection; key DOWN QCODE..., abs X Y (0..32767).
qmp() {
  { echo '{"execute":"qmp_capabilities"}'; printf '%s\n' "$@"; sleep 0.3; } |
    socat -t 2 - "UNIX-CONNECT:$T/qmp.sock" > /dev/null
}
key() { # DOWN QCODE...: one event per key, in order
  local down=$1 k ev=(); shift
  for k in "$@"; do
    ev+=("{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[{\"type\":\"key\",\"data\":{\"down\":$down,\"key\":{\"type\":\"qcode\",\"data\":\"$k\"}}}]}}")
  done
  qmp "${ev[@]}"
}
wheel_up() { qmp '{"execute":"input-send-event","arguments":{"events":[{"type":"btn","data":{"down":true,"button":"wheel-up"}}]}}' \
                 '{"execute":"input-send-event","arguments":{"events":[{"type":"btn","data":{"down":false,"button":"wheel-up"}}]}}'; }
abs() { qmp "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[{\"type\":\"abs\",\"data\":{\"axis\":\"x\",\"value\":$1}},{\"type\":\"abs\",\"data\":{\"axis\":\"y\",\"value\":$2}}]}}"; }
# wait_serial SECONDS REGEX: 0 once the serial log matches. An emulated L1
# whose CPU has not come back from L2 for 100 s (its soft-lockup watchdog
# says so: nested SVM under TCG sometimes never returns) is given up on.
wait_serial() {
  local t=0
  while [ $t -lt $(($1 * 10)) ]; do
    grep -qE "$2" "$T/serial.log" && return 0
    kill -0 $qpid 2>/dev/null || break
    grep -qE 'soft lockup - CPU#[0-9]+ stuck for [0-9]{3,}s' "$T/serial.log" && break
    sleep 0.1; t=$((t + 1))
  done
  grep -qE "$2" "$T/serial.log"
}
command -v socat >/dev/null || skip "socat missing"
type_and_quit() {
  sleep 1
  for k in k v m ret; do key true $k && key false $k || return 1; done
  abs 16384 8192 && wheel_up || return 1
  sleep 1
  key true ctrl alt f12 && key false f12 alt ctrl || return 1
  wait_serial 120 'L1-ALL-DONE'
}
for try in 1 2 3; do
  : > "$T/serial.log"; rm -f "$T/qmp.sock"
  qemu-system-x86_64 -accel tcg -cpu qemu64,+svm,+npt -m 2048 -smp 2 -no-reboot \
    -display none -monitor none -serial "file:$T/serial.log" \
    -qmp "unix:$T/qmp.sock,server=on,wait=off" -vga none -device VGA,xres=1024,yres=768 \
    -device virtio-keyboard-pci -device virtio-tablet-pci \
    -kernel "$KERNEL" -initrd "$T/l1.cpio" -append "console=ttyS0 panic=-1 quiet rdinit=/init" &
  qpid=$!
  cleanup_hooks+=("kill -9 $qpid 2>/dev/null")
  # In a condition, so a QEMU that went away (QMP refused) is one more try,
  # with the serial tail, rather than the end of the script.
  wait_serial 400 '^L2B: EV-READY' && type_and_quit && break
  echo "attempt $try did not finish; serial tail:"; tail -n 15 "$T/serial.log"
  kill -9 $qpid 2>/dev/null; wait $qpid 2>/dev/null || true
  [ $try = 3 ] && fail "L1 did not finish"
done
sleep 1; kill $qpid 2>/dev/null || true; wait $qpid 2>/dev/null || true
tr -d '\r' < "$T/serial.log" > "$T/log"; log=$T/log
grep -q '^L1-KVM-READY' "$log" || fail "no /dev/kvm in L1"
grep -q '^L1-RUN exit=0' "$log" || fail "kvmbox in L1: $(grep -E 'L1-RUN|kvmbox' "$log" | tail -5)"
grep -q '^L2: L2-INPUT "AT Translated Set 2 keyboard"' "$log" ||
  fail "no i8042 keyboard in L2: $(grep L2-INPUT "$log")"
grep -q '^L2: L2-INPUT "kvmbox tablet"' "$log" || fail "no virtio tablet in L2: $(grep L2-INPUT "$log")"
grep -q '^L2: L2-INPUT .*PS/2' "$log" || fail "no PS/2 mouse in L2: $(grep L2-INPUT "$log")"

# Phase 1: keys through the i8042 (translated set 2), PS/2 relative motion.
kbd=$(sed -n 's/^L2: EV AT_Translated_Set_2_keyboard 1 \([0-9]*\) \([01]\)$/\1:\2/p' "$log" | tr '\n' ' ')
want="37:1 37:0 47:1 47:0 50:1 50:0 28:1 28:0 1:1 1:0 1:1 1:0 "
[ "$kbd" = "$want" ] || fail "L2 keys: '$kbd', expected '$want'"
mouse=$(sed -n 's/^L2: EV [^ ]*PS\/2[^ ]* \([0-9]* [0-9]* -*[0-9]*\)$/\1/p' "$log" | tr '\n' ',')
case $mouse in
  "2 0 88,2 1 -84,1 272 1,1 272 0,") ;;
  *) fail "PS/2 mouse events: '$mouse' (want right 88, up 84, left click)" ;;
esac
# Phase 2: the tablet, 0..1023 x 0..767 scaled to 0..32767.
tab=$(sed -n 's/^L2: EV kvmbox_tablet \([0-9]* [0-9]* [0-9]*\)$/\1/p' "$log" | tr '\n' ',')
x1=$((512 * 32767 / 1023)) y1=$((384 * 32767 / 767)) x2=$((100 * 32767 / 1023)) y2=$((700 * 32767 / 767))
case $tab in
  "3 0 $x1,3 1 $y1,3 0 $x2,3 1 $y2,1 272 1,1 272 0,") ;;
  *) grep -E '^L2: (EV|CTL)|^CTL' "$log" >&2
     fail "tablet events: '$tab' (want $x1,$y1 then $x2,$y2 and a click)" ;;
esac
grep -q '^L2: L2-DMESG .*i8042: PNP: PS/2 Controller \[PNP0303:PS2K,PNP0f13:PS2M\]' "$log" ||
  fail "L2's i8042 driver did not find the controller in ACPI: $(grep L2-DMESG "$log")"

# Run 2: L1's keyboard and tablet, grabbed and forwarded by kvmbox.
grep -q 'L2B: .*input: forwarding' "$log" || fail "no input forwarding: $(grep -E 'L2B: .*(input|display)' "$log")"
kbd=$(sed -n 's/^L2B: EV AT_Translated_Set_2_keyboard 1 \([0-9]*\) \([01]\)$/\1:\2/p' "$log" | tr '\n' ' ')
want="37:1 37:0 47:1 47:0 50:1 50:0 28:1 28:0 "
[ "${kbd:0:${#want}}" = "$want" ] || fail "forwarded keys: '$kbd', expected '$want' first"
! grep -q '^L2B: EV .* 1 88 1$' "$log" || fail "F12 of the hotkey reached the guest"
# The tablet at (1/2, 1/4) of L1's screen: the same fraction of 0..32767 (within a pixel).
set -- $(sed -n 's/^L2B: EV kvmbox_tablet 3 [01] \([0-9]*\)$/\1/p' "$log" | tr '\n' ' ') 0 0
[ $(( ($1 - 16384) * ($1 - 16384) )) -lt 2500 ] && [ $(( ($2 - 8192) * ($2 - 8192) )) -lt 2500 ] ||
  fail "forwarded tablet position: $1,$2 (want about 16384,8192)"
grep -q '^L2B: EV kvmbox_tablet 2 8 1$' "$log" || fail "wheel up did not reach the tablet: $(grep 'L2B: EV kvmbox' "$log")"
# (anywhere on the line: the guest's last, unterminated output may precede it)
grep -q '^L2B: .*L1-RUN2 exit=5$' "$log" || fail "Ctrl+Alt+F12: $(grep 'L1-RUN2' "$log")"
grep -E '^L2: EV|^L2B: EV|L1-RUN' "$log" | head -60
echo "all good"
