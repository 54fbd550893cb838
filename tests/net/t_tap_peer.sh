# A VM's tap (opened as the VMM opens it) reaches a peer namespace through
# the lab bridge, and disappears when the VM closes it.
# timeout: 60
. tests/lib.sh
. tests/net/netlib.sh
TAP_ARP=$BUILD/musl/tests/net/tap_arp
[ -x "$TAP_ARP" ] || fail "missing $TAP_ARP (make check builds it)"

mkns h; mkns p
wire h eth0 p eth0
ip -n "${NS_PREFIX}p" addr add 10.62.0.1/24 brd + dev eth0
in_ns h "$KVMBOX" net setup --uplink eth0 > /dev/null 2>&1 || fail "setup"

in_ns h "$TAP_ARP" br0 10.62.0.77 10.62.0.1 > "$T/out" 2>&1 || fail "no ARP reply through the bridge: $(cat "$T/out")"
peer_mac=$(in_ns p cat /sys/class/net/eth0/address)
grep -q "reply from $peer_mac" "$T/out" || fail "reply not from the peer: $(cat "$T/out")"
grep -q "set-up [0-9]* us" "$T/out" || fail "no set-up time"
in_ns h ip -o link show | grep_q kvt && fail "tap left behind after the VM ended"
# The peer learnt the VM's address from the ARP exchange.
in_ns p ip neigh show 10.62.0.77 | grep_q lladdr || fail "peer has no neighbour entry for the VM"
exit 0
