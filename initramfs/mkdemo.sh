#!/bin/bash
# Builds the demo appliance and its catalog into OUT (a folder that goes on
# the boot medium as kvmbox/): a Debian kernel, a small guest initramfs
# (busybox, inside the guest only) whose /init prints a marker, checks its
# disk through virtio-blk and powers off, and that disk.
#   usage: initramfs/mkdemo.sh KVMBOX OUT [KERNEL]
# (About a second: nothing worth caching.)
set -euo pipefail
KVMBOX=$1 OUT=$2
KERNEL=${3:-${KVMBOX_KERNEL:-$(ls -1 /boot/vmlinuz-*-amd64 | sort -V | tail -1)}}
VER=${KERNEL##*/vmlinuz-}
MODDIR=/lib/modules/$VER
BUSYBOX=$(command -v busybox || echo /bin/busybox)
[ -f "$KERNEL" ] || { echo "mkdemo: no kernel $KERNEL" >&2; exit 1; }
[ -d "$MODDIR" ] || { echo "mkdemo: no $MODDIR" >&2; exit 1; }
[ -x "$BUSYBOX" ] || { echo "mkdemo: busybox-static is needed for the guest" >&2; exit 1; }
command -v python3 > /dev/null || { echo "mkdemo: python3 is needed to draw the icon" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/demo"
# The disk: 1 MiB the guest recognises by its SHA-256.
(yes "kvmbox demo disk" || true) | head -c 1048576 > "$work/demo/disk.img"
disk_sha=$(sha256sum < "$work/demo/disk.img" | cut -d' ' -f1)
cat > "$work/init" <<INIT
#!/bin/busybox sh
bb=/bin/busybox
\$bb mount -t proc proc /proc
\$bb mount -t sysfs sys /sys
\$bb mount -t devtmpfs dev /dev
echo "kvmbox-demo: guest /init running"
for m in virtio_pci virtio_mmio virtio_blk; do \$bb modprobe \$m 2>/dev/null; done
i=0
while [ ! -b /dev/vda ] && [ \$i -lt 50 ]; do \$bb usleep 100000; i=\$((i + 1)); done
sum=\$(\$bb sha256sum /dev/vda 2>/dev/null | \$bb cut -d' ' -f1)
if [ "\$sum" = "$disk_sha" ]; then
  echo "kvmbox-demo: disk check passed"
else
  echo "kvmbox-demo: disk check FAILED (\${sum:-no /dev/vda})"
fi
echo "kvmbox-demo: powering off"
\$bb sync
\$bb poweroff -f
INIT
chmod 755 "$work/init"
"$KVMBOX" mkinitramfs --bare -o "$work/demo/guest.img" --compress lz4 \
  --modules "$MODDIR" --module-list virtio_pci,virtio_mmio,virtio_blk \
  --add "$BUSYBOX:/bin/busybox" --add "$work/init:/init" 2>/dev/null
cp "$KERNEL" "$work/demo/vmlinuz"
# The tile's icon, 96x96 P6: a monitor with a shell prompt on a blue screen.
python3 - "$work/demo/icon.ppm" <<'ICON'
import sys
W = H = 96
def colour(x, y):
    if 12 <= x < 84 and 10 <= y < 66:  # the bezel and the screen
        if 17 <= x < 79 and 15 <= y < 61:
            if 22 <= y <= 36 and 0 <= x - 24 - (7 - abs(y - 29)) < 4:
                return (255, 255, 255)  # the prompt's ">"
            if 38 <= x < 52 and 33 <= y < 37:
                return (255, 200, 60)  # the cursor
            return (40, 90, 200)
        return (50, 50, 60)
    if 42 <= x < 54 and 66 <= y < 78:
        return (90, 90, 100)  # the neck
    if 28 <= x < 68 and 78 <= y < 84:
        return (70, 70, 80)  # the foot
    return (69, 85, 106)  # the square behind, as tiles without an icon have
with open(sys.argv[1], "wb") as f:
    f.write(b"P6\n%d %d\n255\n" % (W, H))
    f.write(bytes(c for y in range(H) for x in range(W) for c in colour(x, y)))
ICON
sum() { sha256sum < "$1" | cut -d' ' -f1; }
cat > "$work/catalog.ini" <<CAT
# The demo catalog shipped on the kvmbox boot medium (files beside it).
[catalog]
title = kvmbox demo
refresh = 0

[appliance demo]
title = Demo appliance
description = A tiny Linux guest: prints a marker, checks its disk, powers off.
icon = demo/icon.ppm
type = local
kernel = demo/vmlinuz
kernel_sha256 = $(sum "$work/demo/vmlinuz")
initrd = demo/guest.img
initrd_sha256 = $(sum "$work/demo/guest.img")
cmdline = console=ttyS0 panic=-1 quiet
disk = demo/disk.img sha256=$disk_sha ro
overlay = volatile
memory = 256M
cpus = 1
network = none
mode = foreground
access = everyone
allow_menu_return = yes
CAT
rm -f "$work/init"
mkdir -p "$OUT"
cp -r "$work/." "$OUT/"
