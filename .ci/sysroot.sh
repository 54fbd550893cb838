#!/bin/bash
# Builds the static musl sysroot of kvmbox's three libraries (lz4, libseccomp,
# libnl-3 + libnl-route-3) from Debian's source packages, and the header
# folder that lets musl-gcc see the kernel UAPI and SPICE protocol headers
# without glibc's.
#
# usage: .ci/sysroot.sh OUT
# The result is cached under ${KVMBOX_CACHE:-~/.cache/kvmbox}, keyed by the
# source package versions, musl's version and this script, and copied to OUT.
set -euo pipefail

OUT=$1
CACHE=${KVMBOX_CACHE:-$HOME/.cache/kvmbox}
PKGS="lz4 libseccomp libnl3"

srcver() { apt-cache showsrc "$1" | awk '/^Version:/ {print $2; exit}'; }
key_text=$( { for p in $PKGS; do echo "$p $(srcver "$p")"; done
              dpkg-query -W -f='${Version}\n' musl-tools
              sed -n '/^build() {/,/^}/p' "$0"; } ) # only what shapes the libraries
key=$(printf '%s' "$key_text" | sha256sum | cut -c1-16)
CACHED=$CACHE/sysroot-$key

build() {
  local dst=$1 work
  work=$(mktemp -d "${TMPDIR:-/tmp}/kvmbox-sysroot.XXXXXX")
  trap "rm -rf $work" EXIT
  mkdir -p "$dst/include" "$dst/lib" "$work/uapi"
  # musl-gcc must not see /usr/include (glibc); give it the UAPI alone.
  ln -s /usr/include/linux "$work/uapi/linux"
  ln -s /usr/include/asm-generic "$work/uapi/asm-generic"
  ln -s /usr/include/x86_64-linux-gnu/asm "$work/uapi/asm"
  # -idirafter: a package's own copies of kernel headers (libnl3 has some)
  # must win over the system's newer ones.
  local cc="musl-gcc -idirafter $work/uapi"
  (cd "$work" && apt-get source -q $PKGS >/dev/null 2>&1 || apt-get source $PKGS)

  echo "sysroot: lz4"
  (cd "$work"/lz4-*/ &&
   make -s -C lib liblz4.a CC="$cc" CFLAGS="-O2 -fPIC" &&
   make -s -C lib install PREFIX="$dst" BUILD_SHARED=no >/dev/null)

  echo "sysroot: libseccomp"
  (cd "$work"/libseccomp-*/ &&
   ./configure -q --prefix="$dst" --enable-static --disable-shared CC="$cc" &&
   make -s -j"$(nproc)" >/dev/null && make -s install >/dev/null)

  echo "sysroot: libnl3"
  (cd "$work"/libnl3-*/ && autoreconf -fi >/dev/null 2>&1 &&
   ./configure -q --prefix="$dst" --enable-static --disable-shared \
     --disable-cli --disable-debug CC="$cc" &&
   make -s -j"$(nproc)" >/dev/null 2>&1 && make -s install >/dev/null)

  rm -rf "$dst/share" "$dst/bin" "$dst/sbin" "$dst/etc"
  printf '%s\n' "$key_text" | head -4 > "$dst/VERSIONS"
}

# Two checkouts setting up at once: the second waits and then copies.
mkdir -p "$CACHE"
exec 9> "$CACHE/.lock"
flock 9
if [ ! -f "$CACHED/VERSIONS" ]; then
  rm -rf "$CACHED.tmp"
  build "$CACHED.tmp"
  rm -rf "$CACHED"
  mv "$CACHED.tmp" "$CACHED"
fi
flock -u 9

rm -rf "$OUT"
mkdir -p "$(dirname "$OUT")"
cp -a "$CACHED" "$OUT"
# Header-only inputs, never copied: the kernel UAPI and SPICE protocol.
mkdir -p "$OUT/uapi"
ln -sfn /usr/include/linux "$OUT/uapi/linux"
ln -sfn /usr/include/asm-generic "$OUT/uapi/asm-generic"
ln -sfn /usr/include/x86_64-linux-gnu/asm "$OUT/uapi/asm"
ln -sfn /usr/include/spice-1/spice "$OUT/uapi/spice"
ln -sfn /usr/include/video "$OUT/uapi/video"   # asm/bootparam.h needs video/edid.h
echo "sysroot: $OUT ($(head -3 "$OUT/VERSIONS" | tr '\n' ' '))"
