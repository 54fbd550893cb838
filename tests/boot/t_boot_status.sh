# kvmbox as /init of its own initramfs boots under QEMU, shows its status
# on the console, reaps orphans, and powers off (kvmbox.autotest).
# timeout: 300
. tests/lib.sh
. tests/boot/lib.sh

"$KVMBOX" mkinitramfs -o "$T/initramfs.cpio" --modules "$KMODS" 2> /dev/null
# A cache partition found by its label on a virtio disk (a hot-plugged
# driver: virtio_blk loads from the uevent once virtio_pci has probed).
truncate -s 32M "$T/cache.img"
mke2fs -q -F -t ext4 -L KVMCACHE "$T/cache.img" || fail "mke2fs"
qemu_boot "$T/serial.log" 150 'reboot: Power down' \
  -kernel "$KERNEL" -initrd "$T/initramfs.cpio" \
  -drive "file=$T/cache.img,format=raw,if=virtio" \
  -append "$TEST_APPEND kvmbox.test-hook=orphans kvmbox.net=off kvmbox.bogus=1 kvmbox.cache=LABEL=KVMCACHE" \
  || fail "no clean power-off"
L=$T/serial.log
expect_log $L 'kvmbox 0\.[0-9.]* - virtual appliance workstation' "no banner"
expect_log $L '^  cpus +2 online' "status lacks the 2 CPUs"
expect_log $L '^  memory +1\.9 GiB' "status lacks memory"
expect_log $L "ignoring 'kvmbox.bogus=1': unknown kvmbox option" "unknown option not reported"
expect_log $L 'cache LABEL=KVMCACHE mounted on /mnt/cache' "cache partition not mounted"
expect_log $L 'boot.conf: catalog /usr/share/kvmbox/catalog.ini, cache /mnt/cache, appliance .., net off.?$' "boot.conf summary"
expect_log $L 'kvm_(amd|intel) loaded' "KVM module not loaded"
expect_log $L 'loaded e1000' "NIC driver not coldplugged"
expect_log $L 'test-hook: making 5 orphans' "orphans hook did not run"
expect_log $L 'zombies: 0.?$' "zombies left behind"
expect_log $L 'power-off: now' "no orderly power-off"
! grep -q 'Kernel panic' $L || fail "kernel panic"
echo "init at $(log_time $L 'kvmbox: init '), menu at $(log_time $L 'menu started')"
