# kvmbox net daemon --mode static: the address and route are applied on the
# bridge, the status says online while the carrier is there; --mode off
# keeps the bridge without an address; bad modes are usage errors.
# timeout: 60
. tests/lib.sh
. tests/net/netlib.sh

mkns h; mkns p
wire h eth0 p eth0
ip -n "${NS_PREFIX}p" addr add 10.68.0.1/24 brd + dev eth0
start_daemon h --uplink eth0 --mode static:10.68.0.5/24,10.68.0.1
S=$NET_STATUS
wait_for 3 status_is "$S" state online || fail "not online: $(cat "$S" "$T/daemon.log")"
status_is "$S" address 10.68.0.5/24 || fail "address in status"
status_is "$S" router 10.68.0.1 || fail "router in status"
in_ns h ip -4 addr show br0 | grep_q 'inet 10.68.0.5/24' || fail "address not on br0"
in_ns h ip route | grep_q 'default via 10.68.0.1 dev br0' || fail "no default route"
in_ns h busybox ping -c1 -W2 10.68.0.1 > /dev/null || fail "no connectivity"
ip -n "${NS_PREFIX}p" link set eth0 down
wait_for 1 status_is "$S" state offline || fail "carrier loss not seen within 1 s"
kill "$DAEMON_PID"; wait "$DAEMON_PID" || fail "daemon exit status"

in_ns h ip -4 addr flush dev br0
rm -f "$S"
start_daemon h --uplink eth0 --mode off
wait_for 3 test -s "$S" || fail "no status with --mode off"
status_is "$S" state offline || fail "mode off must say offline"
status_is "$S" address "" || fail "mode off must have no address"
sleep 1
in_ns h ip -4 addr show br0 | grep_q inet && fail "mode off configured an address"
expect_status 2 in_ns h "$KVMBOX" net daemon --mode static:10.0.0.1
grep -q "needs /PREFIX" "$T/err" || fail "bad static mode message"
expect_status 2 in_ns h "$KVMBOX" net daemon --mode bogus
exit 0
