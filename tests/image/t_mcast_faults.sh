# Multicast faults: a receiver that joins late gets what it missed in later
# passes; packets forged for another session and malformed ones are counted
# and ignored; a receiver cut off from the group before the end completes
# from HTTP (python3 -m http.server, which ignores Range: the missing chunks
# are picked out of the whole body). All end with the same verified image.
# The sender wakes a MAC (Wake-on-LAN) first; r1 shows its progress.
# timeout: 180
. tests/lib.sh
. tests/image/mcastlib.sh

lab 3
random_file "$T/img" 32
want=$(sha256sum < "$T/img" | cut -d' ' -f1)
mkdir -p "$T/srv"; ln "$T/img" "$T/srv/img"
in_ns s python3 -m http.server -b 10.77.0.1 -d "$T/srv" 8077 > /dev/null 2>&1 &
cleanup_hooks+=("kill $! 2>/dev/null")

cat > "$T/forge.py" <<'PY'
import os, socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("10.77.0.1"))
to = ("239.255.77.1", 9077)
end = time.time() + float(sys.argv[1])
while time.time() < end:
    sid = struct.unpack("<Q", os.urandom(8))[0]
    # DATA of another session for chunk 0, garbage
    s.sendto(struct.pack("<IBBHQIII", 0x434d564b, 1, 2, 0, sid, 1, 0, 0) + os.urandom(1444), to)
    s.sendto(b"KVMC\x01\x02", to)                     # short
    s.sendto(os.urandom(200), to)                     # junk
    time.sleep(0.01)
PY

# A Wake-on-LAN listener: the sender wakes the lab before the session.
cat > "$T/wol.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 9))
open(sys.argv[1] + ".ready", "w").close()
data, addr = s.recvfrom(2048)
open(sys.argv[1], "wb").write(data)
PY
in_ns r1 python3 "$T/wol.py" "$T/wol" &
wait_for 10 test -e "$T/wol.ready" || fail "WoL listener did not start"

recv_start r1 --timeout 20 --progress
recv_start r2 --timeout 3 --http http://10.77.0.1:8077/img
in_ns s "$KVMBOX" image mcast-send "$T/img" --iface eth0 --wait-receivers 2 --wait 10 \
  --rate 8M --wol 00:11:22:33:44:55 > "$T/send.out" 2> "$T/send.err" &
SEND=$!
in_ns s python3 "$T/forge.py" 4 &
FORGE=$!
# r2 is cut off from the group once it has some of the image.
wait_for 30 has_part r2 4 || fail "r2 got nothing"
in_ns r2 nft add table netdev kvmcut
in_ns r2 nft add chain netdev kvmcut c "{ type filter hook ingress device eth0 priority 0; }"
in_ns r2 nft add rule netdev kvmcut c ip daddr 239.255.77.1 drop
recv_start r3 --timeout 20          # the late joiner
wait "$FORGE"
wait "$SEND" || { cat "$T"/*.err; fail "sender: $(tail -3 "$T/send.err")"; }
for r in r1 r2 r3; do
  recv_wait "$r" || fail "$r: $(tail -3 "$T/$r.err")"
  installed "$r" "$want" || fail "$r has no verified image"
done
grep -E "[1-9][0-9]* by HTTP" "$T/r2.err" > /dev/null || fail "r2 did not use HTTP: $(cat "$T/r2.err")"
grep -E "^mcast-recv: [1-9][0-9]* chunks by multicast" "$T/r2.err" > /dev/null || fail "r2 got nothing by multicast: $(cat "$T/r2.err")"
grep -E "[1-9][0-9]* from other sessions, [1-9][0-9]* malformed" "$T/r1.err" > /dev/null \
  || fail "r1 did not count the forged packets: $(tail -1 "$T/r1.err")"
[ "$(od -An -v -tx1 "$T/wol" | tr -d ' \n')" = "ffffffffffff$(printf '001122334455%.0s' $(seq 16))" ] \
  || fail "no magic packet for 00:11:22:33:44:55"
grep_q -E "100% .* done" "$T/r1.err" || fail "r1 showed no final progress: $(cat "$T/r1.err")"
grep_q "makes no progress\|silent" "$T/send.err" || fail "sender did not drop r2: $(cat "$T/send.err")"

# Pinning: a forger announces another image first; r3 (fresh store), told
# the digest of our manifest and of our image, ignores it (counted) and takes ours. The
# forger's sender, which nobody follows, says that no receiver came.
hex=$("$KVMBOX" image publish "$T/img" "$T/pub") || fail "publish failed"
pin=$(sha256sum < "$T/pub/images/$hex.img.manifest" | cut -d' ' -f1)
random_file "$T/other" 2
in_ns s "$KVMBOX" image mcast-send "$T/other" --iface eth0 --rate 4M \
  > "$T/forger.out" 2> "$T/forger.err" &
FORGER=$!
rm -rf "$T/r3"
recv_start r3 --timeout 20 --manifest-sha256 "$pin" --image-sha256 "$hex"
sleep 1
in_ns s "$KVMBOX" image mcast-send "$T/pub/images/$hex.img" --manifest "$T/pub/images/$hex.img.manifest" \
  --iface eth0 --wait-receivers 1 --wait 10 --rate 16M > "$T/send2.out" 2> "$T/send2.err" \
  || fail "pinned sender: $(tail -3 "$T/send2.err")"
recv_wait r3 || fail "pinned r3: $(tail -3 "$T/r3.err")"
installed r3 "$hex" || fail "pinned r3 has no verified image"
grep_q -E "[1-9][0-9]* announces of another image" "$T/r3.err" \
  || fail "r3 did not count the other image: $(tail -1 "$T/r3.err")"
wait "$FORGER" && fail "the unheard sender succeeded"
grep_q "no receiver came" "$T/forger.err" || fail "forger: $(tail -2 "$T/forger.err")"
cat "$T/send.out" "$T"/send.err "$T"/r*.err
exit 0
