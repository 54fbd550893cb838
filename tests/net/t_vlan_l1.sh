# Per-appliance VLANs where the kernel has bridge VLAN filtering (the host
# kernel here does not, so tests/net/t_vlan.sh skips): an L1 Debian kernel
# under QEMU TCG runs tests/net/vlan_l1_init.sh. A VM's tap put on
# "BR,vlan=N" (what `kvmbox vm run --net bridge=BR,vlan=N` does) is an
# access port of VLAN N and the uplink a trunk: two VMs on VLAN 10 talk,
# one on VLAN 20 does not reach them, the lab's tagged VLAN 10 is reached
# through br0 but not from an isolated bridge.
# timeout: 240
. tests/lib.sh
. tests/screen/lib.sh
TAP_ARP=$BUILD/musl/tests/net/tap_arp
[ -x "$TAP_ARP" ] || fail "missing $TAP_ARP (make check builds it)"
for tool in ip bridge ldd; do command -v $tool > /dev/null || skip "$tool missing"; done

l1_root tests/net/vlan_l1_init.sh
cp "$TAP_ARP" "$L1ROOT/bin/"
# iproute2 (network namespaces, VLAN devices, `bridge vlan`) with its libraries.
for b in $(command -v ip) $(command -v bridge); do
  mkdir -p "$L1ROOT/usr/bin"
  cp "$b" "$L1ROOT/usr/bin/"
  for lib in $(ldd "$b" | grep -oE '/[^ ]+'); do
    mkdir -p "$L1ROOT$(dirname "$lib")"
    cp -L "$lib" "$L1ROOT$lib"
  done
done
l1_modules net.list bridge tun veth 8021q
l1_pack
log=$T/serial.log
for try in 1 2; do
  l1_start "$log" "" -nic none
  wait_log "$log" 150 '^VLAN-TEST: ' && break
  echo "attempt $try: no verdict; serial tail:"; tail -n 20 "$log"
  l1_stop
  [ $try = 2 ] && fail "the L1 test never finished"
done
l1_stop
grep -E '^VLAN-TEST: ' "$log"
grep -q '^VLAN-TEST: PASS' "$log" || { tail -n 60 "$log"; fail "$(grep -E '^VLAN-TEST: ' "$log")"; }
echo pass
