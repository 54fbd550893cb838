# image multicast: kvmbox image mcast-send/mcast-recv vs udpcast
# (udp-sender/udp-receiver) sending the same 1 GiB file to 4 receivers, each
# in its own network namespace on a bridge (veths), sender in its own.
# (1) throughput at 0 % loss (target >= 1.0x udpcast), median of 3 runs;
# (2) completion and time at 10 % loss on every receiver's link (nftables
# ingress drop), one run each. Times run from starting the sender to the
# last receiver exiting. Both send the same published image file (random
# bytes, packed by `kvmbox image publish`, which also wrote the manifest the
# sender is given). kvmbox receivers verify every chunk, fsync and install
# into a store; udpcast only writes the file. CPU: user+sys seconds of all
# the run's processes (sender and 4 receivers) together; the load average
# of the machine is printed with the table. Namespaces removed at the end.
set -euo pipefail
. bench/lib.sh
[ "$(id -u)" = 0 ] || { echo "bench_image_mcast: needs root (namespaces); skipped"; exit 0; }
command -v udp-sender > /dev/null || { echo "bench_image_mcast: no udpcast; skipped"; exit 0; }
N=kvbm$$
RECEIVERS=(r1 r2 r3 r4)
MIB=${MCAST_BENCH_MIB:-1024}
T=$(mktemp -d "${TMPDIR:-/tmp}/kvmbox-bench.XXXXXX")
cleanup() {
  for ns in ${N}b ${N}s "${RECEIVERS[@]/#/$N}"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf "$T"
}
trap cleanup EXIT

# The file: random bytes, made once and kept (key: size and version).
CACHE=${HOME:-/root}/.cache/kvmbox/mcast-random-${MIB}m-v1
if [ ! -s "$CACHE" ]; then
  mkdir -p "$(dirname "$CACHE")"
  head -c "$((MIB << 20))" /dev/urandom > "$CACHE.tmp" && mv "$CACHE.tmp" "$CACHE"
