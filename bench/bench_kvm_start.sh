# kvm: VMM start-up and memory. A tiny PVH guest powers off at its first
# instructions, so exec-to-exit bounds exec-to-first-instruction from above.
# CPU time (user+sys) and wall time per run (mean of 20) and peak RSS
# (the guest touches one 2 MiB transparent huge page of its RAM; the rest
# is the VMM's own memory). Peer: qemu-system-x86_64 -enable-kvm on the same ELF
# (it boots SeaBIOS first, which is part of its start-up cost).
# Targets: <= 5 CPU ms, RSS overhead <= 4 MiB.
set -euo pipefail
. bench/lib.sh
[ -w /dev/kvm ] || { echo "kvm start: /dev/kvm not usable, skipped"; exit 0; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/kvmbox-bench.XXXXXX"); trap 'rm -rf "$dir"' EXIT
guest=$dir/guest.elf
gcc -m32 -ffreestanding -fno-pic -fno-stack-protector -fno-asynchronous-unwind-tables \
  -nostdlib -static -Os -Wl,-Ttext-segment=0x100000 -Wl,--build-id=none \
  -o "$guest" tests/kvm/guest.c

# measure N CMD...: "wall_ms cpu_ms" over N runs, then "maxrss_kib"
measure() {
  python3 - "$@" <<'PY'
import os, resource, sys, time
n = int(sys.argv[1]); cmd = sys.argv[2:]
walls = []
null = os.open(os.devnull, os.O_RDWR)
acts = [(os.POSIX_SPAWN_DUP2, null, 0), (os.POSIX_SPAWN_DUP2, null, 1),
        (os.POSIX_SPAWN_DUP2, null, 2)]
before = resource.getrusage(resource.RUSAGE_CHILDREN)
for _ in range(n):
    t = time.monotonic()
    # posix_spawn (vfork): the child's RSS and CPU are the VMM's, not a python copy's
    pid = os.posix_spawnp(cmd[0], cmd, os.environ, file_actions=acts)
    os.waitpid(pid, 0)
    walls.append(time.monotonic() - t)
after = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) / n
walls.sort()
print("%.2f %.2f" % (walls[len(walls) // 2] * 1000, cpu * 1000))
PY
  # peak RSS from GNU time: a vforked child inherits python's high-water mark
  /usr/bin/time -f %M -o "$dir/rss" "${@:2}" < /dev/null > /dev/null 2>&1 || true
  tail -1 "$dir/rss"
}
{ read -r ow oc; read -r orss; } < <(measure 20 "$KVMBOX" vm run --kernel "$guest" --mem 512 \
  --cmdline exit --serial none)
if command -v qemu-system-x86_64 >/dev/null; then
  { read -r qw qc; read -r qrss; } < <(measure 3 qemu-system-x86_64 -enable-kvm -M pc -m 512 \
    -kernel "$guest" -append exit -display none -nodefaults -no-user-config \
    -device isa-debug-exit -serial none)
else
  qw=0 qc=0 qrss=0
fi
printf '%-40s %10s %10s %8s\n' "VMM start to guest power-off" kvmbox qemu ratio
printf '%-40s %10s %10s %7sx\n' "  wall ms (median)" "$ow" "$qw" "$(ratio "$qw" "$ow")"
printf '%-40s %10s %10s %7sx\n' "  CPU ms (user+sys, mean)" "$oc" "$qc" "$(ratio "$qc" "$oc")"
printf '%-40s %10s %10s %7sx\n' "  peak RSS KiB (512 MiB guest)" "$orss" "$qrss" "$(ratio "$qrss" "$orss")"
awk -v c="$oc" -v r="$orss" 'BEGIN { printf "kvmbox: %s CPU ms (target <= 5), RSS %.1f MiB (target <= 4)\n", c, r / 1024 }'
