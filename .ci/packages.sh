#!/bin/bash
# Installs the Debian packages the build, the tests and the demo need, and a
# deb-src entry so the static dependencies can be built from Debian sources.
# Idempotent: does nothing when everything is already there.
set -euo pipefail

PKGS=(
  # build: musl toolchain and what the static deps' builds need
  build-essential musl-tools gperf bison flex pkg-config autoconf automake
  libtool dpkg-dev linux-libc-dev libspice-protocol-dev file
  # sanitizer builds of the tests (glibc flavour) and fuzzing
  clang libclang-rt-14-dev llvm libseccomp-dev libnl-3-dev libnl-route-3-dev
  liblz4-dev
  # boot media and test guests
  linux-image-amd64 busybox-static isolinux syslinux-common syslinux-utils
  pxelinux xorriso grub-efi-amd64-bin grub-pc-bin mtools dosfstools e2fsprogs
  cpio xz-utils ovmf
  # test peers
  qemu-system-x86 qemu-utils dnsmasq udpcast iproute2 nftables lz4 nginx
  socat curl python3
  lighttpd             # a second real HTTP origin for the image fetch tests
  console-setup-linux  # console fonts: the embedded bitmap font (core/font.mk)
  libdrm-dev           # DRM/KMS UAPI headers only (drm.h, drm_mode.h), no library
  libpixman-1-dev      # benchmark peer of the screen blits (bench/bench_display.sh)
)

SRC_LIST=/etc/apt/sources.list.d/kvmbox-deb-src.sources

need_src=1
if grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ || \
   grep -qs '^deb-src' /etc/apt/sources.list; then
  need_src=0
fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' \
    || missing+=("$p")
done

if [ "$need_src" = 0 ] && [ ${#missing[@]} = 0 ]; then
  exit 0
fi

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
if [ "$need_src" = 1 ]; then
  $SUDO tee "$SRC_LIST" >/dev/null <<'X'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
X
fi
export DEBIAN_FRONTEND=noninteractive
# Another set-up on the same machine (a second checkout) waits its turn.
APT_WAIT=(-o DPkg::Lock::Timeout=900)
$SUDO apt-get "${APT_WAIT[@]}" update -q
if [ ${#missing[@]} != 0 ]; then
  echo "installing: ${missing[*]}"
  $SUDO apt-get "${APT_WAIT[@]}" install -y -q --no-install-recommends "${missing[@]}"
fi
