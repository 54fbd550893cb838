#!/bin/bash
# timeout: 200
# Typing through the SPICE inputs channel: QEMU (TCG, qxl) boots Debian's
# kernel with a busybox shell on the VGA console; kvmbox spice types a
# command that reports on the serial port, and the screen changes: the
# client's next screenshot matches QEMU's screendump and differs from the
# one before typing.
. tests/lib.sh
. tests/spiceclient/lib.sh

kernel=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1)
[ -n "$kernel" ] && [ -r "$kernel" ] || skip "no kernel in /boot"
[ -x /bin/busybox ] || skip "no busybox"
command -v cpio >/dev/null || skip "no cpio"

# The guest: busybox and an /init that gives tty1 a shell.
mkdir -p "$T/root/bin" "$T/root/dev" "$T/root/proc"
cp /bin/busybox "$T/root/bin/busybox"
for a in sh mount echo sleep setsid cat; do ln -s busybox "$T/root/bin/$a"; done
cat > "$T/root/init" <<'INIT'
#!/bin/sh
mount -t devtmpfs dev /dev
mount -t proc proc /proc
echo guest-ready > /dev/ttyS0
export PS1='guest# '
while true; do setsid sh -c 'exec sh -i </dev/tty1 >/dev/tty1 2>&1'; done
INIT
chmod +x "$T/root/init"
boot_guest "$kernel" guest-ready 120
sleep 2
echo secret > "$T/pw"
url=spice://127.0.0.1:$port

"$KVMBOX" spice "$url" --password-file "$T/pw" --screenshot "$T/before.ppm" --after 4 ||
  fail "first screenshot failed"
"$KVMBOX" spice "$url" --password-file "$T/pw" --compression glz --type-after 1 \
  --type 'echo typed-$((6*7)) > /dev/ttyS0; echo SPICE KEYBOARD OK\n' \
  --screenshot "$T/after.ppm" --after 10 2> "$T/client.err" ||
  fail "typing client failed: $(cat "$T/client.err")"
screendump "$T/qemu.ppm"
grep -q typed-42 "$T/serial.log" || fail "the typed command did not run: $(tail -3 "$T/serial.log")"
pct=$(same_pct "$T/after.ppm" "$T/qemu.ppm")
changed=$(same_pct "$T/before.ppm" "$T/after.ppm")
echo "after typing: $pct % like QEMU's screendump; $changed % unchanged since before"
awk -v p="$pct" 'BEGIN { exit !(p >= 99) }' || fail "screenshot only $pct % like QEMU's"
awk -v p="$changed" 'BEGIN { exit !(p < 100) }' || fail "typing did not change the screen"
