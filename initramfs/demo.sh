#!/bin/bash
# make demo: builds the boot image and boots it under QEMU, the way a lab PC
# boots it. With a display, QEMU opens a window; otherwise the serial
# console is this terminal. KVMBOX_DEMO_APPEND adds kernel options.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
KVMBOX=$BUILD/kvmbox
OUT=$BUILD/boot
mkdir -p "$OUT"
KERNEL=${KVMBOX_KERNEL:-$(ls -1 /boot/vmlinuz-*-amd64 | sort -V | tail -1)}
"$KVMBOX" mkinitramfs -o "$OUT/initramfs.cpio"
echo "demo: kernel $KERNEL, initramfs $(stat -c %s "$OUT/initramfs.cpio") bytes"

accel=tcg; cpu=qemu64,+svm,+npt
display=(-nographic)
if [ -n "${DISPLAY:-}" ] && [ -z "${CI:-}" ]; then display=(-serial stdio); fi
exec qemu-system-x86_64 -accel $accel -cpu $cpu -m 2048 -smp 2 -no-reboot \
  "${display[@]}" -kernel "$KERNEL" -initrd "$OUT/initramfs.cpio" \
  -append "console=ttyS0 panic=-1 quiet kvmbox.autotest ${KVMBOX_DEMO_APPEND:-}"
