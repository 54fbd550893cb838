#!/bin/bash
# timeout: 600
# kvmbox spice --fullscreen as a person sees it, nested: a remote QEMU (TCG,
# qxl, SPICE on 127.0.0.1) runs a Linux shell on its VGA console; L1 boots
# the Debian kernel under QEMU with a std-VGA 1280x720 screen (bochs DRM),
# PS/2 keyboard and mouse, and user networking, and runs kvmbox spice
# --fullscreen against the host's port (10.0.2.2 in L1). Checks: L1's
# screendump shows the remote screen centred, >= 99 % like the remote's
# own screendump; keys typed into L1 with QMP reach the remote shell (its
# screen changes and L1 shows the change); mouse motion in L1 reaches the
# remote guest's mouse; Shift+F12 disconnects and exits with status 0.
. tests/lib.sh
. tests/screen/lib.sh
HERE=$PWD/tests/spiceclient
rqmp() { python3 "$HERE/qmp.py" "$T/remote.qmp" "$@"; }
rdump() { rm -f "$1"; rqmp screendump "{\"filename\": \"$1\"}" > /dev/null; }
same_at() { python3 "$HERE/ppmcmp.py" "$@" | cut -d' ' -f1; }
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
send_rel() { # DX DY
  qmp "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[{\"type\":\"rel\",\"data\":{\"axis\":\"x\",\"value\":$1}},{\"type\":\"rel\",\"data\":{\"axis\":\"y\",\"value\":$2}}]}}" > /dev/null
}

# The remote guest: a shell on tty1; its mouse bytes go to the serial port.
mkdir -p "$T/rroot/bin" "$T/rroot/dev" "$T/rroot/proc"
cp /bin/busybox "$T/rroot/bin/busybox"
for a in sh mount echo sleep setsid cat insmod; do ln -s busybox "$T/rroot/bin/$a"; done
cp "$(modprobe --show-depends -S "$KVER" psmouse | awk '/^insmod/ {print $2}' | tail -1)" "$T/rroot/psmouse.ko"
cat > "$T/rroot/init" <<'INIT'
#!/bin/sh
mount -t devtmpfs dev /dev
mount -t proc proc /proc
insmod /psmouse.ko
cat /dev/input/mice > /dev/ttyS0 &
echo guest-ready > /dev/ttyS0
export PS1='guest# '
while true; do setsid sh -c 'exec sh -i </dev/tty1 >/dev/tty1 2>&1'; done
INIT
chmod +x "$T/rroot/init"
(cd "$T/rroot" && find . | cpio -o -H newc 2>/dev/null | gzip -1 > "$T/rinitrd.gz")

port=
for _ in $(seq 1 50); do
  p=$((20000 + (RANDOM * 7 + $$) % 30000)); port_free "$p" && { port=$p; break; }
done
[ -n "$port" ] || fail "no free port"
qemu-system-x86_64 -accel tcg -m 256 -nodefaults -vga qxl -display none \
  -spice "port=$port,addr=127.0.0.1,password=secret" \
  -qmp "unix:$T/remote.qmp,server,nowait" -kernel "$KERNEL" -initrd "$T/rinitrd.gz" \
  -append "console=tty1 quiet loglevel=0" -serial "file:$T/remote.log" 2> "$T/remote.err" &
RPID=$!
cleanup_hooks+=("kill -9 $RPID 2>/dev/null; wait $RPID 2>/dev/null")

l1_root "$HERE/l1_spice_init.sh"
l1_modules display.list bochs
l1_modules input.list evdev psmouse
l1_modules net.list virtio_pci virtio_net
l1_pack

for _ in $(seq 1 240); do grep -q guest-ready "$T/remote.log" 2>/dev/null && break; sleep 0.5; done
grep -q guest-ready "$T/remote.log" || fail "remote guest did not boot: $(tail -3 "$T/remote.log")"

log=$T/serial.log
l1_boot "$log" 180 'on screen: remote' "L1 never showed the remote desktop" \
  "spiceport=$port" -vga none -device VGA,xres=1280,yres=720 \
  -netdev user,id=n0 -device virtio-net-pci,netdev=n0
! grep -q 'no keyboard or mouse' "$log" || fail "kvmbox found no input devices in L1"
read -r x y < <(sed -n 's/.*on screen: remote [0-9]*x[0-9]* at \([0-9]*\),\([0-9]*\) .*/\1 \2/p' "$log" | head -1)
[ "$x,$y" = "280,160" ] || fail "720x400 not centred on 1280x720 (at $x,$y)"

# match_remote NAME: L1's screen shows the remote's (>= 99 %), within 30 s.
match_remote() {
  local pct=0
  for _ in $(seq 1 15); do
    rdump "$T/remote-$1.ppm"; screendump "$T/l1-$1.ppm"
    pct=$(same_at "$T/l1-$1.ppm" "$T/remote-$1.ppm" "$x" "$y")
    awk -v p="$pct" 'BEGIN { exit !(p >= 99) }' && break
    sleep 2
  done
  echo "$1: L1 shows the remote screen at $pct %"
  ppm png "$T/l1-$1.ppm" "$SHOTS/spice-fullscreen-$1.png"
  awk -v p="$pct" 'BEGIN { exit !(p >= 99) }' || fail "$1: L1 only $pct % like the remote screen"
}
match_remote first

# Keys typed into L1 reach the remote shell, whose screen changes.
for k in k v m b o x ret; do send_key $k; sleep 0.2; done
sleep 3
match_remote typed
changed=$(same_at "$T/remote-first.ppm" "$T/remote-typed.ppm")
awk -v p="$changed" 'BEGIN { exit !(p < 100) }' || fail "typing in L1 did not change the remote screen"

# Mouse motion in L1 reaches the remote guest's PS/2 mouse.
before=$(stat -c %s "$T/remote.log")
for _ in 1 2 3 4 5; do send_rel 25 10; sleep 0.3; done
for _ in $(seq 1 50); do [ "$(stat -c %s "$T/remote.log")" -gt "$before" ] && break; sleep 0.2; done
[ "$(stat -c %s "$T/remote.log")" -gt "$before" ] || fail "mouse motion did not reach the remote guest"

# Shift+F12 is the client's: it disconnects and exits 0.
qmp "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[{\"type\":\"key\",\"data\":{\"down\":true,\"key\":{\"type\":\"qcode\",\"data\":\"shift\"}}},{\"type\":\"key\",\"data\":{\"down\":true,\"key\":{\"type\":\"qcode\",\"data\":\"f12\"}}}]}}" > /dev/null
wait_log "$log" 30 'L1: spice exited 0' || fail "Shift+F12 did not end the client: $(tail -3 "$log")"
! grep -q 'Kernel panic' "$log" || fail "kernel panic in L1"
l1_stop
echo "pass"
