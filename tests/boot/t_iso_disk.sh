# Disk and UEFI boot of the hybrid ISO: the same file written to a (virtual)
# hard disk boots with the BIOS (isolinux through the isohybrid MBR) and
# finds its medium by label on the disk; booted as a CD with UEFI firmware
# (OVMF) it starts through GRUB EFI.
# timeout: 900
. tests/lib.sh
. tests/boot/lib.sh

build_iso "$T/kvmbox.iso" "$TEST_APPEND kvmbox.test-hook=orphans kvmbox.net=off"
cp "$T/kvmbox.iso" "$T/disk.img" # as dd would write it to a stick or disk
qemu_boot "$T/disk.log" 280 'reboot: Power down' -nic none \
  -drive "file=$T/disk.img,format=raw,if=ide" -boot c \
  || fail "the ISO written to a disk did not boot to a clean power-off"
expect_log "$T/disk.log" 'ISOLINUX|SYSLINUX' "no isolinux from the disk"
expect_log "$T/disk.log" 'boot medium LABEL=KVMBOX mounted' "medium not found on the disk"
expect_log "$T/disk.log" 'catalog /mnt/medium/kvmbox/catalog.ini' "catalog of the medium not used"

OVMF=$(ls /usr/share/ovmf/OVMF.fd /usr/share/qemu/OVMF.fd 2>/dev/null | head -1)
[ -n "$OVMF" ] || { echo "no OVMF firmware (Debian package ovmf): UEFI part skipped"; exit 0; }
qemu_boot "$T/uefi.log" 400 'reboot: Power down' -nic none -bios "$OVMF" \
  -cdrom "$T/kvmbox.iso" -boot d \
  || fail "UEFI boot of the ISO did not reach a clean power-off"
expect_log "$T/uefi.log" 'EFI stub|efi: EFI v' "not a UEFI boot"
expect_log "$T/uefi.log" 'boot medium LABEL=KVMBOX mounted' "medium not found (UEFI)"
