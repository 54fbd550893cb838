#!/bin/bash
# Boot figures under QEMU TCG (the emulated machine of the boot tests),
# booted the way a lab PC boots: the hybrid ISO (firmware, isolinux, the
# kernel) with the ISO's own kernel options, `quiet` and the two consoles
# (serial at 115200 and the screen). The consoles are given the other way
# round (same output on both; /dev/console is then the serial line) and
# kvmbox.console=ttyS0 puts the text menu there, so it can be watched.
#  - kernel start → menu ready: the init's status screen says how long
#    after kernel start it was written; the menu's first frame follows it
#    (host clock from one to the other added). The peer: the same kernel on
#    the same kind of ISO reaching a trivial busybox /init that prints its
#    /proc/uptime (the floor for any initramfs).
#  - kernel start → the medium's catalog on the menu (the CD's drivers and
#    mount, which the menu does not wait for), the same way.
#  - power-on → menu ready (host wall clock, firmware and bootloader
#    included), against power-on → the peer's /init;
#  - the boot initramfs size, against Debian's own initrd.img;
#  - "Starting <appliance>" on the console → the guest's /init marker
#    (host wall clock), when this build has the menu and the VMM.
# BOOT_RUNS (default 3) boots each; medians are reported, with the load
# average of the host at the start and the end of the boots.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
KVMBOX=${KVMBOX:-$BUILD/kvmbox}
KERNEL=${KVMBOX_KERNEL:-$(ls -1 /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -1)}
RUNS=${BOOT_RUNS:-3}
[ -n "$KERNEL" ] && command -v qemu-system-x86_64 > /dev/null &&
  command -v xorriso > /dev/null ||
  { echo "bench_boot: needs a Debian kernel, QEMU and xorriso; skipped"; exit 0; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
# The ISO's default options (initramfs/mkiso.sh), consoles swapped (above).
LAB_APPEND="quiet console=tty0 console=ttyS0,115200"
QEMU=(qemu-system-x86_64 -accel tcg -cpu qemu64,+svm,+npt -m 2048 -smp 2
  -no-reboot -display none -monitor none)
now() { date +%s.%N; }
loadavg() { cut -d' ' -f1 /proc/loadavg; }
median() { sort -n | awk '{a[NR]=$1} END {print NR ? a[int((NR+1)/2)] : "n/a"}'; }

# boot_iso ISO LOG: boots until the log shows the medium's catalog on the
# menu or the peer's marker (120 s at most); prints "power-on→banner
# power-on→menu power-on→catalog" (host seconds).
boot_iso() {
  local log=$1.log s b= e= c= t=0 pid
  local menu='Up/Down: choose\|peer: /init reached' cat='Demo appliance\|peer: /init reached'
  : > "$log"
  s=$(now)
  "${QEMU[@]}" -serial "file:$log" -cdrom "$2" -boot d 2> /dev/null & pid=$!
  while kill -0 $pid 2> /dev/null && [ $t -lt 2400 ] && [ -z "$c" ]; do
    [ -z "$b" ] && grep -qa 'booted   in \|peer: /init reached' "$log" && b=$(now)
    [ -z "$e" ] && grep -qa "$menu" "$log" && e=$(now)
    [ -n "$e" ] && grep -qa "$cat" "$log" && c=$(now)
    sleep 0.05; t=$((t + 1))
  done
  kill $pid 2> /dev/null; wait $pid 2> /dev/null
  [ -z "$e" ] && grep -qa "$menu" "$log" && e=$(now)
  [ -z "$c" ] && grep -qa "$cat" "$log" && c=$(now)
  [ -n "$c" ] && awk -v s="$s" -v b="$b" -v e="$e" -v c="$c" \
    'BEGIN { printf "%.2f %.2f %.2f\n", b - s, e - s, c - s }'
}

"$KVMBOX" mkinitramfs -o "$T/ours.img" --compress lz4 \
  --modules "/lib/modules/${KERNEL##*/vmlinuz-}" 2>/dev/null
bash initramfs/mkdemo.sh "$KVMBOX" "$T/medium" "$KERNEL" > /dev/null 2>&1
bash initramfs/mkiso.sh -o "$T/ours.iso" --kernel "$KERNEL" --initrd "$T/ours.img" \
  --medium "$T/medium" --append "$LAB_APPEND kvmbox.console=ttyS0" > /dev/null 2>&1
mkdir -p "$T/peer"
printf '%s\n' '#!/bin/busybox sh' '/bin/busybox mount -t proc p /proc' \
  'read up idle < /proc/uptime' \
  'echo "peer: /init reached $up s after kernel start" > /dev/console' \
  '/bin/busybox sleep 5' '/bin/busybox poweroff -f' > "$T/peer/init"
chmod +x "$T/peer/init"
"$KVMBOX" mkinitramfs --bare --modules none -o "$T/peer.img" --compress lz4 \
  --add "$(command -v busybox):/bin/busybox" --add "$T/peer/init:/init" 2>/dev/null
bash initramfs/mkiso.sh -o "$T/peer.iso" --kernel "$KERNEL" --initrd "$T/peer.img" \
  --append "$LAB_APPEND" > /dev/null 2>&1
load0=$(loadavg)
for i in $(seq "$RUNS"); do
  if w=$(boot_iso "$T/o" "$T/ours.iso") && [ -n "$w" ]; then
    up=$(sed -n 's/.*booted   in \([0-9.]*\) s.*/\1/p' "$T/o.log" | head -1)
    set -- $w
    [ -n "$up" ] && awk -v u="$up" -v b="$1" -v e="$2" 'BEGIN { printf "%.2f\n", u + e - b }' >> "$T/ours.t"
    [ -n "$up" ] && awk -v u="$up" -v b="$1" -v c="$3" 'BEGIN { printf "%.2f\n", u + c - b }' >> "$T/ours.c"
    echo "$2" >> "$T/ours.w"
  fi
  if w=$(boot_iso "$T/p" "$T/peer.iso") && [ -n "$w" ]; then
    sed -n 's/.*peer: \/init reached \([0-9.]*\) s.*/\1/p' "$T/p.log" | head -1 >> "$T/peer.t"
    set -- $w
    echo "$2" >> "$T/peer.w"
  fi
done
load1=$(loadavg)
ours=$(median < "$T/ours.t") peer=$(median < "$T/peer.t") oursc=$(median < "$T/ours.c")
oursw=$(median < "$T/ours.w") peerw=$(median < "$T/peer.w")
osize=$(stat -c %s "$T/ours.img")
dsize=$(stat -c %s "/boot/initrd.img-${KERNEL##*/vmlinuz-}" 2>/dev/null || echo 0)

# Appliance start → guest marker, from the ISO with the demo appliance.
app=n/a
if "$KVMBOX" --help 2>/dev/null | grep -q '^  menu ' && "$KVMBOX" --help | grep -q '^  vm '; then
  bash initramfs/mkiso.sh -o "$T/k.iso" --kernel "$KERNEL" --initrd "$T/ours.img" \
    --medium "$T/medium" --append "console=ttyS0 panic=-1 kvmbox.appliance=demo kvmbox.net=off" \
    > /dev/null 2>&1 && {
    : > "$T/a.log"
    "${QEMU[@]}" -serial "file:$T/a.log" -nic none -cdrom "$T/k.iso" -boot d 2>/dev/null & qp=$!
    s= e= t=0
    while kill -0 $qp 2>/dev/null && [ $t -lt 3000 ] && [ -z "$e" ]; do
      [ -z "$s" ] && grep -q 'Starting Demo appliance' "$T/a.log" && s=$(now)
      [ -n "$s" ] && grep -q 'kvmbox-demo: guest /init running' "$T/a.log" && e=$(now)
      sleep 0.1; t=$((t + 1))
    done
    kill $qp 2>/dev/null; wait $qp 2>/dev/null
    [ -n "$e" ] && app=$(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.1f", e - s }')
  }
fi

r() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
echo "ISO options: $LAB_APPEND (+ kvmbox.console=ttyS0 for ours); load average $load0 → $load1"
printf '| what | kvmbox | peer | ratio | target |\n|---|---|---|---|---|\n'
printf '| kernel start → menu ready (TCG, ISO, median of %s) | %s s | %s s (busybox /init) | %s × | ≤ 3 s |\n' \
  "$RUNS" "$ours" "$peer" "$(r "$ours" "$peer")"
printf '| kernel start → the medium'"'"'s catalog on the menu (TCG, ISO, median of %s) | %s s | %s s (busybox /init) | %s × | – |\n' \
  "$RUNS" "$oursc" "$peer" "$(r "$oursc" "$peer")"
printf '| power-on → menu ready (host wall clock, firmware included) | %s s | %s s (busybox /init) | %s × | – |\n' \
  "$oursw" "$peerw" "$(r "$oursw" "$peerw")"
printf '| boot initramfs (LZ4, with modules) | %s KiB | %s KiB (Debian initrd.img) | %s × | ≤ 6144 KiB |\n' \
  $((osize / 1024)) $((dsize / 1024)) "$(r $osize $dsize)"
printf '| "Starting appliance" → guest /init marker (wall clock) | %s s | – | – | – |\n' "$app"
