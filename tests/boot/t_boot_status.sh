# kvmbox as /init of its own initramfs boots under QEMU, shows its status
# on the console and powers off (kvmbox.autotest).
# timeout: 240
. tests/lib.sh
. tests/boot/lib.sh

"$KVMBOX" mkinitramfs -o "$T/initramfs.cpio"
qemu_boot "$T/serial.log" 90 'reboot: Power down' \
  -kernel "$KERNEL" -initrd "$T/initramfs.cpio" \
  -append "console=ttyS0 panic=-1 quiet kvmbox.autotest" \
  || fail "no clean power-off"
grep -q 'kvmbox 0\.[0-9.]* - virtual appliance workstation' "$T/serial.log" || fail "no banner"
grep -qE '^  cpus +2 online' "$T/serial.log" || fail "status lacks the 2 CPUs"
grep -qE '^  memory +1\.9 GiB' "$T/serial.log" || fail "status lacks memory"
! grep -q 'Kernel panic' "$T/serial.log" || fail "kernel panic"
