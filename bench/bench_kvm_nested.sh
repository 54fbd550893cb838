# kvm: real Linux, nested. In one L1 boot (QEMU TCG with AMD-V emulated,
# see tests/kvm/nested.sh) the same L2 - Debian's kernel, a busybox
# initramfs, 256 MiB RAM, 1 vCPU - is started by kvmbox and by
# qemu-system-x86_64 -enable-kvm -cpu host (both L2s see the L1's CPUID),
# three rounds taking turns. Measured in L1: VMM start to the L2's /init
# (its first console line), and a 256 MiB sequential dd read of a
# virtio-blk disk inside L2 (timed by L1 from the L2's console lines), then
# the same read with O_DIRECT, which leaves out the L2's own page-cache
# copy. The kernel is booted in both of its forms, by both VMMs: the bzImage (64-bit
# boot protocol for kvmbox, SeaBIOS and its option ROM for QEMU) and the
# vmlinux inside it through the PVH entry (QEMU's pvh.bin), which skips the
# decompressor. The L2 also reports its own uptime at /init: the kernel's
# time from its clock's set-up, which no VMM shortens.
# Two L1 processors: the tests' qemu64 (AMD family 0Fh, on which Linux
# scans all 256 PCI buses for an AGP bridge, twice) and the same model as
# family 17h, as on a current lab PC, where it does not.
# Targets: boot <= 0.5x QEMU, dd >= 1.0x QEMU.
set -uo pipefail
. bench/lib.sh
skip() { echo "kvm nested: skipped ($*)"; exit 0; }
fail() { echo "kvm nested: $*"; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/kvmbox-bench.XXXXXX"); trap 'rm -rf "$T"' EXIT
. tests/boot/lib.sh
. tests/kvm/nested.sh
QEMU=$(command -v qemu-system-x86_64) || skip "no qemu-system-x86_64"

l2_bench_init() {
  cat <<'INIT'
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
echo "L2-AT-INIT"
echo "L2-UPTIME $(/bin/busybox cut -d' ' -f1 /proc/uptime)"
/bin/busybox mount -t devtmpfs dev /dev
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk; do
  /bin/busybox insmod /lib/modules/$m.ko 2>/dev/null
done
for _ in $(/bin/busybox seq 50); do [ -b /dev/vda ] && break; /bin/busybox sleep 0.1; done
echo "L2-DD-START"
t0=$(/bin/busybox cut -d' ' -f1 /proc/uptime)
/bin/busybox dd if=/dev/vda of=/dev/null bs=1M 2>/dev/null
t1=$(/bin/busybox cut -d' ' -f1 /proc/uptime)
echo "L2-DD $(/bin/busybox awk -v a=$t0 -v b=$t1 'BEGIN{print b-a}')"
# The guest's own view of the device: reads completed, and the time they spent in it.
/bin/busybox mount -t sysfs sys /sys
echo "L2-VDA $(/bin/busybox awk '{print $1, $4}' /sys/block/vda/stat)"
# The same read with O_DIRECT: no page cache in L2, so no guest-side copy;
# one 1 MiB request at a time, the device's own pace.
echo "L2-DDD-START"
/bin/busybox dd if=/dev/vda of=/dev/null bs=1M iflag=direct 2>/dev/null
echo "L2-DDD-END"
/bin/busybox poweroff -f
INIT
}

l1_bench_init() {
  cat <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in irqbypass ccp kvm kvm-amd; do insmod /lib/modules/$m.ko; done
dd if=/dev/zero of=/k/big.img bs=1M count=256 2>/dev/null
up() { cut -d' ' -f1 /proc/uptime; }
# run NAME CMD...: times VMM start to the L2's first line, passes the rest on
run() {
  local name=$1 t0 t1=0 t2=0; shift
  t0=$(up)
  "$@" 2>&1 | while read -r line; do
    case $line in
      *L2-AT-INIT*) echo "L1-INIT $name $(awk -v a=$t0 -v b=$(up) 'BEGIN{print b-a}')" ;;
      *L2-UPTIME*) echo "L1-UPTIME $name ${line##*L2-UPTIME }" ;;
      *L2-VDA*) echo "L1-VDA $name ${line##*L2-VDA }" ;;
      *L2-DDD-START*) t2=$(up) ;;
      *L2-DDD-END*) echo "L1-DDD $name $(awk -v a=$t2 -v b=$(up) 'BEGIN{print b-a}')" ;;
      *L2-DD-START*) t1=$(up) ;;
      *L2-DD*) echo "L1-DD $name $(awk -v a=$t1 -v b=$(up) 'BEGIN{print b-a}') (L2 clock: ${line##*L2-DD })" ;;
    esac
  done
}
for round in 1 2 3; do
  for form in vmlinuz vmlinux; do
    run kvmbox-$form /bin/kvmbox vm run --kernel /k/$form --initrd /k/l2b.cpio --mem 256 \
      --disk /k/big.img,ro --cmdline "console=ttyS0 quiet panic=-1"
    run qemu-$form qemu-system-x86_64 -enable-kvm -M pc -cpu host -m 256 -nodefaults -no-user-config \
      -display none -serial stdio -no-reboot -kernel /k/$form -initrd /k/l2b.cpio \
      -drive file=/k/big.img,if=virtio,format=raw,readonly=on \
      -append "console=ttyS0 quiet panic=-1"
  done
done
echo L1-BENCH-DONE
poweroff -f
INIT
}

