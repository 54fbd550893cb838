#!/bin/busybox sh
# /init of the test-only L1 system of tests/net/t_vlan_l1.sh (never in the
# product): a Debian kernel whose bridge has VLAN filtering. VMs' network
# cards are played by tap_arp (a tap opened and put on the bridge the way
# `kvmbox vm run --net bridge=BR,vlan=N` does it); other machines are
# network namespaces. Prints "VLAN-TEST: PASS" or "VLAN-TEST: FAIL why".
/bin/busybox --install -s /bin
export PATH=/bin
ip() { /usr/bin/ip "$@"; }       # iproute2, not busybox's applets
bridge() { /usr/bin/bridge "$@"; }
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /run /tmp /var && mount -t tmpfs run /run && ln -s /run /var/run
for m in $(cat /modules/net.list); do insmod "$m" 2>/dev/null; done
finish() { echo "VLAN-TEST: $*"; sync; poweroff -f; sleep 10; }
fail() { finish "FAIL $*"; }
# arp BRIDGE_SPEC MY_IP PEER [WAIT_MS] : tap_arp's exit status.
arp() { tap_arp "$@" > /tmp/arp.out 2>&1; echo $?; }
ns() { n=$1; shift; ip netns exec "$n" "$@"; }
ip link set lo up

# The lab: untagged and VLAN 10 tagged behind br0's uplink eth0.
ip netns add lab > /tmp/out 2>&1 || fail "no network namespaces: $(cat /tmp/out)"
ip link add eth0 type veth peer name lab0 netns lab || fail "veth"
ns lab ip link set lab0 up
ns lab ip link add link lab0 name lab0.10 type vlan id 10 || fail "no 8021q"
ns lab ip addr add 10.65.0.1/24 brd + dev lab0.10
ns lab ip link set lab0.10 up
kvmbox net setup --uplink eth0 > /tmp/out 2>&1 || fail "br0: $(cat /tmp/out)"

# Bridged appliance on VLAN 10: its tap is an access port, the uplink a trunk.
r=$(arp br0,vlan=10 10.65.0.30 10.65.0.1 5000)
[ "$r" = 0 ] || fail "VLAN 10 tap did not reach the lab's VLAN 10 (rc $r): $(cat /tmp/arp.out)"
bridge -d link show > /dev/null
ip -d link show br0 | grep -q 'vlan_filtering 1' || fail "VLAN filtering not turned on"
bridge vlan show dev eth0 | grep -qw 10 || fail "uplink is not a trunk of VLAN 10: $(bridge vlan show)"
r=$(arp br0,vlan=20 10.65.0.31 10.65.0.1 1500)
[ "$r" = 3 ] || fail "VLAN 20 tap reached the lab's VLAN 10 (rc $r)"
r=$(arp br0,vlan=4095 10.65.0.32 10.65.0.1 500)
[ "$r" = 1 ] || fail "VLAN 4095 was accepted (rc $r)"
grep -q "vlan=N" /tmp/arp.out || fail "unclear message for VLAN 4095: $(cat /tmp/arp.out)"

# An isolated set on its private bridge: VM 1 on VLAN 10, VM 2 on VLAN 20.
kvmbox net setup --bridge kvi-t --isolated --vlan-filtering > /tmp/out 2>&1 ||
  fail "kvi-t: $(cat /tmp/out)"
for v in 1 2; do
  ip netns add vm$v
  ip link add pvm$v type veth peer name eth0 netns vm$v
  ip link set pvm$v master kvi-t up
  ns vm$v ip addr add 10.64.0.2$v/24 brd + dev eth0
  ns vm$v ip link set eth0 up
  ns vm$v ip link set lo up
done
kvmbox net vlan pvm1 10 > /tmp/out 2>&1 || fail "vlan pvm1: $(cat /tmp/out)"
kvmbox net vlan pvm2 20 > /tmp/out 2>&1 || fail "vlan pvm2: $(cat /tmp/out)"
r=$(arp kvi-t,vlan=10 10.64.0.30 10.64.0.21 5000)
[ "$r" = 0 ] || fail "two VMs on VLAN 10 do not talk (rc $r): $(cat /tmp/arp.out)
$(bridge vlan show; bridge link; ns vm1 ip addr; cat /sys/class/net/kvi-t/addr_assign_type)"
r=$(arp kvi-t,vlan=10 10.64.0.31 10.64.0.22 1500)
[ "$r" = 3 ] || fail "VLAN 10 reached VLAN 20 (rc $r)"
r=$(arp kvi-t,vlan=20 10.64.0.32 10.64.0.22 5000)
[ "$r" = 0 ] || fail "two VMs on VLAN 20 do not talk (rc $r): $(cat /tmp/arp.out)"
ns vm1 ping -c1 -W2 10.64.0.22 > /dev/null 2>&1 && fail "VM 1 (VLAN 10) pinged VM 2 (VLAN 20)"
# The isolated bridge has no uplink: the lab's VLAN 10 is not there.
r=$(arp kvi-t,vlan=10 10.64.0.33 10.65.0.1 1500)
[ "$r" = 3 ] || fail "the isolated set reached the lab (rc $r)"
finish PASS
