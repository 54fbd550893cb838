# spiceclient: decode+render of a full 1920x1080 DRAW_COPY per image type
# (target >= 60 fps on one core), in frames per second of CPU time (one
# core) and of wall-clock time, with the load average beside them; against
# the bare speed of the same bytes (memcpy for bitmaps, liblz4 alone for
# LZ4; no QUIC decoder is installed to compare with, so QUIC shows our
# figure alone, on a desktop-like and a photo-like picture); and
# connection-to-first-frame against QEMU's SPICE server on 127.0.0.1
# (median of 5).
set -euo pipefail
. bench/lib.sh
make -s BUILD="$BUILD" "$BUILD/musl/tests/spiceclient/spice_bench" > /dev/null
prog=$BUILD/musl/tests/spiceclient/spice_bench
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$prog" decode 3
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

command -v qemu-system-x86_64 > /dev/null || { echo "no qemu: connect time skipped"; exit 0; }
T=$(mktemp -d "${TMPDIR:-/tmp}/kvmbox-bench.XXXXXX")
port=$((20000 + (RANDOM * 7 + $$) % 30000))
qemu-system-x86_64 -accel tcg -m 64 -nodefaults -vga qxl -display none \
  -spice "port=$port,addr=127.0.0.1,password=secret" 2> /dev/null &
qemu=$!
trap 'kill -9 $qemu 2>/dev/null; wait $qemu 2>/dev/null; rm -rf "$T"' EXIT
echo secret > "$T/pw"
for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
sleep 2
times=()
for _ in 1 2 3 4 5; do times+=("$("$prog" connect "spice://127.0.0.1:$port" "$T/pw")"); done
med=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)
printf '%-34s %8s ms (runs: %s; load %s)\n' "connect to first frame (median)" "$med" \
  "${times[*]}" "$(cut -d' ' -f1 /proc/loadavg)"
