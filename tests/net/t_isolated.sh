# Isolated mode: VMs on a private bridge (no uplink) talk to each other but
# not to the lab; a VM on the lab bridge does reach the lab.
# timeout: 60
. tests/lib.sh
. tests/net/netlib.sh
TAP_ARP=$BUILD/musl/tests/net/tap_arp
[ -x "$TAP_ARP" ] || fail "missing $TAP_ARP (make check builds it)"

# h: the workstation; lab: a machine on the lab network; vm1, vm2: two
# appliances of one isolated set, wired to h's private bridge.
mkns h; mkns lab; mkns vm1; mkns vm2
wire h eth0 lab eth0
ip -n "${NS_PREFIX}lab" addr add 10.63.0.1/24 brd + dev eth0
in_ns h "$KVMBOX" net setup --uplink eth0 > /dev/null 2>&1 || fail "lab bridge"
in_ns h "$KVMBOX" net setup --bridge kviso0 --isolated > "$T/out" 2>&1 || fail "isolated: $(cat "$T/out")"
grep -q "no uplink" "$T/out" || fail "isolated bridge reported an uplink"
in_ns h bridge link | grep_q 'master kviso0' && fail "isolated bridge has ports already"
for v in vm1 vm2; do
  wire h "p$v" "$v" eth0
  in_ns h "$KVMBOX" net tap add "t$v" --bridge kviso0 > /dev/null || fail "tap $v"
  in_ns h ip link set "p$v" master kviso0
done
ip -n "${NS_PREFIX}vm1" addr add 10.63.0.21/24 brd + dev eth0
ip -n "${NS_PREFIX}vm2" addr add 10.63.0.22/24 brd + dev eth0

in_ns vm1 busybox ping -c1 -W3 10.63.0.22 > "$T/out" 2>&1 || fail "vm1 cannot reach vm2: $(cat "$T/out")"
in_ns vm1 busybox ping -c2 -W2 10.63.0.1 > "$T/out" 2>&1 && fail "isolated vm1 reached the lab"
in_ns lab busybox ping -c2 -W2 10.63.0.21 > /dev/null 2>&1 && fail "the lab reached isolated vm1"
# A VM's own tap on the private bridge: same story at layer 2.
in_ns h "$TAP_ARP" kviso0 10.63.0.30 10.63.0.22 > "$T/out" 2>&1 || fail "tap cannot reach vm2: $(cat "$T/out")"
set +e; in_ns h "$TAP_ARP" kviso0 10.63.0.30 10.63.0.1 1000 > "$T/out" 2>&1; rc=$?; set -e
[ $rc = 3 ] || fail "tap on the isolated bridge reached the lab (rc $rc): $(cat "$T/out")"
# ... while a tap on the lab bridge does reach it.
in_ns h "$TAP_ARP" br0 10.63.0.31 10.63.0.1 > "$T/out" 2>&1 || fail "lab tap: $(cat "$T/out")"
in_ns h "$KVMBOX" net delete kviso0 || fail "delete"
in_ns h ip link show kviso0 > /dev/null 2>&1 && fail "kviso0 still there"
exit 0
