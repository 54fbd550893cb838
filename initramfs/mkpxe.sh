#!/bin/bash
# Builds the network-boot tree a lab server serves over TFTP: pxelinux
# (BIOS PXE), an iPXE script (iPXE ROMs, UEFI HTTP boot through iPXE), the
# kernel and the initramfs, and an example dnsmasq configuration.
#   usage: initramfs/mkpxe.sh -o DIR --kernel FILE --initrd FILE
#            [--append "KERNEL OPTIONS"]
# Debian packages: pxelinux syslinux-common.
set -euo pipefail
OUT= KERNEL= INITRD= APPEND=
while [ $# -gt 0 ]; do
  case $1 in
    -o) OUT=$2 ;; --kernel) KERNEL=$2 ;; --initrd) INITRD=$2 ;;
    --append) APPEND=$2 ;;
    *) echo "mkpxe: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift 2
done
[ -n "$OUT" ] && [ -f "$KERNEL" ] && [ -f "$INITRD" ] ||
  { echo "usage: mkpxe.sh -o DIR --kernel FILE --initrd FILE [--append OPTS]" >&2; exit 2; }
APPEND=${APPEND:-quiet console=ttyS0,115200 console=tty0}

mkdir -p "$OUT/pxelinux.cfg"
cp /usr/lib/PXELINUX/pxelinux.0 /usr/lib/syslinux/modules/bios/ldlinux.c32 "$OUT/"
cp "$KERNEL" "$OUT/vmlinuz"
cp "$INITRD" "$OUT/initrd.img"
cat > "$OUT/pxelinux.cfg/default" <<CFG
SERIAL 0 115200
DEFAULT kvmbox
PROMPT 0
TIMEOUT 0
LABEL kvmbox
  KERNEL vmlinuz
  INITRD initrd.img
  APPEND $APPEND
CFG
cat > "$OUT/boot.ipxe" <<CFG
#!ipxe
kernel vmlinuz initrd=initrd.img $APPEND
initrd initrd.img
boot
CFG
cat > "$OUT/dnsmasq.conf.example" <<'CFG'
# kvmbox network boot with dnsmasq on the lab server (eth0, 10.0.0.1/24).
# Copy this folder to /srv/kvmbox-tftp, then: dnsmasq -C this-file
interface=eth0
dhcp-range=10.0.0.100,10.0.0.199,12h
enable-tftp
tftp-root=/srv/kvmbox-tftp
# iPXE clients get the script; plain BIOS PXE ROMs get pxelinux.
dhcp-match=set:ipxe,175
dhcp-boot=tag:ipxe,boot.ipxe
dhcp-boot=tag:!ipxe,pxelinux.0
# To offer a catalog server to every client, add to the kernel options in
# pxelinux.cfg/default and boot.ipxe:  kvmbox.server=http://10.0.0.1/kvmbox/
CFG
