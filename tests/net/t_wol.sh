# Wake-on-LAN: magic packets (with and without a SecureOn password) arrive
# byte-exact at a listener on the LAN; wol-enable and bad input fail clearly.
# timeout: 60
. tests/lib.sh
. tests/net/netlib.sh

mkns h; mkns p
wire h eth0 p eth0
ip -n "${NS_PREFIX}h" addr add 10.67.0.2/24 brd + dev eth0
ip -n "${NS_PREFIX}p" addr add 10.67.0.1/24 brd + dev eth0
cat > "$T/listen.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sys.argv[1])))
open(sys.argv[2] + ".ready", "w").close()
for i in range(int(sys.argv[3])):
    data, addr = s.recvfrom(2048)
    open("%s.%d" % (sys.argv[2], i), "wb").write(data)
PY
in_ns p python3 "$T/listen.py" 9 "$T/got" 3 &
wait_for 5 test -e "$T/got.ready" || fail "listener did not start"

in_ns h "$KVMBOX" net wol 00:11:22:33:44:55 aa-bb-cc-dd-ee-ff --iface eth0 || fail "wol"
in_ns h "$KVMBOX" net wol 00:11:22:33:44:55 --iface eth0 --password 01:02:03:04:05:06 || fail "wol with password"
wait_for 5 test -e "$T/got.2" || fail "not all 3 packets arrived"
expect() { # mac-hex password-hex file
  { printf 'ffffffffffff'; for i in $(seq 16); do printf '%s' "$1"; done; printf '%s' "$2"; } > "$T/want.hex"
  [ "$(od -An -v -tx1 "$3" | tr -d ' \n')" = "$(cat "$T/want.hex")" ] || fail "bytes of $3: $(od -An -tx1 "$3")"
}
expect 001122334455 "" "$T/got.0"
expect aabbccddeeff "" "$T/got.1"
expect 001122334455 010203040506 "$T/got.2"
[ "$(stat -c %s "$T/got.2")" = 108 ] || fail "SecureOn packet size"

expect_status 2 in_ns h "$KVMBOX" net wol 00:11:22:33:44
grep -q "bad MAC address '00:11:22:33:44'" "$T/err" || fail "bad MAC message"
expect_status 2 in_ns h "$KVMBOX" net wol 00:11:22:33:44:55 --password 12345
expect_status 2 in_ns h "$KVMBOX" net wol
expect_status 1 in_ns h "$KVMBOX" net wol-enable eth0
grep -q "eth0: the driver has no Wake-on-LAN support" "$T/err" || fail "wol-enable message: $(cat "$T/err")"
expect_status 1 in_ns h "$KVMBOX" net wol-enable nosuch0
grep -q "nosuch0: No such device" "$T/err" || fail "wol-enable missing NIC: $(cat "$T/err")"
exit 0