nested_images "$T" "" || fail "cannot build the nested images"
# The bench's additions: its own L2 initramfs, and QEMU with its libraries.
b=$T/bench; mkdir -p "$b/k" "$b/usr/bin" "$b/usr/share/qemu" "$b/usr/share/seabios"
l2=$T/l2b; mkdir -p "$l2/bin" "$l2/lib/modules" "$l2/proc" "$l2/dev" "$l2/sys"
cp "$BUSYBOX" "$l2/bin/busybox"
for m in $L2_MODULES; do cp "$MODS/$m" "$l2/lib/modules/"; done
l2_bench_init > "$l2/init"; chmod +x "$l2/init"
make_cpio "$l2" "$b/k/l2b.cpio"
cp "$QEMU" "$b/usr/bin/"
for lib in $(ldd "$QEMU" | awk '$3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'); do
  mkdir -p "$b$(dirname "$lib")"; cp -L "$lib" "$b$lib"
done
cp -L /usr/share/seabios/*.bin "$b/usr/share/seabios/" 2>/dev/null
cp -L /usr/share/qemu/linuxboot_dma.bin /usr/share/qemu/kvmvapic.bin /usr/share/qemu/pvh.bin "$b/usr/share/qemu/"
l1_bench_init > "$b/init"; chmod +x "$b/init"
make_cpio "$b" "$T/bench.cpio"
cat "$T/l1.cpio" "$T/bench.cpio" > "$T/l1b.cpio"
# bench_on L1_CPU TITLE: one L1 boot on that processor model, and its table.
bench_on() {
  local log
  log=$(mktemp "$T/log.XXXXXX")
  QEMU_L1_CPU=$1 qemu_boot "$T/serial.log" 900 'L1-BENCH-DONE' -kernel "$KERNEL" \
    -initrd "$T/l1b.cpio" -append "console=ttyS0 panic=-1 quiet rdinit=/init" ||
    fail "L1 did not finish"
  tr -d '\r' < "$T/serial.log" > "$log"
  # pick KIND NAME [FIELD]: the median of one measurement (field 3, or FIELD)
  # over the runs whose name starts with NAME: a VMM, or a VMM and kernel form.
  pick() { awk -v k="$1" -v n="$2" -v f="${3:-3}" '$1==k && index($2, n)==1 {print $f}' "$log" | median; }
  local ok qk op qp od qd uk up oo qo ov qv on qn
  ok=$(pick L1-INIT kvmbox-vmlinuz); qk=$(pick L1-INIT qemu-vmlinuz)
  op=$(pick L1-INIT kvmbox-vmlinux); qp=$(pick L1-INIT qemu-vmlinux)
  uk=$(pick L1-UPTIME kvmbox-vmlinux); up=$(pick L1-UPTIME qemu-vmlinux)
  od=$(pick L1-DD kvmbox); qd=$(pick L1-DD qemu)
  oo=$(pick L1-DDD kvmbox); qo=$(pick L1-DDD qemu)
  # device: the L2's reads (field 3) and the ms they spent in the device (field 4)
  on=$(pick L1-VDA kvmbox); qn=$(pick L1-VDA qemu)
  ov=$(pick L1-VDA kvmbox 4); qv=$(pick L1-VDA qemu 4)
  printf '%-50s %9s %9s %7s\n' "nested L2, L1 $2 (median of 3, s)" kvmbox qemu ratio
  printf '%-50s %9s %9s %7sx\n' "  VMM start to L2 /init, bzImage (s)" "$ok" "$qk" "$(ratio "$ok" "$qk")"
  printf '%-50s %9s %9s %7sx\n' "  VMM start to L2 /init, vmlinux via PVH (s)" "$op" "$qp" "$(ratio "$op" "$qp")"
  printf '%-50s %9s %9s %7sx\n' "  kvmbox with vmlinux (PVH), QEMU with bzImage (s)" "$op" "$qk" "$(ratio "$op" "$qk")"
  printf '%-50s %9s %9s %7sx\n' "  PVH: L2 uptime at /init (ratio: to QEMU's total)" "$uk" "$up" "$(ratio "$uk" "$qp")"
  printf '%-50s %9s %9s %7sx\n' "  dd 256 MiB from virtio-blk (s, median of 6)" "$od" "$qd" "$(ratio "$qd" "$od")"
  printf '%-50s %9s %9s %7sx\n' "  dd: ms its $on / $qn reads spent in the device" "$ov" "$qv" "$(ratio "$qv" "$ov")"
  printf '%-50s %9s %9s %7sx\n' "  dd 256 MiB, iflag=direct (s, median of 6)" "$oo" "$qo" "$(ratio "$qo" "$oo")"
  # Every run, in L1 order, so the spread shows beside the medians.
  awk '$1 == "L1-INIT" || $1 == "L1-DD" || $1 == "L1-DDD" || $1 == "L1-VDA" { printf "%s %s %s\n", $1, $2, $1 == "L1-VDA" ? $4 : $3 }' "$log" |
    awk '{ k = $1 " " $2; v[k] = v[k] " " $3 } END { for (k in v) print "  runs: " k ":" v[k] }' | sort
  awk -v o="$od" -v q="$qd" 'BEGIN { if (o > 0 && q > 0) printf "  dd throughput: kvmbox %.0f MB/s, qemu %.0f MB/s\n", 268.4 / o, 268.4 / q }'
}
median() { sort -n | awk '{v[NR]=$1} END {print NR ? v[int((NR+1)/2)] : 0}'; }
bench_on qemu64,+svm,+npt "qemu64 (family 0Fh)"
bench_on qemu64,+svm,+npt,family=23,model=1 "family 17h"
