# PXE boot: QEMU's built-in BOOTP/TFTP hands out pxelinux.0 from the tree
# `initramfs/mkpxe.sh` builds; pxelinux loads kvmbox's kernel and initramfs
# over TFTP; init brings up the network and reaches the menu.
# timeout: 600
. tests/lib.sh
. tests/boot/lib.sh

build_initramfs "$T/initrd.img"
bash initramfs/mkpxe.sh -o "$T/tftp" --kernel "$KERNEL" --initrd "$T/initrd.img" \
  --append "$TEST_APPEND kvmbox.test-hook=orphans" > "$T/mkpxe.log" 2>&1 ||
  fail "mkpxe: $(tail -3 "$T/mkpxe.log")"
for f in pxelinux.0 ldlinux.c32 pxelinux.cfg/default boot.ipxe vmlinuz initrd.img dnsmasq.conf.example; do
  [ -s "$T/tftp/$f" ] || fail "tftp tree lacks $f"
done
qemu_boot "$T/serial.log" 280 'reboot: Power down' -boot n \
  -netdev "user,id=n0,tftp=$T/tftp,bootfile=pxelinux.0" -device e1000,netdev=n0 \
  || fail "PXE boot did not reach a clean power-off"
L=$T/serial.log
expect_log $L 'PXELINUX' "pxelinux did not run"
expect_log $L 'kvmbox: init ' "init did not start"
expect_log $L 'kvmbox: started (menu|status console) \(pid' "menu not started"
if has_applet net; then
  expect_log $L 'kvmbox: started network daemon' "network daemon not started"
fi
expect_log $L 'power-off: now' "no orderly power-off"
echo "menu at $(log_time $L 'menu started') s"
