# Per-appliance VLANs: VLAN filtering on the bridge, a VM tap as an access
# port of its VLAN, the uplink as a trunk. Skipped on kernels without
# bridge VLAN filtering (after checking that we say so clearly).
# timeout: 60
. tests/lib.sh
. tests/net/netlib.sh

mkns h; mkns p
wire h eth0 p eth0
in_ns h "$KVMBOX" net setup --uplink eth0 > /dev/null 2>&1 || fail "setup"
if ! in_ns h ip link set br0 type bridge vlan_filtering 1 2>/dev/null; then
  expect_status 1 in_ns h "$KVMBOX" net setup --uplink eth0 --vlan-filtering
  grep -q "not supported by this kernel" "$T/err" || fail "unclear message: $(cat "$T/err")"
  skip "this kernel has no bridge VLAN filtering"
fi
in_ns h ip link set br0 type bridge vlan_filtering 0
in_ns h "$KVMBOX" net setup --uplink eth0 --vlan-filtering > /dev/null 2>&1 || fail "vlan filtering"
in_ns h ip -d link show br0 | grep_q 'vlan_filtering 1' || fail "vlan_filtering not on"
in_ns h "$KVMBOX" net tap add vmtap0 --bridge br0 --vlan 20 > "$T/out" 2>&1 || fail "tap add: $(cat "$T/out")"
in_ns h ip -d link show vmtap0 | grep_q 'tun type tap' || fail "vmtap0 is not a tap"
in_ns h bridge link | grep_q 'vmtap0.*master br0' || fail "tap not on br0"
in_ns h bridge vlan show dev vmtap0 | grep_q '20 PVID Egress Untagged' || fail "VLAN 20: $(in_ns h bridge vlan show dev vmtap0)"
in_ns h bridge vlan show dev vmtap0 | grep_q -w '1' && fail "VLAN 1 still on the access port"
in_ns h "$KVMBOX" net vlan eth0 20 --trunk || fail "trunk"
in_ns h bridge vlan show dev eth0 | grep_q -w 20 || fail "VLAN 20 not on the uplink"
in_ns h "$KVMBOX" net tap del vmtap0 || fail "tap del"
in_ns h ip link show vmtap0 > /dev/null 2>&1 && fail "tap still there"
in_ns h "$KVMBOX" net tap del vmtap0 || fail "tap del is not idempotent"

expect_status 2 in_ns h "$KVMBOX" net tap add t0 --bridge br0 --vlan 4095
exit 0
