# Builds the images of the nested VMM tests (sourced after tests/lib.sh and
# tests/boot/lib.sh). L1 is Debian's kernel under QEMU TCG with AMD-V
# emulated; its /init (a busybox script, test-only) loads kvm-amd and runs
# `kvmbox vm run` on Debian's kernel again (L2) with a busybox initramfs.
# Slow parts (vmlinux extraction, the base archive) are cached under
# ~/.cache/kvmbox/kvm-KEY, keyed by the kernel, busybox and this script.
UDP=$BUILD/kvm-tests/udp
[ -x "$UDP" ] || skip "udp test tool not built"
command -v cpio >/dev/null || skip "cpio missing"
BUSYBOX=$(command -v busybox) || skip "busybox-static missing"
file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' || skip "busybox is not static"
KVER=$(basename "$KERNEL" | sed 's/^vmlinuz-//')
MODS=/lib/modules/$KVER/kernel
[ -f "$MODS/arch/x86/kvm/kvm-amd.ko" ] || skip "no kvm-amd.ko for $KVER"

VIRTIO_BLK_MODULES="drivers/virtio/virtio.ko drivers/virtio/virtio_ring.ko
  drivers/virtio/virtio_pci_modern_dev.ko drivers/virtio/virtio_pci_legacy_dev.ko
  drivers/virtio/virtio_pci.ko drivers/block/virtio_blk.ko"
L2_MODULES="$VIRTIO_BLK_MODULES net/core/failover.ko
  drivers/net/net_failover.ko drivers/net/virtio_net.ko
  drivers/char/hw_random/virtio-rng.ko drivers/misc/pvpanic/pvpanic.ko
  drivers/misc/pvpanic/pvpanic-mmio.ko"
L1_MODULES="virt/lib/irqbypass.ko drivers/crypto/ccp/ccp.ko arch/x86/kvm/kvm.ko
  arch/x86/kvm/kvm-amd.ko drivers/net/tun.ko"

# busybox_tree DIR MODULE...: DIR with busybox, the mount points and the
# given modules (paths below $MODS) in /lib/modules.
busybox_tree() {
  local d=$1 m; shift
  mkdir -p "$d/bin" "$d/lib/modules" "$d/proc" "$d/sys" "$d/dev" "$d/tmp"
  cp "$BUSYBOX" "$d/bin/busybox"
  for m in "$@"; do cp "$MODS/$m" "$d/lib/modules/"; done
}

# make_cpio DIR OUT: a newc archive of DIR (uncompressed: the kernel takes it as is).
make_cpio() { (cd "$1" && find . | sort | cpio -o -H newc --quiet) > "$2"; }

# vmlinux from the bzImage: the payload is one XZ stream after the setup code.
extract_vmlinux() {
  local off
  off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$1" | head -1 | cut -d: -f1)
  [ -n "$off" ] || return 1
  tail -c +$((off + 1)) "$1" | xz -dc --single-stream > "$2" 2>/dev/null
  head -c 4 "$2" | grep -q ELF
}

l2_init() {
  cat <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
echo "L2-INIT-REACHED cpus=$(grep -c ^processor /proc/cpuinfo)"
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci \
         virtio_blk failover net_failover virtio_net virtio-rng; do
  insmod /lib/modules/$m.ko 2>/dev/null
done
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -b /dev/vdb ] && break; sleep 0.2; done
echo "L2-VDA-SHA $(sha256sum /dev/vda | cut -d' ' -f1)"
echo "L2-VDA-RO $(cat /sys/block/vda/ro)"
printf 'written-by-l2-guest' | dd of=/dev/vdb bs=512 conv=sync,fsync 2>/dev/null && echo L2-VDB-WRITTEN
dd if=/dev/zero of=/dev/vda bs=512 count=1 2>/dev/null || echo L2-VDA-WRITE-REFUSED
echo "L2-RNG $(cat /sys/class/misc/hw_random/rng_current 2>/dev/null)"
ip link set eth0 up && ip addr add 10.211.0.2/24 dev eth0
/bin/udp send 10.211.0.1 5555 hello-from-l2
echo L2-DONE
# The panic run: the guest's pvpanic driver (ACPI QEMU0001) tells the VMM.
if grep -q kvmbox.test_panic /proc/cmdline; then
  insmod /lib/modules/pvpanic.ko; insmod /lib/modules/pvpanic-mmio.ko
  echo c > /proc/sysrq-trigger
