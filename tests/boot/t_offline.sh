# Offline: the ISO booted without any network card reaches the menu and
# starts the appliance cached on the medium.
# timeout: 900
. tests/lib.sh
. tests/boot/lib.sh
has_applet menu && has_applet vm || skip "this build has no menu or no vm applet"

build_iso "$T/kvmbox.iso" "$TEST_APPEND kvmbox.appliance=demo"
# Init's own line: the appliance's kernel prints "reboot: Power down" too.
qemu_boot "$T/serial.log" 420 'kvmbox: power-off: now' \
  -cdrom "$T/kvmbox.iso" -boot d -nic none \
  || fail "no clean power-off"
L=$T/serial.log
expect_log $L 'boot medium LABEL=KVMBOX mounted' "medium not mounted"
expect_log $L 'kvmbox: started menu \(pid' "menu not started"
! grep -qE 'net: online' $L || fail "online without a network card?"
expect_log $L 'kvmbox-demo: disk check passed' "the cached appliance did not run"
expect_log $L 'power-off: now' "no orderly power-off"
