#!/bin/bash
# make demo: builds the boot image, the demo appliance and the hybrid ISO,
# then boots the ISO under QEMU the way a lab PC boots it: in a window when
# a display is available (the menu on the screen), else on this terminal
# (the menu on the serial console). Choose "Demo appliance" and press Enter:
# it boots, checks its disk, powers off, and the menu comes back.
# KVMBOX_DEMO_APPEND adds kernel options (e.g. kvmbox.appliance=demo).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
KVMBOX=$BUILD/kvmbox
OUT=$BUILD/boot
KERNEL=${KVMBOX_KERNEL:-$(ls -1 /boot/vmlinuz-*-amd64 | sort -V | tail -1)}
mkdir -p "$OUT"

windowed=0
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${CI:-}" ]; then windowed=1; fi
if [ $windowed = 1 ]; then
  console="console=ttyS0,115200 console=tty0"   # menu on the screen
  display=(-serial stdio -vga std)
else
  console="console=tty0 console=ttyS0,115200"   # menu on this terminal
  display=(-nographic)
fi
# Nobody at the keyboard (a script, CI): start the demo appliance from the
# menu by itself and power off when it is done.
if [ ! -t 0 ]; then
  KVMBOX_DEMO_APPEND="kvmbox.appliance=demo kvmbox.autotest ${KVMBOX_DEMO_APPEND:-}"
fi
"$KVMBOX" mkinitramfs -o "$OUT/initramfs.img" --compress lz4
bash initramfs/mkdemo.sh "$KVMBOX" "$OUT/medium" "$KERNEL"
bash initramfs/mkiso.sh -o "$OUT/kvmbox-demo.iso" --kernel "$KERNEL" \
  --initrd "$OUT/initramfs.img" --medium "$OUT/medium" \
  --append "quiet $console ${KVMBOX_DEMO_APPEND:-}"
echo "demo: $OUT/kvmbox-demo.iso ($(stat -c %s "$OUT/kvmbox-demo.iso") bytes)," \
     "initramfs $(stat -c %s "$OUT/initramfs.img") bytes"
[ $windowed = 1 ] || echo "demo: serial console; quit QEMU with Ctrl-A X"

# TCG with an emulated AMD-V CPU: kvmbox loads kvm-amd and runs the demo
# appliance in its own VMM inside (see README, Testing).
exec qemu-system-x86_64 -accel tcg -cpu qemu64,+svm,+npt -m 2048 -smp 2 \
  -no-reboot "${display[@]}" -cdrom "$OUT/kvmbox-demo.iso" -boot d \
  -nic user,model=e1000
