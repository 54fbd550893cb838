# PID-1 duties: the menu is killed and init starts it again; orphans are
# reaped; power-off stops everything in order.
# timeout: 300
. tests/lib.sh
. tests/boot/lib.sh

build_initramfs "$T/initrd.img"
qemu_boot "$T/serial.log" 150 'reboot: Power down' \
  -kernel "$KERNEL" -initrd "$T/initrd.img" -nic none \
  -append "$TEST_APPEND kvmbox.test-hook=kill-menu kvmbox.net=off" \
  || fail "no clean power-off"
L=$T/serial.log
expect_log $L 'test-hook: killing the menu \(pid [0-9]+\)' "menu not killed"
expect_log $L '\(pid [0-9]+\) killed by signal 9 \(Killed\); starting it again' "death not logged"
[ "$(grep -cE 'kvmbox: started (menu|status console) \(pid' $L)" -ge 2 ] ||
  fail "menu not started again"
expect_log $L 'menu started 2 times, running: yes; zombies: 0.?$' "menu not running after restart"
expect_log $L 'power-off: stopping every process' "no orderly power-off"
! grep -q 'Kernel panic' $L || fail "kernel panic"
