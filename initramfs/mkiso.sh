#!/bin/bash
# Builds the hybrid boot ISO: the same file boots from a CD and, written
# with dd to a USB stick or a disk, from that disk; BIOS through isolinux,
# UEFI through GRUB. The medium carries the kernel, the initramfs and,
# under kvmbox/, a catalog with its images for offline use.
#   usage: initramfs/mkiso.sh -o OUT.iso --kernel FILE --initrd FILE
#            [--medium DIR] [--append "KERNEL OPTIONS"] [--label LABEL]
# Debian packages: isolinux syslinux-common xorriso grub-efi-amd64-bin mtools
# dosfstools.
set -euo pipefail
OUT= KERNEL= INITRD= MEDIUM= LABEL=KVMBOX APPEND=
while [ $# -gt 0 ]; do
  case $1 in
    -o) OUT=$2 ;; --kernel) KERNEL=$2 ;; --initrd) INITRD=$2 ;;
    --medium) MEDIUM=$2 ;; --label) LABEL=$2 ;; --append) APPEND=$2 ;;
    *) echo "mkiso: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift 2
done
[ -n "$OUT" ] && [ -f "$KERNEL" ] && [ -f "$INITRD" ] ||
  { echo "usage: mkiso.sh -o OUT --kernel FILE --initrd FILE [--medium DIR] [--append OPTS]" >&2; exit 2; }
# The menu on the screen; kernel messages on the screen and the serial port.
APPEND=${APPEND:-quiet console=ttyS0,115200 console=tty0}
APPEND="$APPEND kvmbox.medium=LABEL=$LABEL"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root/boot/grub" "$root/isolinux" "$root/EFI/boot"
cp "$KERNEL" "$root/boot/vmlinuz"
cp "$INITRD" "$root/boot/initrd.img"
[ -z "$MEDIUM" ] || cp -r "$MEDIUM" "$root/kvmbox"

# BIOS: isolinux, straight to the kernel, its output on the serial port too.
cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 \
   "$root/isolinux/"
cat > "$root/isolinux/isolinux.cfg" <<CFG
SERIAL 0 115200
DEFAULT kvmbox
PROMPT 0
TIMEOUT 0
LABEL kvmbox
  KERNEL /boot/vmlinuz
  INITRD /boot/initrd.img
  APPEND $APPEND
CFG

# UEFI: a GRUB image holding its own configuration, which finds the medium
# by its label (CD, USB stick or disk alike).
cat > "$work/grub-embedded.cfg" <<CFG
search --no-floppy --set=root --label $LABEL
configfile (\$root)/boot/grub/grub.cfg
CFG
cat > "$root/boot/grub/grub.cfg" <<CFG
serial --unit=0 --speed=115200
terminal_input console serial
terminal_output console serial
set timeout=0
menuentry "kvmbox" {
  linux /boot/vmlinuz $APPEND
  initrd /boot/initrd.img
}
CFG
grub-mkstandalone -O x86_64-efi -o "$root/EFI/boot/bootx64.efi" \
  --install-modules="linux normal configfile search search_label iso9660 part_msdos part_gpt fat serial terminal efi_gop efi_uga" \
  --locales= --fonts= --themes= \
  "boot/grub/grub.cfg=$work/grub-embedded.cfg"
# The El Torito UEFI image: a small FAT holding the same loader.
efi_kib=$(( $(stat -c %s "$root/EFI/boot/bootx64.efi") / 1024 + 256 ))
mkfs.vfat -C -n KVMBOXEFI "$root/boot/efi.img" "$efi_kib" > /dev/null
mmd -i "$root/boot/efi.img" ::/EFI ::/EFI/boot
mcopy -i "$root/boot/efi.img" "$root/EFI/boot/bootx64.efi" ::/EFI/boot/

xorriso -as mkisofs -quiet -o "$OUT.tmp" -V "$LABEL" -iso-level 3 -R -J \
  -isohybrid-mbr /usr/lib/ISOLINUX/isohdpfx.bin \
  -b isolinux/isolinux.bin -c isolinux/boot.cat \
  -no-emul-boot -boot-load-size 4 -boot-info-table \
  -eltorito-alt-boot -e boot/efi.img -no-emul-boot -isohybrid-gpt-basdat \
  "$root"
mv "$OUT.tmp" "$OUT"
