# net: (1) time from "DHCP starts" to "address configured" against dnsmasq,
# kvmbox net daemon vs busybox udhcpc, both measured the same way (launch to
# the address showing on br0), plus our own processing time from the
# daemon's log (target <= 100 ms); (2) set-up time of a VM's tap on the
# bridge: in-process library call (target <= 5 ms), and as commands,
# kvmbox net tap add vs ip tuntap + ip link. Medians of 7 runs each.
# Runs in network namespaces of its own, removed at the end.
set -euo pipefail
. bench/lib.sh
[ "$(id -u)" = 0 ] || { echo "bench_net: needs root (namespaces); skipped"; exit 0; }
N=kvb$$
T=$(mktemp -d "${TMPDIR:-/tmp}/kvmbox-bench.XXXXXX")
cleanup() {
  for ns in ${N}h ${N}s; do
    ip netns pids $ns 2>/dev/null | xargs -r kill 2>/dev/null || true
    ip netns del $ns 2>/dev/null || true
  done
  rm -rf "$T"
}
trap cleanup EXIT
h() { ip netns exec ${N}h "$@"; }
ip netns add ${N}h; ip netns add ${N}s
ip link add eth0 netns ${N}h type veth peer name eth0 netns ${N}s
ip -n ${N}s addr add 10.90.0.1/24 brd + dev eth0
ip -n ${N}s link set eth0 up; ip -n ${N}h link set eth0 up; ip -n ${N}h link set lo up
ip netns exec ${N}s dnsmasq --keep-in-foreground --no-resolv --no-hosts --port=0 \
  --interface=eth0 --bind-interfaces --no-ping --dhcp-range=10.90.0.100,10.90.0.150,12h \
  --dhcp-leasefile="$T/leases" --pid-file="$T/dnsmasq.pid" --log-facility="$T/dnsmasq.log" &
for i in $(seq 50); do [ -s "$T/dnsmasq.pid" ] && break; sleep 0.1; done
h "$KVMBOX" net setup --uplink eth0 > /dev/null 2>&1
TAP_ARP=$BUILD/musl/tests/net/tap_arp
[ -x "$TAP_ARP" ] || make -s BUILD="$BUILD" "$TAP_ARP" > /dev/null

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
has_addr() { h ip -4 -o addr show br0 | grep -q 'inet 10.90'; }
wait_addr() { for i in $(seq 2000); do has_addr && return 0; sleep 0.005; done; return 1; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

cat > "$T/udhcpc.sh" <<'SH'
#!/bin/sh
[ "$1" = bound ] && ip addr add "$ip/${mask:-24}" dev "$interface"
exit 0
SH
chmod +x "$T/udhcpc.sh"

ours=() peer=() own=()
for i in $(seq 7); do
  h ip -4 addr flush dev br0
  s=$(now_ms)
  ip netns exec ${N}h "$KVMBOX" net daemon --uplink eth0 --status "$T/status" > "$T/daemon.log" 2>&1 &
  d=$!
  wait_addr; e=$(now_ms); ours+=($((e - s)))
  kill $d; wait $d 2>/dev/null || true
  own+=("$(sed -n 's/.*(\([0-9]*\) us of it ours).*/\1/p' "$T/daemon.log" | head -1)")
  h ip -4 addr flush dev br0
  s=$(now_ms)
  h busybox udhcpc -i br0 -f -q -n -t 5 -T 1 -s "$T/udhcpc.sh" > /dev/null 2>&1
  wait_addr; e=$(now_ms); peer+=($((e - s)))
done
o=$(printf '%s\n' "${ours[@]}" | median); p=$(printf '%s\n' "${peer[@]}" | median)
w=$(printf '%s\n' "${own[@]}" | median)
printf '%-44s %8s %8s %7s\n' "DHCP start -> address on br0 (ms)" kvmbox udhcpc ratio
printf '%-44s %8s %8s %7sx\n' "" "$o" "$p" "$(ratio "$p" "$o")"
echo "kvmbox own processing in that exchange: ${w} us (target <= 100000 us)"

lib=()
for i in $(seq 7); do
  lib+=("$({ h "$TAP_ARP" br0 10.90.0.250 10.90.0.251 0 || true; } | sed -n 's/.*set-up \([0-9]*\) us/\1/p')")
done
l=$(printf '%s\n' "${lib[@]}" | median)
ours=() peer=()
for i in $(seq 7); do
  s=$(date +%s%N)
  h "$KVMBOX" net tap add kvb0 --bridge br0 > /dev/null
  e=$(date +%s%N); ours+=($(( (e - s) / 1000 )))
  h "$KVMBOX" net tap del kvb0
  s=$(date +%s%N)
  h ip tuntap add kvb1 mode tap vnet_hdr && h ip link set kvb1 master br0 up
  e=$(date +%s%N); peer+=($(( (e - s) / 1000 )))
  h ip link del kvb1
done
o=$(printf '%s\n' "${ours[@]}" | median); p=$(printf '%s\n' "${peer[@]}" | median)
printf '%-44s %8s %8s %7s\n' "tap + bridge port, as commands (us)" kvmbox "ip x2" ratio
printf '%-44s %8s %8s %7sx\n' "" "$o" "$p" "$(ratio "$p" "$o")"
echo "kvmbox tap + bridge port in-process (net_tap_open + net_bridge_add_port): ${l} us (target <= 5000 us)"
