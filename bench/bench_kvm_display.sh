# kvm display: the VMM's QXL display, host side, with the tiny test guest
# (tests/kvm/display_guest.c) on /dev/kvm and --display offscreen at
# 1920x1080 (the same copy path as on a screen, without the page flip).
#  1. idle: the guest drew its boot framebuffer and halted; VMM CPU over 10 s
#     from /proc/PID/stat (target <= 1 %).
#  2. full-screen redraw: the guest sends 1920x1080 QXL copies back to back,
#     each waiting for its release; draws/s, frames/s copied to the host
#     buffer, the VMM's own CPU (user+sys minus guest time) and the latency
#     from a draw's arrival to the host buffer (target >= 60 fps, <= 1 core).
# Peer: QEMU's qxl-vga (-enable-kvm -display none) on the same guest, same
# run: it processes the same QXL commands (its SPICE worker) but has no
# screen to copy to, so only its CPU and command rate compare.
set -euo pipefail
. bench/lib.sh
[ -w /dev/kvm ] || { echo "kvm display: /dev/kvm not usable, skipped"; exit 0; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/kvmbox-bench.XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2> /dev/null || true; done; rm -rf "$dir"; }
trap cleanup EXIT
guest=$dir/display_guest.elf
gcc -m32 -ffreestanding -fno-pic -fno-stack-protector -fno-asynchronous-unwind-tables \
  -nostdlib -static -Os -D_LIBC_LIMITS_H_ -I/usr/include/spice-1 \
  -Wl,-Ttext-segment=0x100000 -Wl,--build-id=none -o "$guest" tests/kvm/display_guest.c
hz=$(getconf CLK_TCK)

# cpu_ticks PID: user+sys minus guest time, all threads (fields 14, 15, 43).
cpu_ticks() { awk '{ print $14 + $15 - $43 }' "/proc/$1/stat"; }
wait_line() { # FILE PATTERN SECONDS
  for _ in $(seq $(($3 * 10))); do grep -q "$2" "$1" 2> /dev/null && return 0; sleep 0.1; done
  return 1
}
start_kvmbox() { # CMDLINE
  "$KVMBOX" vm run --kernel "$guest" --mem 128 --cmdline "$1" --display offscreen \
    --display-size 1920x1080 --control "$dir/sock" < /dev/null > "$dir/out" 2> "$dir/err" &
  pid=$!; pids+=("$pid")
}
start_qemu() { # CMDLINE
  qemu-system-x86_64 -enable-kvm -M pc -m 128 -kernel "$guest" -append "$1" -display none \
    -nodefaults -no-user-config -vga qxl -serial "file:$dir/out" < /dev/null 2> "$dir/err" &
  pid=$!; pids+=("$pid")
}
have_qemu=0
command -v qemu-system-x86_64 > /dev/null && have_qemu=1

# idle_pct: % of one core over 10 s once the guest is idle.
idle_pct() {
  wait_line "$dir/out" "lfb drawn" 120 || { echo "n/a"; return; }
  sleep 2
  local a b
  a=$(cpu_ticks "$pid"); sleep 10; b=$(cpu_ticks "$pid")
  awk -v a="$a" -v b="$b" -v hz="$hz" 'BEGIN { printf "%.2f", (b - a) / hz / 10 * 100 }'
  kill -9 "$pid" 2> /dev/null; wait "$pid" 2> /dev/null || true
}
: > "$dir/out"; start_kvmbox "idle 1920 1080"; k_idle=$(idle_pct)
q_idle=n/a
if [ $have_qemu = 1 ]; then : > "$dir/out"; start_qemu "idle 1920 1080"; q_idle=$(idle_pct); fi

# redraw: draws/s and CPU over 10 s of back-to-back full-screen copies.
field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p"; }
: > "$dir/out"; start_kvmbox "redraw 1920 1080 1000000"
"$KVMBOX" vm control "$dir/sock" info > /dev/null 2>&1 || sleep 1
for _ in $(seq 600); do
  d=$("$KVMBOX" vm control "$dir/sock" info 2> /dev/null | field draws); [ "${d:-0}" -gt 2 ] && break; sleep 0.1
done
i0=$("$KVMBOX" vm control "$dir/sock" info); c0=$(cpu_ticks "$pid"); t0=$(date +%s.%N)
lat=()
for _ in $(seq 10); do
  sleep 1; lat+=("$("$KVMBOX" vm control "$dir/sock" info | field latency_us)")
done
i1=$("$KVMBOX" vm control "$dir/sock" info); c1=$(cpu_ticks "$pid"); t1=$(date +%s.%N)
kill -9 "$pid"; wait "$pid" 2> /dev/null || true
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
k_dps=$(awk -v a="$(echo "$i0" | field draws)" -v b="$(echo "$i1" | field draws)" -v s="$secs" 'BEGIN { printf "%.1f", (b - a) / s }')
k_fps=$(awk -v a="$(echo "$i0" | field frames)" -v b="$(echo "$i1" | field frames)" -v s="$secs" 'BEGIN { printf "%.1f", (b - a) / s }')
k_cpu=$(awk -v a="$c0" -v b="$c1" -v hz="$hz" -v s="$secs" 'BEGIN { printf "%.1f", (b - a) / hz / s * 100 }')
k_lat=$(printf '%s\n' "${lat[@]}" | sort -n | sed -n 5p)
k_lat=$(awk -v u="${k_lat:-0}" 'BEGIN { printf "%.2f", u / 1000 }')

q_dps=n/a q_cpu=n/a
if [ $have_qemu = 1 ]; then
  # QEMU has no counter to read: the guest's progress is its released draws,
  # which the test guest does not print; its CPU is still comparable.
  : > "$dir/out"; start_qemu "redraw 1920 1080 1000000"; sleep 15
  c0=$(cpu_ticks "$pid"); sleep 10; c1=$(cpu_ticks "$pid")
  q_cpu=$(awk -v a="$c0" -v b="$c1" -v hz="$hz" 'BEGIN { printf "%.1f", (b - a) / hz / 10 * 100 }')
  grep -q "redraw stalled" "$dir/out" && q_cpu="$q_cpu(stalled)"
  kill -9 "$pid"; wait "$pid" 2> /dev/null || true
fi

printf '%-48s %10s %10s\n' "QXL display, 1920x1080 (offscreen)" kvmbox qemu
printf '%-48s %10s %10s\n' "  idle guest: VMM CPU % over 10 s" "$k_idle" "$q_idle"
printf '%-48s %10s %10s\n' "  full-screen redraw: QXL copies applied / s" "$k_dps" "$q_dps"
printf '%-48s %10s %10s\n' "  full-screen redraw: frames to host buffer / s" "$k_fps" "-"
printf '%-48s %10s %10s\n' "  full-screen redraw: VMM CPU % (host side)" "$k_cpu" "$q_cpu"
printf '%-48s %10s %10s\n' "  draw arrival -> host buffer, ms (median)" "$k_lat" "-"
echo "kvmbox: idle $k_idle % (target <= 1), redraw $k_fps fps to the host buffer (target >= 60) at $k_cpu % of a core (target <= 100)"
