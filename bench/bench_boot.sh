#!/bin/bash
# Boot figures under QEMU TCG (the emulated machine of the boot tests):
#  - kernel start → kvmbox menu started, against the peer: the same kernel
#    reaching a trivial busybox /init (the floor for any initramfs);
#  - the boot initramfs size, against Debian's own initrd.img;
#  - "Starting <appliance>" on the console → the guest's /init marker
#    (host wall clock), when this build has the menu and the VMM.
# BOOT_RUNS (default 3) boots each; medians are reported.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
KVMBOX=${KVMBOX:-$BUILD/kvmbox}
KERNEL=${KVMBOX_KERNEL:-$(ls -1 /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -1)}
RUNS=${BOOT_RUNS:-3}
[ -n "$KERNEL" ] && command -v qemu-system-x86_64 > /dev/null ||
  { echo "bench_boot: needs a Debian kernel and QEMU; skipped"; exit 0; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT

# boot LOG UNTIL_REGEX SECONDS qemu-args...: runs until the regex or timeout.
boot() {
  local log=$1 until=$2 secs=$3; shift 3
  : > "$log"
  qemu-system-x86_64 -accel tcg -cpu qemu64,+svm,+npt -m 2048 -smp 2 -no-reboot \
    -display none -serial "file:$log" -monitor none "$@" 2>/dev/null & local pid=$! t=0
  while kill -0 $pid 2>/dev/null && [ $t -lt $((secs * 10)) ]; do
    grep -qE "$until" "$log" && break; sleep 0.1; t=$((t + 1))
  done
  kill $pid 2>/dev/null; wait $pid 2>/dev/null
}
stamp() { grep -m1 -E "$2" "$1" | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p'; }
median() { sort -n | awk '{a[NR]=$1} END {print NR ? a[int((NR+1)/2)] : "n/a"}'; }

# Ours: the boot initramfs; the peer: busybox /init that logs and stops.
"$KVMBOX" mkinitramfs -o "$T/ours.img" --compress lz4 \
  --modules "/lib/modules/${KERNEL##*/vmlinuz-}" 2>/dev/null
mkdir -p "$T/peer"
printf '#!/bin/busybox sh\n/bin/busybox mount -t devtmpfs d /dev\necho "peer: /init reached" > /dev/kmsg\n/bin/busybox poweroff -f\n' > "$T/peer/init"
chmod +x "$T/peer/init"
"$KVMBOX" mkinitramfs --bare --modules none -o "$T/peer.img" --compress lz4 \
  --add "$(command -v busybox):/bin/busybox" --add "$T/peer/init:/init" 2>/dev/null
APPEND="console=ttyS0 panic=-1 quiet kvmbox.net=off"
for i in $(seq "$RUNS"); do
  boot "$T/o.log" 'kvmbox: started (menu|status console)' 120 -nic none \
    -kernel "$KERNEL" -initrd "$T/ours.img" -append "$APPEND loglevel=7"
  stamp "$T/o.log" 'kvmbox: started (menu|status console)' >> "$T/ours.t"
  boot "$T/p.log" 'peer: /init reached' 120 -nic none \
    -kernel "$KERNEL" -initrd "$T/peer.img" -append "$APPEND loglevel=7"
  stamp "$T/p.log" 'peer: /init reached' >> "$T/peer.t"
done
ours=$(median < "$T/ours.t") peer=$(median < "$T/peer.t")
osize=$(stat -c %s "$T/ours.img")
dsize=$(stat -c %s "/boot/initrd.img-${KERNEL##*/vmlinuz-}" 2>/dev/null || echo 0)

# Appliance start → guest marker, from the ISO with the demo appliance.
app=n/a
if "$KVMBOX" --help 2>/dev/null | grep -q '^  menu ' && "$KVMBOX" --help | grep -q '^  vm '; then
  bash initramfs/mkdemo.sh "$KVMBOX" "$T/medium" "$KERNEL" > /dev/null 2>&1 &&
  bash initramfs/mkiso.sh -o "$T/k.iso" --kernel "$KERNEL" --initrd "$T/ours.img" \
    --medium "$T/medium" --append "console=ttyS0 panic=-1 kvmbox.appliance=demo kvmbox.net=off" \
    > /dev/null 2>&1 && {
    : > "$T/a.log"
    qemu-system-x86_64 -accel tcg -cpu qemu64,+svm,+npt -m 2048 -smp 2 -no-reboot \
      -display none -serial "file:$T/a.log" -monitor none -nic none \
      -cdrom "$T/k.iso" -boot d 2>/dev/null & qp=$!
    s= e= t=0
    while kill -0 $qp 2>/dev/null && [ $t -lt 3000 ] && [ -z "$e" ]; do
      [ -z "$s" ] && grep -q 'Starting Demo appliance' "$T/a.log" && s=$(date +%s.%N)
      [ -n "$s" ] && grep -q 'kvmbox-demo: guest /init running' "$T/a.log" && e=$(date +%s.%N)
      sleep 0.1; t=$((t + 1))
    done
    kill $qp 2>/dev/null; wait $qp 2>/dev/null
    [ -n "$e" ] && app=$(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.1f", e - s }')
  }
fi

printf '| what | kvmbox | peer | ratio | target |\n|---|---|---|---|---|\n'
printf '| kernel start → menu started (TCG, median of %s) | %s s | %s s (busybox /init) | %s × | ≤ 3 s |\n' \
  "$RUNS" "$ours" "$peer" "$(awk -v a="$ours" -v b="$peer" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')"
printf '| boot initramfs (LZ4, with modules) | %s KiB | %s KiB (Debian initrd.img) | %s × | ≤ 6144 KiB |\n' \
  $((osize / 1024)) $((dsize / 1024)) "$(awk -v a=$osize -v b=$dsize 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')"
printf '| "Starting appliance" → guest /init marker (wall clock) | %s s | – | – | – |\n' "$app"
