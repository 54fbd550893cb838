# Functions for the SPICE scenario tests (sourced after tests/lib.sh): a QEMU
# with the SPICE server on 127.0.0.1, its QMP socket, screen comparison.
command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86_64"
command -v python3 >/dev/null || skip "no python3"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
qmp() { python3 "$HERE/qmp.py" "$T/qmp.sock" "$@"; }
screendump() { qmp screendump "{\"filename\": \"$1\"}" > /dev/null; }
same_pct() { python3 "$HERE/ppmcmp.py" "$1" "$2" | cut -d' ' -f1; }
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# pick_port: a free TCP port on 127.0.0.1 in a range unlikely to clash.
pick_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + (RANDOM * 7 + $$) % 30000))
    port_free "$p" && { echo "$p"; return; }
  done
  fail "no free port"
}

# start_qemu PORT [EXTRA QEMU ARGS...]: QEMU with qxl + SPICE (password
# "secret"), QMP at $T/qmp.sock; PID in $QEMU_PID. Waits for the port.
start_qemu() {
  local port=$1; shift
  rm -f "$T/qmp.sock"
  qemu-system-x86_64 -accel tcg -m 256 -nodefaults -vga qxl -display none \
    -spice "port=$port,addr=127.0.0.1,password=secret" \
    -qmp "unix:$T/qmp.sock,server,nowait" "$@" 2> "$T/qemu.err" &
  QEMU_PID=$!
  cleanup_hooks+=("kill -9 $QEMU_PID 2>/dev/null; wait $QEMU_PID 2>/dev/null")
  for _ in $(seq 1 100); do
    ! port_free "$port" && [ -S "$T/qmp.sock" ] && return 0
    kill -0 "$QEMU_PID" 2>/dev/null || fail "qemu died: $(cat "$T/qemu.err")"
    sleep 0.1
  done
  fail "qemu's SPICE port $port never opened"
}

# boot_guest KERNEL MARKER TRIES: packs $T/root into an initrd, boots it
# with KERNEL in QEMU (start_qemu, on a fresh port in $port; console on
# tty1, serial port logged to $T/serial.log) and waits up to TRIES half
# seconds for MARKER on the serial port. Fails unless it shows up.
boot_guest() {
  local kernel=$1 marker=$2 tries=$3
  (cd "$T/root" && find . | cpio -o -H newc 2>/dev/null | gzip -1 > "$T/initrd.gz")
  port=$(pick_port)
  start_qemu "$port" -kernel "$kernel" -initrd "$T/initrd.gz" \
    -append "console=tty1 quiet loglevel=0" -serial "file:$T/serial.log"
  for _ in $(seq 1 "$tries"); do
    grep -q "$marker" "$T/serial.log" 2>/dev/null && return 0
    sleep 0.5
  done
  fail "no $marker from the guest: $(tail -3 "$T/serial.log")"
}

stop_qemu() {
  kill -9 "$QEMU_PID" 2>/dev/null || true
  wait "$QEMU_PID" 2>/dev/null || true
}
