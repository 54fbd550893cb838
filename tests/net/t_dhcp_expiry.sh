# The DHCP server goes away for good: renewing and rebinding fail, and at
# lease expiry (dnsmasq's shortest lease, 2 min) the address is removed and
# the menu is told; the daemon keeps asking in the background.
# timeout: 240
. tests/lib.sh
. tests/net/netlib.sh

mkns h; mkns s
wire h eth0 s eth0
ip -n "${NS_PREFIX}s" addr add 10.65.0.1/24 brd + dev eth0
start_dnsmasq s eth0 10.65.0.100 10.65.0.150 --dhcp-option=option:T1,5 \
  --dhcp-option=option:T2,10
start_daemon h --uplink eth0
S=$NET_STATUS
wait_for 15 status_is "$S" state online || fail "no lease: $(cat "$T/daemon.log")"
addr=$(sed -n 's/^address = //p' "$S")
bound_at=$(date +%s)
stop_dnsmasq

# Before expiry: still online with the address (rebinding in the background).
sleep 20
status_is "$S" state online || fail "lease dropped before expiry"
in_ns h ip -4 addr show br0 | grep_q "inet $addr" || fail "address gone before expiry"
wait_for 130 sh -c "grep -q 'lease expired' '$T/daemon.log'" || fail "lease never expired"
took=$(( $(date +%s) - bound_at ))
[ $took -ge 115 ] && [ $took -le 130 ] || fail "expired after ${took}s, lease was 120s"
wait_for 2 status_is "$S" address "" || fail "status still has an address"
grep -Eq '^state = (configuring|offline)$' "$S" || fail "state: $(grep state "$S")"
in_ns h ip -4 addr show br0 | grep_q "inet " && fail "address still on br0"
grep -q "address removed (lease expired" "$T/daemon.log" || fail "no log line for the expiry"
kill -0 "$DAEMON_PID" || fail "daemon gave up"
exit 0
