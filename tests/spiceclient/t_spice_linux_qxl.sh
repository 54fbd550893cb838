#!/bin/bash
# timeout: 240
# A Linux guest driving the QXL device itself (Debian's qxl DRM driver and
# fbcon under TCG): the server then sends the driver's own surfaces and
# draw commands, not VGA text. kvmbox spice must render the driver's
# 1024x768-class screen like QEMU's screendump (>= 99 %), and typing still
# reaches the shell.
. tests/lib.sh
. tests/spiceclient/lib.sh

kernel=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1)
[ -n "$kernel" ] && [ -r "$kernel" ] || skip "no kernel in /boot"
kver=${kernel#/boot/vmlinuz-}
mods=/lib/modules/$kver/kernel/drivers/gpu/drm
[ -f "$mods/qxl/qxl.ko" ] || skip "no qxl module for $kver"
[ -x /bin/busybox ] || skip "no busybox"
command -v cpio >/dev/null || skip "no cpio"

mkdir -p "$T/root/bin" "$T/root/dev" "$T/root/proc" "$T/root/sys" "$T/root/mod"
cp /bin/busybox "$T/root/bin/busybox"
for a in sh mount echo sleep setsid insmod ls; do ln -s busybox "$T/root/bin/$a"; done
for m in drm.ko ttm/ttm.ko drm_kms_helper.ko drm_ttm_helper.ko qxl/qxl.ko; do
  [ -f "$mods/$m" ] || skip "no $m"
  cp "$mods/$m" "$T/root/mod/"
done
cat > "$T/root/init" <<'INIT'
#!/bin/sh
mount -t devtmpfs dev /dev
mount -t proc proc /proc
mount -t sysfs sys /sys
for m in drm ttm drm_kms_helper drm_ttm_helper qxl; do insmod /mod/$m.ko; done
sleep 1
[ -e /sys/class/drm/card0 ] && echo qxl-ready > /dev/ttyS0
export PS1='qxl# '
while true; do setsid sh -c 'exec sh -i </dev/tty1 >/dev/tty1 2>&1'; done
INIT
chmod +x "$T/root/init"
boot_guest "$kernel" qxl-ready 160 # the qxl driver is up
sleep 3
echo secret > "$T/pw"
"$KVMBOX" spice "spice://127.0.0.1:$port" --password-file "$T/pw" --compression lz4 \
  --type-after 1 --type 'echo qxl-typed > /dev/ttyS0; echo HELLO FROM SPICE\n' \
  --screenshot "$T/ours.ppm" --after 12 2> "$T/client.err" ||
  fail "client failed: $(cat "$T/client.err")"
screendump "$T/qemu.ppm"
grep -q qxl-typed "$T/serial.log" || fail "typing did not reach the shell"
read -r pct size < <(python3 "$HERE/ppmcmp.py" "$T/ours.ppm" "$T/qemu.ppm")
echo "qxl driver screen $size: $pct % identical pixels"
[ "$size" != 720x400 ] || fail "still the VGA text screen, not the driver's"
awk -v p="$pct" 'BEGIN { exit !(p >= 99) }' || fail "screenshot only $pct % like QEMU's"
