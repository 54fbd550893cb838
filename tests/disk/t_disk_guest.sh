# Overlays seen by a real Linux guest, nested: QEMU TCG (AMD-V emulated)
# boots L1, whose kvmbox runs Debian's kernel (L2) four times on the same
# compressed image: twice with overlay=volatile, twice with a persistent
# overlay. Each L2 prints what it finds at 1 MiB on /dev/vda, writes its
# own run name there (fsync) and powers off. Volatile runs must find the
# pristine image every time; the second persistent run must find what the
# first one wrote. The image file itself never changes.
# timeout: 900
. tests/lib.sh
[ "${QUICK:-0}" = 1 ] && skip "QUICK=1 skips the nested boot tests"
. tests/boot/lib.sh
. tests/kvm/nested.sh # prerequisites, module lists, busybox_tree, make_cpio

busybox_tree "$T/l1" $L1_MODULES; mkdir -p "$T/l1/k" "$T/l1/run"
busybox_tree "$T/l2" $VIRTIO_BLK_MODULES
cp "$KVMBOX" "$T/l1/bin/kvmbox"; cp "$KERNEL" "$T/l1/k/vmlinuz"

cat > "$T/l2/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk; do
  insmod /lib/modules/$m.ko 2>/dev/null
done
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -b /dev/vda ] && break; sleep 0.2; done
run=$(sed -n 's/.*kvmbox_run=\([a-z0-9]*\).*/\1/p' /proc/cmdline)
echo "L2-FOUND $run $(dd if=/dev/vda bs=512 skip=2048 count=1 2>/dev/null | head -c 20)"
printf 'written-by-%s' "$run" | dd of=/dev/vda bs=512 seek=2048 conv=sync,fsync 2>/dev/null &&
  echo "L2-WROTE $run"
poweroff -f
INIT
chmod +x "$T/l2/init"
make_cpio "$T/l2" "$T/l1/k/l2.cpio"

cat > "$T/l1/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
mount -t tmpfs run /run
for m in irqbypass ccp kvm kvm-amd; do insmod /lib/modules/$m.ko || echo "L1-INSMOD-FAIL $m"; done
[ -c /dev/kvm ] && echo L1-KVM-READY
echo "L1-IMG-SHA-BEFORE $(sha256sum /k/disk.img | cut -d' ' -f1)"
vm() {
  local name=$1; shift
  /bin/kvmbox vm run --mem 256 --kernel /k/vmlinuz --initrd /k/l2.cpio --net none \
    --cmdline "console=ttyS0 quiet panic=-1 kvmbox_run=$name" --disk "$@" < /dev/null
  echo "L1-RUN $name exit=$?"
}
vm vola /k/disk.img,overlay=volatile
vm volb /k/disk.img,overlay=volatile
vm pera /k/disk.img,overlay=/k/lab-0.overlay
vm perb /k/disk.img,overlay=/k/lab-0.overlay
echo "L1-IMG-SHA-AFTER $(sha256sum /k/disk.img | cut -d' ' -f1)"
/bin/kvmbox disk info /k/lab-0.overlay | sed 's/^/L1-INFO /'
echo "L1-LEFT-IN-RUN $(ls /run | wc -l)"
echo L1-ALL-DONE
poweroff -f
INIT
chmod +x "$T/l1/init"

# The appliance disk: 8 MiB, "pristine-image" at 1 MiB, packed.
{ head -c $((1 << 20)) /dev/urandom; printf 'pristine-image'
  head -c $(((7 << 20) - 14)) /dev/urandom; } > "$T/disk.raw"
"$KVMBOX" disk pack "$T/disk.raw" "$T/l1/k/disk.img" > /dev/null || fail "pack failed"
make_cpio "$T/l1" "$T/l1.cpio"

qemu_boot "$T/serial.log" 420 'L1-ALL-DONE' \
  -kernel "$KERNEL" -initrd "$T/l1.cpio" \
  -append "console=ttyS0 panic=-1 quiet rdinit=/init" || fail "L1 did not finish"
tr -d '\r' < "$T/serial.log" > "$T/log"; log=$T/log
grep -aq '^L1-KVM-READY' "$log" || fail "no /dev/kvm in L1: $(grep -a L1-INSMOD "$log")"
for run in vola volb pera perb; do
  grep -aq "^L1-RUN $run exit=0" "$log" || fail "$run: $(grep -a "L1-RUN $run" "$log" || echo 'did not run')"
  grep -aq "^L2-WROTE $run" "$log" || fail "$run: the guest could not write"
done
grep -aq '^L2-FOUND vola pristine-image' "$log" || fail "vola: $(grep -a 'L2-FOUND vola' "$log")"
grep -aq '^L2-FOUND volb pristine-image' "$log" || fail "volatile write survived: $(grep -a 'L2-FOUND volb' "$log")"
grep -aq '^L2-FOUND pera pristine-image' "$log" || fail "pera: $(grep -a 'L2-FOUND pera' "$log")"
grep -aq '^L2-FOUND perb written-by-pera' "$log" || fail "persistent write lost: $(grep -a 'L2-FOUND perb' "$log")"
before=$(sed -n 's/^L1-IMG-SHA-BEFORE //p' "$log")
[ -n "$before" ] && [ "$before" = "$(sed -n 's/^L1-IMG-SHA-AFTER //p' "$log")" ] ||
  fail "the image file changed"
grep -aq '^L1-INFO .*base: *disk.img' "$log" || fail "overlay info: $(grep -a L1-INFO "$log")"
grep -aq '^L1-LEFT-IN-RUN 0' "$log" || fail "a volatile overlay left a file in /run"
grep -aE '^(L1-RUN|L2-FOUND)' "$log"
echo "all good"
