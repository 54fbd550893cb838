# The network is never waited for: no NIC, a NIC without carrier, no DHCP
# server — each reported as offline at once while the daemon keeps trying,
# and each recovered from as soon as it is fixed.
# timeout: 120
. tests/lib.sh
. tests/net/netlib.sh

mkns h; mkns s
S=$NET_STATUS
start_daemon h --uplink eth0
wait_for 2 status_is "$S" state offline || fail "no offline status without a NIC"
grep -q "eth0.*waiting for one" "$T/daemon.log" || fail "no log line for the missing NIC: $(cat "$T/daemon.log")"

# The NIC appears, cable unplugged (the peer end is down).
ip link add eth0 netns "${NS_PREFIX}h" type veth peer name eth0 netns "${NS_PREFIX}s"
ip -n "${NS_PREFIX}h" link set eth0 up
wait_for 2 status_is "$S" uplink eth0 || fail "NIC not adopted: $(cat "$T/daemon.log")"
status_is "$S" carrier no || fail "carrier should be no"
status_is "$S" state offline || fail "state should be offline"
in_ns h bridge link | grep_q 'eth0.*master br0' || fail "NIC not a port of br0"

# Cable in, but no DHCP server: configuring, then offline, never stuck.
ip -n "${NS_PREFIX}s" addr add 10.66.0.1/24 brd + dev eth0
ip -n "${NS_PREFIX}s" link set eth0 up
wait_for 2 status_is "$S" carrier yes || fail "carrier not seen"
status_is "$S" state configuring || fail "state should be configuring: $(grep state "$S")"
wait_for 12 status_is "$S" state offline || fail "never reported offline without a server"

# A hostile or broken host floods port 68 with junk: logged, ignored, no crash.
cat > "$T/junk.py" <<'PY'
import os, socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.bind(("10.66.0.1", 67))
cookie = bytes([99, 130, 83, 99])
for i in range(200):
    head = bytes([2, 1, 6, 0]) + os.urandom(232) + cookie
    junk = [os.urandom(i % 300), head, head + bytes([53, 1, 2, 54, 200]),
            head + bytes([53, 1, 5, 1, 4, 255, 0, 255, 0, 255])][i % 4]
    s.sendto(junk, ("255.255.255.255", 68))
PY
in_ns s python3 "$T/junk.py" || fail "junk sender"
wait_for 3 sh -c "grep -q 'ignored a malformed reply' '$T/daemon.log'" || fail "junk not reported"
[ "$(grep -c 'ignored a malformed reply' "$T/daemon.log")" -le 12 ] || fail "junk floods the log"
kill -0 "$DAEMON_PID" || fail "daemon died on junk"

# The server comes up: online at the next DISCOVER (back-off below 16 s here).
start_dnsmasq s eth0 10.66.0.100 10.66.0.150
wait_for 20 status_is "$S" state online || fail "not online once the server came: $(tail "$T/daemon.log")"
[ "$(grep -c 'DHCPDISCOVER' "$T/dnsmasq.log")" -ge 1 ] || fail "no DISCOVER seen"
kill -0 "$DAEMON_PID" || fail "daemon died"
exit 0
