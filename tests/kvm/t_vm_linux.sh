# Real Linux under our VMM, nested: QEMU TCG (AMD-V emulated) boots L1,
# whose kvmbox boots Debian's kernel (L2) three times - bzImage, bzImage
# with --cpus 2, and the vmlinux through PVH. Each L2 prints a marker,
# checks /dev/vda (ro) against L1's sha256, writes /dev/vdb (checked by
# L1 afterwards), sends a UDP datagram L1 receives through the tap, and
# powers off: kvmbox exits 0. A fourth run panics the guest (sysrq c) with
# its pvpanic driver loaded: kvmbox exits 4.
# timeout: 1500
. tests/lib.sh
[ "${QUICK:-0}" = 1 ] && skip "QUICK=1 skips the nested boot tests"
. tests/boot/lib.sh
. tests/kvm/nested.sh

nested_images "$T" "bzimage smp pvh panic" || fail "cannot build the nested test images"
qemu_boot "$T/serial.log" 700 'L1-ALL-DONE' \
  -kernel "$KERNEL" -initrd "$T/l1.cpio" \
  -append "console=ttyS0 panic=-1 quiet rdinit=/init" \
  || fail "L1 did not finish"
log=$T/serial.log
tr -d '\r' < "$log" > "$T/log"; log=$T/log
grep -q '^L1-KVM-READY' "$log" || fail "no /dev/kvm in L1: $(grep L1-INSMOD "$log")"
host_sha=$(sed -n 's/^L1-VDA-SHA //p' "$log")
[ -n "$host_sha" ] || fail "L1 did not hash vda"
[ "$(grep -c "^L2-VDA-SHA $host_sha" "$log")" = 4 ] || fail "L2 vda hashes: $(grep L2-VDA-SHA "$log")"
[ "$(grep -c '^L2-VDA-RO 1' "$log")" = 4 ] || fail "vda not read-only in L2"
grep -q '^L2-INIT-REACHED cpus=2' "$log" || fail "no 2-CPU L2: $(grep L2-INIT "$log")"
for run in bzimage smp pvh panic; do
  want=0; [ $run = panic ] && want=4
  grep -q "^L1-RUN $run exit=$want " "$log" || fail "$run: $(grep "L1-RUN $run" "$log" || echo 'did not run')"
  grep -q "^L1-VDB $run written-by-l2-guest" "$log" || fail "$run: vdb not written"
  grep -q "^L1-UDP $run hello-from-l2" "$log" || fail "$run: no UDP datagram through the tap"
done
grep '^L1-RUN' "$log"
echo "all good"
