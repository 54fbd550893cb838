# Reboot as the menu asks for it (SIGTERM to PID 1): every process is asked
# to stop, the filesystems are synced and unmounted, and the kernel
# restarts the machine (QEMU runs with -no-reboot, so it exits).
# timeout: 300
. tests/lib.sh
. tests/boot/lib.sh

build_initramfs "$T/initrd.img"
qemu_boot "$T/serial.log" 150 'reboot: Restarting system' \
  -kernel "$KERNEL" -initrd "$T/initrd.img" -nic none \
  -append "$TEST_APPEND kvmbox.test-hook=reboot kvmbox.net=off" \
  || fail "no reboot"
L=$T/serial.log
expect_log $L 'kvmbox: started (menu|status console) \(pid' "menu not started"
expect_log $L 'test-hook: asking for a reboot' "hook did not run"
expect_log $L 'reboot asked by pid 1' "SIGTERM not taken as a reboot"
expect_log $L 'reboot: stopping every process' "no orderly reboot"
expect_log $L 'reboot: now' "filesystems not synced and unmounted"
! grep -q 'power-off: ' $L || fail "powered off instead of rebooting"
! grep -q 'Kernel panic' $L || fail "kernel panic"
echo "all good"
