#!/bin/bash
# timeout: 150
# The SPICE server is killed and restarted: kvmbox spice reconnects with
# back-off and renders the new server's screen (its picture is dropped on
# disconnect, so a matching screenshot can only come from the new one).
. tests/lib.sh
. tests/spiceclient/lib.sh

port=$(pick_port)
start_qemu "$port"
echo secret > "$T/pw"
"$KVMBOX" spice "spice://127.0.0.1:$port" --password-file "$T/pw" -v \
  --screenshot "$T/ours.ppm" --after 20 2> "$T/client.err" &
client=$!
cleanup_hooks+=("kill $client 2>/dev/null")
sleep 5
kill -0 $client || fail "client ended early: $(cat "$T/client.err")"
stop_qemu
sleep 2
start_qemu "$port"
wait $client || fail "client exited $?: $(cat "$T/client.err")"
screendump "$T/qemu.ppm"
grep -q "reconnecting" "$T/client.err" || fail "client did not report reconnecting: $(cat "$T/client.err")"
pct=$(same_pct "$T/ours.ppm" "$T/qemu.ppm")
echo "after reconnect: $pct % identical pixels"
awk -v p="$pct" 'BEGIN { exit !(p >= 99) }' || fail "screenshot after reconnect only $pct % like QEMU's"
