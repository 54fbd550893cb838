# kvmbox net setup: bridge created, NIC enslaved, addressing moved, twice
# without change; taps with VLANs; and the faults (not a bridge, NIC taken,
# no NIC, permission denied) each answered with one clear line.
# timeout: 60
. tests/lib.sh
. tests/net/netlib.sh

mkns h; mkns p
wire h eth0 p eth0
ip -n "${NS_PREFIX}h" addr add 10.61.0.2/24 brd + dev eth0
ip -n "${NS_PREFIX}h" route add default via 10.61.0.1
ip -n "${NS_PREFIX}p" addr add 10.61.0.1/24 brd + dev eth0
mac=$(in_ns h cat /sys/class/net/eth0/address)

in_ns h "$KVMBOX" net setup --uplink eth0 > "$T/out" 2>&1 || fail "setup: $(cat "$T/out")"
in_ns h ip -d link show br0 | grep_q 'bridge forward_delay' || fail "br0 is not a bridge"
in_ns h bridge link | grep_q 'eth0.*master br0' || fail "eth0 not a port of br0"
[ "$(in_ns h cat /sys/class/net/br0/address)" = "$mac" ] || fail "br0 does not have the NIC's MAC"
in_ns h ip -4 addr show br0 | grep_q 'inet 10.61.0.2/24' || fail "address not moved to br0"
in_ns h ip -4 addr show eth0 | grep_q inet && fail "address left on eth0"
in_ns h ip route | grep_q "default via 10.61.0.1 dev br0" || fail "default route not moved: $(in_ns h ip route)"
in_ns h busybox ping -c1 -W2 10.61.0.1 > /dev/null || fail "no connectivity through br0"

# Idempotent: the second run succeeds and changes nothing.
snap() { # everything but the running timers
  { in_ns h ip -d link show; in_ns h ip addr; in_ns h ip route; in_ns h bridge link; } |
    sed -E 's/[a-z_]+_timer +[0-9.]+//g'
}
snap > "$T/before"
in_ns h "$KVMBOX" net setup --uplink eth0 > "$T/out" 2>&1 || fail "second setup: $(cat "$T/out")"
snap > "$T/after"
diff "$T/before" "$T/after" > "$T/diff" || fail "second setup changed things: $(cat "$T/diff")"
grep -q "created\|moved" "$T/out" && fail "second setup did work again"

# A persistent tap on the bridge, then removed.
in_ns h "$KVMBOX" net tap add vmtap0 --bridge br0 > "$T/out" 2>&1 || fail "tap add: $(cat "$T/out")"
in_ns h ip -d link show vmtap0 | grep_q 'tun type tap' || fail "vmtap0 is not a tap"
in_ns h bridge link | grep_q 'vmtap0.*master br0' || fail "tap not on br0"
in_ns h "$KVMBOX" net tap del vmtap0 || fail "tap del"
in_ns h ip link show vmtap0 > /dev/null 2>&1 && fail "tap still there"
in_ns h "$KVMBOX" net tap del vmtap0 || fail "tap del is not idempotent"

# Faults.
in_ns h ip link add notbr7 type veth peer name notbr7p
expect_status 1 in_ns h "$KVMBOX" net setup --bridge notbr7 --isolated
grep -q "notbr7 exists but is a veth link, not a bridge" "$T/err" || fail "not-a-bridge message: $(cat "$T/err")"
in_ns h ip link add br9 type bridge
expect_status 1 in_ns h "$KVMBOX" net setup --bridge br9 --uplink eth0
grep -q "uplink eth0 is already a port of another bridge" "$T/err" || fail "taken NIC message: $(cat "$T/err")"
mkns e
expect_status 1 in_ns e "$KVMBOX" net setup
grep -q "no wired Ethernet NIC found" "$T/err" || fail "no-NIC message: $(cat "$T/err")"
in_ns e ip -d link show br0 | grep_q bridge || fail "bridge not made without a NIC"
expect_status 1 in_ns e setpriv --reuid=65534 --regid=65534 --clear-groups \
  --inh-caps=-all --bounding-set=-all "$KVMBOX" net setup --bridge br5 --isolated
grep -q "permission denied" "$T/err" || fail "EPERM message: $(cat "$T/err")"
expect_status 1 in_ns h "$KVMBOX" net tap add t0 --bridge nosuchbr
grep -q "nosuchbr" "$T/err" || fail "missing bridge message: $(cat "$T/err")"
in_ns h ip link show t0 > /dev/null 2>&1 && fail "half-made tap left behind"
expect_status 2 in_ns h "$KVMBOX" net setup --bogus
expect_status 2 in_ns h "$KVMBOX" net tap add t0 --bridge br0 --vlan 4095
exit 0