fi
# Published once as a lab server would (image + manifest), also kept.
PUB=$CACHE.pub
if ! ls "$PUB"/images/*.img.manifest > /dev/null 2>&1; then
  rm -rf "$PUB"
  "$KVMBOX" image publish "$CACHE" "$PUB" > /dev/null
fi
MANIFEST=$(ls "$PUB"/images/*.img.manifest | head -1)
IMG=${MANIFEST%.manifest}
BYTES=$(stat -c %s "$IMG")

ip netns add ${N}b
ip -n ${N}b link set lo up
ip -n ${N}b link add br0 type bridge mcast_snooping 0
ip -n ${N}b link set br0 up
i=1
for h in s "${RECEIVERS[@]}"; do
  ip netns add $N$h
  ip -n $N$h link set lo up
  ip link add eth0 netns $N$h type veth peer name p$h netns ${N}b
  ip -n ${N}b link set p$h master br0 up
  ip -n $N$h addr add 10.78.0.$i/24 brd + dev eth0
  ip -n $N$h link set eth0 up
  i=$((i + 1))
done
inns() { local h=$1; shift; ip netns exec $N$h "$@"; }
set_loss() {
  for r in "${RECEIVERS[@]}"; do
    inns $r nft delete table netdev kvmloss 2>/dev/null || true
    [ "$1" = 0 ] && continue
    inns $r nft add table netdev kvmloss
    inns $r nft add chain netdev kvmloss c "{ type filter hook ingress device eth0 priority 0; }"
    inns $r nft add rule netdev kvmloss c numgen random mod 100 '<' "$1" drop
  done
}
now() { date +%s.%N; }
# cpu_used NAME: the user+sys seconds of this (sub)shell's finished children,
# appended to $T/cpu.NAME (the runs happen in $(...) subshells).
cpu_used() {
  times > "$T/times"	# a builtin in this shell: in a pipe it would count nothing
  tail -1 "$T/times" | awk '{ n = 0; for (i = 1; i <= 2; i++) { split($i, a, "m"); sub("s", "", a[2]); n += a[1] * 60 + a[2] } printf "%.1f\n", n }' >> "$T/cpu.$1"
}
# cpu_of NAME: the median of its runs' CPU seconds (or the one run).
cpu_of() { sort -n "$T/cpu.$1" | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : "-" }'; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
LIMIT=${MCAST_BENCH_LIMIT:-600}	# seconds a run may take (udpcast stalls at 10 % loss)

# Each run prints its seconds, or "fail".
run_kvmbox() {
  local pids=() r s e ok=1
  for r in "${RECEIVERS[@]}"; do
    rm -rf "$T/$r"; mkdir -p "$T/$r"
    inns $r timeout --kill-after=10 $LIMIT "$KVMBOX" image mcast-recv --cache "$T/$r" --iface eth0 --timeout 60 \
      > "$T/$r.out" 2> "$T/$r.err" &
    pids+=($!)
  done
  s=$(now)
  inns s timeout --kill-after=10 $LIMIT "$KVMBOX" image mcast-send "$IMG" --manifest "$MANIFEST" --iface eth0 --wait-receivers 4 > "$T/send.out" 2> "$T/send.err" || ok=0
  for p in "${pids[@]}"; do wait "$p" || ok=0; done
  e=$(now)
  cpu_used "kvmbox$CPU_TAG"
  for r in "${RECEIVERS[@]}"; do [ -f "$T/$r/images/$DIGEST" ] || ok=0; done
  [ $ok = 1 ] && awk -v s="$s" -v e="$e" 'BEGIN { printf "%.2f\n", e - s }' || echo fail
}
run_udpcast() {
  local pids=() r s e ok=1 extra=("$@")
  for r in "${RECEIVERS[@]}"; do
    rm -rf "$T/$r"; mkdir -p "$T/$r"
    inns $r timeout --kill-after=10 $LIMIT udp-receiver --nokbd --interface eth0 --file "$T/$r/out" \
      > /dev/null 2> "$T/$r.err" &
    pids+=($!)
  done
  s=$(now)
  inns s timeout --kill-after=10 $LIMIT udp-sender --nokbd --interface eth0 --min-receivers 4 "${extra[@]}" \
    --file "$IMG" > /dev/null 2> "$T/send.err" || ok=0
  for p in "${pids[@]}"; do wait "$p" || ok=0; done
  e=$(now)
  cpu_used "udpcast$CPU_TAG"
  for r in "${RECEIVERS[@]}"; do [ "$(stat -c %s "$T/$r/out" 2>/dev/null)" = "$BYTES" ] || ok=0; done
  [ $ok = 1 ] && awk -v s="$s" -v e="$e" 'BEGIN { printf "%.2f\n", e - s }' || echo fail
}
median3() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
mbps() { [ "$1" = fail ] && echo - || awk -v b="$BYTES" -v t="$1" 'BEGIN { printf "%.1f", b / t / 1e6 }'; }

DIGEST=$(sha256sum < "$IMG" | cut -d' ' -f1)

load0=$(load)
CPU_TAG=0
set_loss 0
k=() u=()
for i in 1 2 3; do
  k+=("$(run_kvmbox)")
  u+=("$(run_udpcast)")
done
k0=$(median3 "${k[@]}"); u0=$(median3 "${u[@]}")
load1=$(load)
CPU_TAG=10
set_loss 10
k10=$(run_kvmbox)
k10_line=$(cat "$T/send.out")
u10=$(run_udpcast --min-wait 2)
set_loss 0
load2=$(load)

ratio_of() { { [ "$1" = fail ] || [ "$2" = fail ]; } && echo - || ratio "$2" "$1"; }
echo "multicast of $((BYTES >> 20)) MiB to 4 receivers over veth (runs: ${k[*]} | ${u[*]})"
F='%-18s %10s %10s %7s %12s %13s %14s %18s\n'
printf "$F" "loss" "kvmbox s" "udpcast s" "ratio" "kvmbox MB/s" "kvmbox CPU s" "udpcast CPU s" "load avg (1/5/15)"
printf "$F" "0 % (median of 3)" "$k0" "$u0" "$(ratio_of "$k0" "$u0")" "$(mbps "$k0")" "$(cpu_of kvmbox0)" "$(cpu_of udpcast0)" "$load0"
printf "$F" "10 % (one run)" "$k10" "$u10" "$(ratio_of "$k10" "$u10")" "$(mbps "$k10")" "$(cpu_of kvmbox10)" "$(cpu_of udpcast10)" "$load1"
echo "load average at the end: $load2; CPU s = user+sys of the sender and the 4 receivers (median run)"
echo "ratio = udpcast time / kvmbox time (> 1: kvmbox faster); udpcast MB/s at 0 %: $(mbps "$u0")"
echo "kvmbox at 10 %: $k10_line"
