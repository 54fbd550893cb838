# The test card on a DRM/KMS screen, as a person would see it: L1 boots the
# Debian kernel under QEMU with a std-VGA display whose native mode is
# 1280x720 and loads the bochs DRM driver; QMP screendumps must show the
# card at that mode exactly as `kvmbox screen render` draws it, keys and
# absolute pointer moves injected with QMP must reach kvmbox (the input
# drivers are loaded after it started: hot-plug), the pointer must move on
# screen, and `kvmbox screen shot` in L1 must equal QEMU's screendump.
# Unplugging the tablet drops it and plugging it again brings it back;
# page flips (at vsync) must work.
# timeout: 600
. tests/lib.sh
. tests/screen/lib.sh

l1_root tests/screen/l1_init.sh
l1_modules display.list bochs
l1_modules input.list evdev virtio_pci virtio_input
l1_pack
"$KVMBOX" screen render 1280x720 "$T/expected.ppm"
log=$T/serial.log
l1_boot "$log" 120 'input: event.*tablet' "L1 never reached the test card with input" \
  "screentest=drm" -vga none -device VGA,xres=1280,yres=720 -device virtio-tablet-pci
wait_log "$log" 60 'input: event.*keyboard' || fail "keyboard not hot-plugged"
grep -qE 'output Virtual-1: connected, native 1280x720' "$log" ||
  grep -qE 'output .*: connected, native 1280x720' "$log" || fail "native mode not reported"
wait_log "$log" 15 '^screen drm /dev/dri/card0 1280x720' || fail "not on DRM at 1280x720"

# 1. The card as drawn off-screen, the pointer in the middle.
screendump "$T/card.ppm"
ppm png "$T/card.ppm" "$SHOTS/screen-drm-card.png" # to look at
[ "$(ppm size "$T/card.ppm")" = "1280 720" ] || fail "screendump is $(ppm size "$T/card.ppm")"
bad=$(ppm diff "$T/card.ppm" "$T/expected.ppm" 640,360,12,19)
[ "$bad" = 0 ] || fail "$bad pixels differ from the rendered card"
for bar in 0:ffffff 1:ffff00 2:00ffff 3:00ff00 4:ff00ff 5:ff0000 6:0000ff 7:000000; do
  x=$(( ${bar%%:*} * 160 + 80 ))
  [ "$(ppm pixel "$T/card.ppm" $x 100)" = "${bar#*:}" ] || fail "bar at x=$x is not ${bar#*:}"
done
[ "$(ppm pixel "$T/card.ppm" 640 360)" = 000000 ] || fail "no pointer tip at the centre"

# 2. Keys typed with QMP arrive as Linux key codes (a = 30, ret = 28).
send_key a; send_key ret
wait_log "$log" 30 'event key code 30 value 1' || fail "key a not seen"
wait_log "$log" 30 'event key code 28 value 0' || fail "release of Enter not seen"

# 3. An absolute move to (1/2, 1/4) puts the pointer at (640, 180).
send_abs 16384 8192
wait_log "$log" 30 '^cursor 640 180' || fail "pointer did not follow the tablet"
wait_log "$log" 60 '^L1: SHOT ' || fail "no screenshot from L1"
screendump "$T/moved.ppm"
ppm png "$T/moved.ppm" "$SHOTS/screen-drm-moved.png"
[ "$(ppm pixel "$T/moved.ppm" 640 180)" = 000000 ] || fail "pointer not drawn at 640,180"
[ "$(ppm pixel "$T/moved.ppm" 641 182)" = ffffff ] || fail "pointer fill not at 641,182"
bad=$(ppm diff "$T/moved.ppm" "$T/expected.ppm" 640,180,12,19)
[ "$bad" = 0 ] || fail "$bad pixels differ after the move (old pointer left behind?)"

# 4. kvmbox's own screenshot in L1 is what QEMU shows.
want=$(sed -n 's/^L1: SHOT \([0-9a-f]\{64\}\).*/\1/p' "$log" | tail -1)
got=$(sha256sum < "$T/moved.ppm" | cut -d' ' -f1)
[ "$want" = "$got" ] || fail "kvmbox screen shot ($want) differs from the screendump ($got)"
# 5. Unplugged, the tablet is dropped; plugged again, it is back (hot-plug).
wait_log "$log" 60 'input: event[0-9]* removed .*Tablet' || fail "unplugged tablet not dropped"
wait_log "$log" 60 '^L1: tablet plugged' || fail "tablet not plugged again"
for _ in $(seq 1 100); do
  [ "$(grep -c 'input: event[0-9]* added: .*tablet' "$log")" -ge 2 ] && break
  sleep 0.2
done
[ "$(grep -c 'input: event[0-9]* added: .*tablet' "$log")" -ge 2 ] || fail "re-plugged tablet not picked up"
! grep -q 'page flip failed' "$log" || fail "vsync'd page flips did not work"
! grep -q 'Kernel panic' "$log" || fail "kernel panic"
l1_stop
echo "pass"
