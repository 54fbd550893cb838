# virtio-net: a tiny guest sends an Ethernet frame; it arrives on the tap
# (IFF_VNET_HDR) inside a network namespace made for this test.
# timeout: 120
. tests/lib.sh
. tests/kvm/lib.sh
command -v python3 >/dev/null || skip "python3 missing"
[ "$(id -u)" = 0 ] || skip "needs root for a network namespace"

ns=kvmbox-vmnet-$$ tap=kvt$$
ip netns add "$ns" || skip "cannot create a network namespace"
cleanup_hooks+=("ip netns del $ns")
ip netns exec "$ns" ip tuntap add dev "$tap" mode tap vnet_hdr
ip netns exec "$ns" ip link set "$tap" up

cat > "$T/recv.py" <<'PY'
import select, socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x88b5))
s.bind((sys.argv[1], 0))
open(sys.argv[2], "w").close()
r, _, _ = select.select([s], [], [], 60)
print(s.recv(2048)[14:29].decode(errors="replace") if r else "nothing")
PY
ip netns exec "$ns" python3 "$T/recv.py" "$tap" "$T/ready" > "$T/frame" &
rx=$!
for _ in $(seq 50); do [ -f "$T/ready" ] && break; sleep 0.1; done
expect_status 0 timeout 60 ip netns exec "$ns" "$KVMBOX" vm run --kernel "$GUEST" \
  --mem 64 --cmdline net --net "tap=$tap" < /dev/null
wait $rx
grep -q '^net sent$' "$T/out" || fail "guest did not send: $(cat "$T/out")"
[ "$(cat "$T/frame")" = kvmbox-net-test ] || fail "tap got '$(cat "$T/frame")'"
echo "all good"
