# kvmbox net daemon against a real dnsmasq in a namespace: lease obtained and
# applied (address, route, status file), renewed at T1, carrier loss seen
# within 1 s and a renewal at once when it returns, a NAK handled.
# timeout: 120
. tests/lib.sh
. tests/net/netlib.sh

mkns h; mkns s
wire h eth0 s eth0
ip -n "${NS_PREFIX}s" addr add 10.64.0.1/24 brd + dev eth0
start_dnsmasq s eth0 10.64.0.100 10.64.0.150 --dhcp-option=option:router,10.64.0.1 \
  --dhcp-option=option:dns-server,10.64.0.53 --dhcp-option=option:T1,2 \
  --dhcp-option=option:T2,4
start_daemon h --uplink eth0 --hostname labpc7 --resolv-conf "$T/resolv.conf"
S=$NET_STATUS

wait_for 15 status_is "$S" state online || fail "no lease: $(cat "$S" "$T/daemon.log")"
addr=$(sed -n 's/^address = //p' "$S")
case $addr in 10.64.0.1[0-5][0-9]/24) ;; *) fail "address '$addr'" ;; esac
in_ns h ip -4 addr show br0 | grep_q "inet $addr .*dynamic" || fail "address not on br0"
in_ns h ip route | grep_q "default via 10.64.0.1 dev br0" || fail "no default route"
status_is "$S" router 10.64.0.1 || fail "router in status"
status_is "$S" dns 10.64.0.53 || fail "dns in status"
status_is "$S" carrier yes || fail "carrier in status"
grep -q "client provides name: labpc7" "$T/dnsmasq.log" || fail "hostname not sent"
grep -qx "nameserver 10.64.0.53" "$T/resolv.conf" || fail "resolv.conf: $(cat "$T/resolv.conf")"
in_ns h "$KVMBOX" net status --status "$S" > "$T/show" || fail "net status"
grep -q "^br0 .*bridge .*${addr%/24}/24 (lease [0-9]*s left)" "$T/show" || fail "net status: $(cat "$T/show")"
grep -q "^eth0 .*br0" "$T/show" || fail "net status shows no bridge port"

# Renewal at T1 (2 s): the server sees a REQUEST and ACKs it, twice.
wait_for 10 sh -c "[ \$(grep -c 'dhcp: renewed' '$T/daemon.log') -ge 2 ]" || fail "no renewals: $(cat "$T/daemon.log")"
[ "$(grep -c DHCPDISCOVER "$T/dnsmasq.log")" = 1 ] || fail "renewal went back to DISCOVER"

# Someone removes the address by hand: it comes back, with the lease's lifetime.
in_ns h ip addr del "$addr" dev br0
wait_for 2 sh -c "ip netns exec ${NS_PREFIX}h ip -4 addr show br0 | grep -q 'inet $addr .*dynamic'" \
  || fail "removed address not restored"

# Carrier loss (the switch port goes down) is seen within 1 s.
ip -n "${NS_PREFIX}s" link set eth0 down
wait_for 1 status_is "$S" carrier no || fail "carrier loss not seen within 1 s"
status_is "$S" state offline || fail "state not offline without carrier"
# Carrier back: the lease is confirmed at once, not at the next T1.
renewed=$(grep -c 'dhcp: renewed' "$T/daemon.log")
ip -n "${NS_PREFIX}s" link set eth0 up
wait_for 3 status_is "$S" state online || fail "not online again after carrier returned"
wait_for 2 sh -c "[ \$(grep -c 'dhcp: renewed' '$T/daemon.log') -gt $renewed ]" || fail "no renewal after carrier returned"

# The server changes its mind: a new dnsmasq with another range NAKs our
# lease; we drop the address and get a new one.
stop_dnsmasq
start_dnsmasq s eth0 10.64.0.200 10.64.0.210 --dhcp-authoritative \
  --dhcp-option=option:router,10.64.0.1 --dhcp-option=option:T1,2 --dhcp-option=option:T2,4
wait_for 20 sh -c "grep -q 'address = 10.64.0.2[01][0-9]/24' '$S'" || fail "no new lease after NAK: $(tail "$T/daemon.log")"
grep -q "NAK" "$T/daemon.log" || fail "NAK not logged"
grep -q "DHCPNAK" "$T/dnsmasq.log" || fail "dnsmasq sent no NAK"
in_ns h ip -4 addr show br0 | grep_q "inet ${addr%/24}/" && fail "old address still on br0"
kill -0 "$DAEMON_PID" || fail "daemon died"
kill "$DAEMON_PID"; wait "$DAEMON_PID" || fail "daemon exit status $?"

# Restarted (as init does after a crash): the lease on br0 is confirmed, not
# replaced: no new DISCOVER, same address.
addr=$(sed -n 's/^address = //p' "$S")
discovers=$(grep -c DHCPDISCOVER "$T/dnsmasq.log")
start_daemon h --uplink eth0
wait_for 5 sh -c "grep -q 'dhcp: renewed ${addr}' '$T/daemon.log'" || fail "lease not confirmed after restart: $(cat "$T/daemon.log")"
grep -q "found ${addr} on br0" "$T/daemon.log" || fail "existing lease not found"
[ "$(grep -c DHCPDISCOVER "$T/dnsmasq.log")" = "$discovers" ] || fail "restart sent a DISCOVER"
status_is "$S" address "$addr" || fail "status after restart"
exit 0
