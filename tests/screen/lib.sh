# Functions of the screen boot tests (sourced after tests/lib.sh): a test-only
# L1 system (busybox-static shell /init + kvmbox + the Debian kernel's
# display and input modules) booted under QEMU TCG with an emulated display,
# driven through QMP (screendump, input-send-event) and its serial console.
[ "${QUICK:-0}" = 1 ] && skip "QUICK=1 skips QEMU boots"
KERNEL=${KVMBOX_KERNEL:-$(ls -1 /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -1)}
[ -n "$KERNEL" ] || skip "no Debian kernel in /boot (install linux-image-amd64)"
KVER=${KERNEL#/boot/vmlinuz-}
for tool in qemu-system-x86_64 socat python3 cpio modprobe; do
  command -v $tool >/dev/null || skip "$tool missing"
done
[ -x /bin/busybox ] || skip "busybox-static missing"
SCREEN_TESTS=$PWD/tests/screen

# l1_root INIT_SCRIPT : a fresh L1 root with busybox, kvmbox and /init.
l1_root() {
  L1ROOT=$T/l1root
  rm -rf "$L1ROOT"; mkdir -p "$L1ROOT"/{bin,dev,proc,sys,tmp,modules}
  cp /bin/busybox "$L1ROOT/bin/busybox"
  cp "$KVMBOX" "$L1ROOT/bin/kvmbox"
  cp "$1" "$L1ROOT/init"; chmod +x "$L1ROOT/init"
}
# l1_modules LIST MODULE... : the modules and their dependencies, in load
# order, listed in /modules/LIST for the init script to insmod.
l1_modules() {
  local list=$L1ROOT/modules/$1 m cmd f _; shift
  : > "$list"
  for m in "$@"; do
    while read -r cmd f _; do
      [ "$cmd" = insmod ] || continue
      grep -qxF "/modules/$(basename "$f")" "$L1ROOT"/modules/*.list 2>/dev/null && continue
      cp "$f" "$L1ROOT/modules/"
      echo "/modules/$(basename "$f")" >> "$list"
    done < <(modprobe --show-depends -S "$KVER" "$m")
  done
}
l1_pack() { (cd "$L1ROOT" && find . | cpio -o -H newc --quiet) > "$T/l1.cpio"; }

# l1_start LOG CMDLINE qemu-args... : boots in the background; sets QPID, QMP.
# L1_CPU and L1_MEM (MiB) change the emulated CPU and memory (nested tests).
l1_start() {
  local log=$1 append=$2; shift 2
  QMP=$T/qmp.sock
  rm -f "$QMP"; : > "$log"
  qemu-system-x86_64 -accel tcg -cpu "${L1_CPU:-qemu64}" -m "${L1_MEM:-512}" -smp 1 -no-reboot \
    -display none -monitor none -serial "file:$log" \
    -qmp "unix:$QMP,server=on,wait=off" -kernel "$KERNEL" -initrd "$T/l1.cpio" \
    -append "console=ttyS0 panic=-1 quiet $append" "$@" &
  QPID=$!
  cleanup_hooks+=("kill -9 $QPID 2>/dev/null; wait $QPID 2>/dev/null")
}

l1_stop() { kill -9 "$QPID" 2>/dev/null || true; wait "$QPID" 2>/dev/null || true; }

# l1_boot LOG SECONDS REGEX WHAT CMDLINE qemu-args... : l1_start until LOG
# matches REGEX, with one retry (the emulated machine stalls on rare boots);
# fails with WHAT after the second.
l1_boot() {
  local log=$1 secs=$2 re=$3 what=$4 try; shift 4
  for try in 1 2; do
    l1_start "$log" "$@"
    wait_log "$log" "$secs" "$re" && return 0
    echo "attempt $try: no /$re/ in ${secs}s; serial tail:"; tail -n 20 "$log"
    l1_stop
  done
  fail "$what"
}

# wait_log LOG SECONDS REGEX : 0 once LOG matches, 1 on timeout or exit.
wait_log() {
  local log=$1 t=0
  while [ $t -lt $(($2 * 10)) ]; do
    grep -qE "$3" "$log" && return 0
    kill -0 "$QPID" 2>/dev/null || break
    sleep 0.1; t=$((t + 1))
  done
  grep -qE "$3" "$log"
}

# qmp JSON... : runs QMP commands over one connection, prints the replies.
qmp() {
  { echo '{"execute":"qmp_capabilities"}'; printf '%s\n' "$@"; sleep 0.5; } |
    socat -t 2 - "UNIX-CONNECT:$QMP"
}
screendump() { # FILE
  rm -f "$1"
  qmp "{\"execute\":\"screendump\",\"arguments\":{\"filename\":\"$1\"}}" > /dev/null
  local t=0; while [ ! -s "$1" ] && [ $t -lt 50 ]; do sleep 0.1; t=$((t + 1)); done
  [ -s "$1" ] || fail "no screendump $1"
}
send_key() { # QCODE: press and release
  qmp "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[{\"type\":\"key\",\"data\":{\"down\":true,\"key\":{\"type\":\"qcode\",\"data\":\"$1\"}}}]}}" \
      "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[{\"type\":\"key\",\"data\":{\"down\":false,\"key\":{\"type\":\"qcode\",\"data\":\"$1\"}}}]}}" > /dev/null
}
send_abs() { # X Y in 0..32767
  qmp "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[{\"type\":\"abs\",\"data\":{\"axis\":\"x\",\"value\":$1}},{\"type\":\"abs\",\"data\":{\"axis\":\"y\",\"value\":$2}}]}}" > /dev/null
}
ppm() { python3 "$SCREEN_TESTS/ppmtool.py" "$@"; }
# Screenshots worth looking at are kept beside the test logs, as PNG.
SHOTS=${BUILD:-$PWD/build}/test-logs
mkdir -p "$SHOTS"
