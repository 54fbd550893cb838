# kvm input: latency from a key injected on the host to the guest reading
# its scancode from the i8042. A tiny PVH guest polls port 0x64/0x60 and
# prints each byte on COM1; we time "inject -> line on the serial port"
# for N presses and releases (median and 90th percentile, ms).
# Ours: `kvmbox vm run --display offscreen --control S`, "key 30 1|0".
# Peer: qemu-system-x86_64 -enable-kvm on the same ELF, QMP
# input-send-event (same guest, same measurement; QEMU's own i8042).
# The host's /dev/kvm is slow-nested here: both pay the same exit costs.
set -euo pipefail
. bench/lib.sh
[ -w /dev/kvm ] || { echo "kvm input: /dev/kvm not usable, skipped"; exit 0; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/kvmbox-bench.XXXXXX"); trap 'rm -rf "$dir"' EXIT
guest=$dir/input_guest.elf
gcc -m32 -ffreestanding -fno-pic -fno-stack-protector -fno-asynchronous-unwind-tables \
  -nostdlib -static -Os -Wl,-Ttext-segment=0x100000 -Wl,--build-id=none \
  -o "$guest" tests/kvm/input_guest.c
N=${INPUT_BENCH_N:-40}

# latency ours|qemu: prints "median_ms p90_ms"
latency() {
  python3 - "$1" "$N" "$dir" "$KVMBOX" "$guest" <<'PY'
import json, os, socket, subprocess, sys, time
who, n, d, kvmbox, guest = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
sock = os.path.join(d, who + ".sock")
if who == "ours":
    cmd = [kvmbox, "vm", "run", "--kernel", guest, "--mem", "64", "--cmdline", "echo",
           "--display", "offscreen", "--control", sock]
else:
    cmd = ["qemu-system-x86_64", "-enable-kvm", "-M", "pc", "-m", "64", "-kernel", guest,
           "-append", "echo", "-display", "none", "-nodefaults", "-no-user-config",
           "-serial", "stdio", "-qmp", "unix:%s,server=on,wait=off" % sock]
p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                     stderr=subprocess.DEVNULL, bufsize=0)
out = p.stdout
def line():
    l = out.readline()
    if not l:
        raise SystemExit("%s: VMM ended" % who)
    return l.decode(errors="replace").strip()
try:
    while line() != "ready echo":
        pass
    c = socket.socket(socket.AF_UNIX)
    for _ in range(100):
        try:
            c.connect(sock); break
        except OSError:
            time.sleep(0.05)
    f = c.makefile("rwb", buffering=0)
    if who == "qemu":
        f.readline(); f.write(b'{"execute":"qmp_capabilities"}\n'); f.readline()
    def send(down):
        if who == "ours":
            f.write(b"key 30 %d\n" % down); f.readline()
        else:
            ev = {"type": "key", "data": {"down": bool(down),
                                          "key": {"type": "qcode", "data": "a"}}}
            f.write(json.dumps({"execute": "input-send-event",
                                "arguments": {"events": [ev]}}).encode() + b"\n")
            f.readline()
    times = []
    for i in range(n):
        for down, want in ((1, "key 1e"), (0, "key 9e")):
            t = time.monotonic()
            send(down)
            while line() != want:
                pass
            times.append((time.monotonic() - t) * 1000)
    times.sort()
    print("%.3f %.3f" % (times[len(times) // 2], times[len(times) * 9 // 10]))
finally:
    p.kill(); p.wait()
PY
}
read -r om op < <(latency ours)
if command -v qemu-system-x86_64 >/dev/null; then
  read -r qm qp < <(latency qemu)
else
  qm=0 qp=0
fi
printf '%-40s %10s %10s %8s\n' "key inject -> guest reads scancode" kvmbox qemu ratio
printf '%-40s %10s %10s %7sx\n' "  median ms ($((2 * N)) events)" "$om" "$qm" "$(ratio "$qm" "$om")"
printf '%-40s %10s %10s %7sx\n' "  90th percentile ms" "$op" "$qp" "$(ratio "$qp" "$op")"