fi
poweroff -f
INIT
}

l1_init() {
  cat <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in irqbypass ccp kvm kvm-amd tun; do insmod /lib/modules/$m.ko || echo "L1-INSMOD-FAIL $m"; done
[ -c /dev/kvm ] && echo L1-KVM-READY
mkdir -p /dev/net; [ -c /dev/net/tun ] || mknod /dev/net/tun c 10 200
echo "L1-VDA-SHA $(sha256sum /k/vda.img | cut -d' ' -f1)"
# vm NAME ARGS...: one L2 run, with the tap configured once kvmbox made it
vm() {
  local name=$1; shift
  dd if=/dev/zero of=/k/vdb.img bs=1M count=1 2>/dev/null
  /bin/udp recv 5555 120 > /tmp/udp.$name &
  (for _ in $(seq 200); do ip link show kt0 >/dev/null 2>&1 && break; sleep 0.05; done
   ip link set kt0 up; ip addr add 10.211.0.1/24 dev kt0) &
  local t0=$(cut -d' ' -f1 /proc/uptime)
  /bin/kvmbox vm run --mem 256 --disk /k/vda.img,ro --disk /k/vdb.img \
    --net tap=kt0 --cmdline "console=ttyS0 quiet panic=-1" "$@"
  local rc=$?
  wait
  echo "L1-RUN $name exit=$rc seconds=$(awk -v a=$t0 -v b=$(cut -d' ' -f1 /proc/uptime) 'BEGIN{print b-a}')"
  echo "L1-VDB $name $(head -c 19 /k/vdb.img)"
  echo "L1-UDP $name $(cat /tmp/udp.$name)"
}
for run in $(cat /k/runs); do
  case $run in
    bzimage) vm bzimage --kernel /k/vmlinuz --initrd /k/l2.cpio ;;
    smp) vm smp --kernel /k/vmlinuz --initrd /k/l2.cpio --cpus 2 ;;
    pvh) vm pvh --kernel /k/vmlinux --initrd /k/l2.cpio ;;
    panic) vm panic --kernel /k/vmlinuz --initrd /k/l2.cpio \
             --cmdline "console=ttyS0 quiet panic=-1 kvmbox.test_panic" ;;
    debug) vm debug --kernel /k/vmlinuz --initrd /k/l2.cpio \
             --cmdline "console=ttyS0 earlyprintk=serial,ttyS0,115200 loglevel=8 panic=-1" ;;
  esac
done
echo L1-ALL-DONE
poweroff -f
INIT
}

# nested_images DIR RUNS: fills DIR with l1.cpio for the given L2 runs.
nested_images() {
  local dir=$1 runs=$2 key cache
  key=$( { stat -c '%n %s %Y' "$KERNEL" "$BUSYBOX"; cat tests/kvm/nested.sh; } | sha256sum | cut -c1-16)
  cache=$HOME/.cache/kvmbox/kvm-nested-$key
  if [ ! -f "$cache/base.cpio" ]; then
    rm -rf "$cache.tmp"; mkdir -p "$cache.tmp/root"
    local r=$cache.tmp/root l2=$cache.tmp/l2
    busybox_tree "$r" $L1_MODULES; mkdir -p "$r/k"
    busybox_tree "$l2" $L2_MODULES
    cp "$UDP" "$l2/bin/udp"
    l2_init > "$l2/init"; chmod +x "$l2/init"
    make_cpio "$l2" "$r/k/l2.cpio"
    cp "$KERNEL" "$r/k/vmlinuz"
    extract_vmlinux "$KERNEL" "$r/k/vmlinux" || return 1
    head -c $((4 << 20)) /dev/urandom > "$r/k/vda.img"
    make_cpio "$r" "$cache.tmp/base.cpio"
    rm -rf "$r" "$l2"
    rm -rf "$cache"; mv "$cache.tmp" "$cache"
  fi
  mkdir -p "$dir/run/bin" "$dir/run/k"
  cp "$KVMBOX" "$dir/run/bin/kvmbox"; cp "$UDP" "$dir/run/bin/udp"
  l1_init > "$dir/run/init"; chmod +x "$dir/run/init"
  echo "$runs" > "$dir/run/k/runs"
  make_cpio "$dir/run" "$dir/run.cpio"
  cat "$cache/base.cpio" "$dir/run.cpio" > "$dir/l1.cpio"
}
