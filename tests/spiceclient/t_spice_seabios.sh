#!/bin/bash
# timeout: 150
# kvmbox spice against QEMU's SPICE server (qxl, SeaBIOS text screen):
# authenticates, renders off-screen, and its screenshot matches QEMU's own
# screendump (>= 99 % identical pixels), with LZ, LZ4, GLZ and QUIC images;
# a wrong or missing password and an unreachable server fail clearly.
. tests/lib.sh
. tests/spiceclient/lib.sh

port=$(pick_port)
start_qemu "$port"
echo secret > "$T/pw"
echo wrong > "$T/bad"
url=spice://127.0.0.1:$port

for comp in lz lz4 glz quic; do
  "$KVMBOX" spice "$url" --password-file "$T/pw" --compression $comp \
    --screenshot "$T/ours-$comp.ppm" --after 6 2> "$T/err-$comp" ||
    fail "spice ($comp) exited $?: $(cat "$T/err-$comp")"
  screendump "$T/qemu-$comp.ppm"
  pct=$(same_pct "$T/ours-$comp.ppm" "$T/qemu-$comp.ppm")
  echo "$comp: $pct % identical pixels"
  awk -v p="$pct" 'BEGIN { exit !(p >= 99) }' || fail "$comp screenshot only $pct % like QEMU's"
done

expect_status 3 "$KVMBOX" spice "$url" --password-file "$T/bad" --screenshot "$T/x.ppm" --after 5
grep -q "wrong password" "$T/err" || fail "no clear error for a wrong password: $(cat "$T/err")"
expect_status 3 "$KVMBOX" spice "$url" --screenshot "$T/x.ppm" --after 5
[ ! -e "$T/x.ppm" ] || fail "a refused client wrote a screenshot"

stop_qemu
expect_status 1 "$KVMBOX" spice "$url" --password-file "$T/pw" --screenshot "$T/x.ppm" --after 5
grep -q "cannot reach" "$T/err" || fail "no clear error for an unreachable server: $(cat "$T/err")"
expect_status 2 "$KVMBOX" spice "http://127.0.0.1:$port"
expect_status 1 "$KVMBOX" spice "$url" --fullscreen --screen "$T/no-such-card"
grep -q "fullscreen:.*no-such-card" "$T/err" || fail "--fullscreen should say why it fails: $(cat "$T/err")"
expect_status 2 "$KVMBOX" spice "$url" --screen /dev/dri/card0
echo "all good"
