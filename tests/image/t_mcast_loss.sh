# Multicast to 4 receivers on a bridge, each link dropping 0 %, 1 % and 10 %
# of what arrives (nftables): every receiver ends with the same verified
# image in its store, with the sender and all receivers reporting success.
# timeout: 240
. tests/lib.sh
. tests/image/mcastlib.sh

lab 4
random_file "$T/img" 48
want=$(sha256sum < "$T/img" | cut -d' ' -f1)
for pct in 0 1 10; do
  for r in r1 r2 r3 r4; do
    in_ns "$r" nft delete table netdev kvmloss 2>/dev/null || true
    loss "$r" "$pct"
    rm -rf "${T:?}/$r"
    recv_start "$r" --timeout 20
  done
  in_ns s "$KVMBOX" image mcast-send "$T/img" --iface eth0 --wait-receivers 4 --wait 10 \
    > "$T/send.out" 2> "$T/send.err" || fail "$pct %: sender: $(tail -3 "$T/send.err")"
  for r in r1 r2 r3 r4; do
    recv_wait "$r" || fail "$pct %: $r: $(tail -3 "$T/$r.err")"
    installed "$r" "$want" || fail "$pct %: $r has no verified image"
    [ "$(tail -1 "$T/$r.out")" = "$want" ] || fail "$pct %: $r printed $(tail -1 "$T/$r.out")"
  done
  echo "$pct % loss: $(cat "$T/send.out")"
done
exit 0
