# Boot-test helpers (sourced after tests/lib.sh): run QEMU TCG on a kernel and
# an initramfs with a serial log, a watchdog, and one retry (the emulated
# machine stalls on rare boots, see README "Testing").
KERNEL=${KVMBOX_KERNEL:-$(ls -1 /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -1)}
[ -n "$KERNEL" ] || skip "no Debian kernel in /boot (install linux-image-amd64)"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 missing"
KMODS=/lib/modules/${KERNEL##*/vmlinuz-} # the modules of that very kernel

# qemu_boot LOG SECONDS UNTIL_REGEX qemu-args... : boots until the log
# matches UNTIL_REGEX or QEMU exits; returns 0 when it matched. The L1's
# CPU model is QEMU_L1_CPU (default: the test recipe, qemu64 with AMD-V).
qemu_boot() {
  local log=$1 secs=$2 until=$3; shift 3
  local try
  for try in 1 2; do
    : > "$log"
    qemu-system-x86_64 -accel tcg -cpu "${QEMU_L1_CPU:-qemu64,+svm,+npt}" -m 2048 -smp 2 \
      -no-reboot -display none -serial "file:$log" -monitor none "$@" &
    local pid=$! t=0
    while kill -0 $pid 2>/dev/null && [ $t -lt $((secs * 10)) ]; do
      grep -qE "$until" "$log" && break
      sleep 0.1; t=$((t + 1))
    done
    if grep -qE "$until" "$log"; then
      # let a powering-off guest finish, then stop QEMU in any case
      for _ in $(seq 1 50); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
      kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true
      return 0
    fi
    kill -9 $pid 2>/dev/null || true; wait $pid 2>/dev/null || true
    echo "boot attempt $try did not reach /$until/ in ${secs}s; log tail:" >&2
    tail -n 15 "$log" >&2
  done
  return 1
}

# ---- boot assets --------------------------------------------------------------

# The boot initramfs of the kvmbox under test (LZ4, with kvmbox's modules).
build_initramfs() { # OUT
  "$KVMBOX" mkinitramfs -o "$1" --compress lz4 --modules "$KMODS" 2> "$T/mkinitramfs.err" ||
    fail "mkinitramfs: $(cat "$T/mkinitramfs.err")"
}
# The demo catalog and appliance (cached by their inputs).
build_demo() { # OUTDIR
  bash initramfs/mkdemo.sh "$KVMBOX" "$1" "$KERNEL" > "$T/mkdemo.log" 2>&1 ||
    fail "mkdemo: $(tail -3 "$T/mkdemo.log")"
}
# A hybrid ISO with the demo on it; APPEND replaces the default options.
build_iso() { # OUT APPEND
  [ -f "$T/initrd.img" ] || build_initramfs "$T/initrd.img"
  [ -d "$T/medium" ] || build_demo "$T/medium"
  bash initramfs/mkiso.sh -o "$1" --kernel "$KERNEL" --initrd "$T/initrd.img" \
    --medium "$T/medium" --append "$2" > "$T/mkiso.log" 2>&1 ||
    fail "mkiso: $(tail -3 "$T/mkiso.log")"
}
# Whether this build has the applet NAME.
has_applet() { "$KVMBOX" --help 2>/dev/null | grep -q "^  $1 "; }
# Asserts a line of the serial log; fails with its tail.
expect_log() { # LOG REGEX WHAT
  grep -qE "$2" "$1" || { tail -n 30 "$1" >&2; fail "$3"; }
}
# Kernel-timestamp (seconds) of the first log line matching REGEX.
log_time() { # LOG REGEX
  grep -m1 -E "$2" "$1" | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p'
}
# Options every boot test passes: serial console, verbose enough to see
# kvmbox's log lines (level info) with their timestamps.
TEST_APPEND="console=ttyS0 panic=-1 kvmbox.autotest"
