# The whole chain from the hybrid ISO: isolinux → kvmbox init → network up
# (QEMU user net, DHCP) → menu → kvmbox.appliance=demo starts the demo
# appliance through `kvmbox vm run` (nested KVM) → the guest checks its disk
# and powers off → the menu is back → power-off from the menu.
# timeout: 900
. tests/lib.sh
. tests/boot/lib.sh
has_applet menu && has_applet vm || skip "this build has no menu or no vm applet"

build_iso "$T/kvmbox.iso" "$TEST_APPEND kvmbox.appliance=demo"
# Init's own line: the appliance's kernel prints "reboot: Power down" too.
qemu_boot "$T/serial.log" 420 'kvmbox: power-off: now' \
  -cdrom "$T/kvmbox.iso" -boot d -nic user,model=e1000 \
  || fail "no clean power-off"
L=$T/serial.log
expect_log $L 'ISOLINUX' "not booted by isolinux"
expect_log $L 'boot medium LABEL=KVMBOX mounted' "medium not mounted"
expect_log $L 'catalog /mnt/medium/kvmbox/catalog.ini' "catalog of the medium not used"
expect_log $L 'kvmbox: started network daemon' "no network daemon"
expect_log $L 'net: online .*10\.0\.2\.15' "network not online through DHCP"
expect_log $L 'kvmbox: started menu \(pid' "menu not started"
expect_log $L 'kvmbox-demo: guest /init running' "the guest did not start"
expect_log $L 'kvmbox-demo: disk check passed' "the guest's disk check failed"
expect_log $L 'power-off asked by pid' "power-off was not asked by the menu"
expect_log $L 'power-off: now' "no orderly power-off"
echo "menu started at $(log_time $L 'menu started') s after kernel start"
