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
sum() { sha256sum < "$1" | cut -d' ' -f1; }
cat > "$work/catalog.ini" <<CAT
# The demo catalog shipped on the kvmbox boot medium (files beside it).
[catalog]
title = kvmbox demo
refresh = 0

[appliance demo]
title = Demo appliance
description = A tiny Linux guest: prints a marker, checks its disk, powers off.
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
