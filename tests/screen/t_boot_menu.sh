# The graphical menu front-end as a person would see it: on the bochs DRM
# screen (native 1280x720) the demo catalog's three tiles appear exactly as
# drawn off-screen; arrow keys typed with QMP move the selection frame and
# Enter starts the selected appliance; with the tablet, a click on a tile
# selects it and a second click starts it.
# timeout: 600
. tests/lib.sh
. tests/screen/lib.sh

demo=${BUILD:-$PWD/build}/musl/tests/screen/menu_gfx_demo
[ -x "$demo" ] || skip "$demo not built"
l1_root tests/screen/l1_init.sh
cp "$demo" "$L1ROOT/bin/"
l1_modules display.list bochs
l1_modules input.list evdev virtio_pci virtio_input
l1_pack
"$demo" --render 1280x720 "$T/expected.ppm"
log=$T/serial.log
l1_boot "$log" 120 '^ready' "L1 never showed the menu" \
  "screentest=menu" -vga none -device VGA,xres=1280,yres=720 -device virtio-tablet-pci
wait_log "$log" 30 'input: event.*tablet' || fail "no tablet"
wait_log "$log" 30 'input: event.*keyboard' || fail "no keyboard"
sleep 1
sel=ffc83c # colour of the selection frame
screendump "$T/menu.ppm"
ppm png "$T/menu.ppm" "$SHOTS/screen-menu.png"
bad=$(ppm diff "$T/menu.ppm" "$T/expected.ppm")
[ "$bad" = 0 ] || fail "$bad pixels differ from the menu drawn off-screen"
[ "$(ppm pixel "$T/menu.ppm" 33 100)" = $sel ] || fail "first tile not selected"

send_key down
wait_log "$log" 30 '^selected 1' || fail "Down not seen"
sleep 1
screendump "$T/down.ppm"
[ "$(ppm pixel "$T/down.ppm" 377 100)" = $sel ] || fail "frame did not move to the second tile"
[ "$(ppm pixel "$T/down.ppm" 33 100)" != $sel ] || fail "old frame left on the first tile"
send_key ret
wait_log "$log" 30 '^start routeur' || fail "Enter did not start the selected appliance"

# The third tile spans x 720..1039, y 80..287: click at (880, 180).
send_abs 22528 8192
qmp '{"execute":"input-send-event","arguments":{"events":[{"type":"btn","data":{"down":true,"button":"left"}}]}}' \
    '{"execute":"input-send-event","arguments":{"events":[{"type":"btn","data":{"down":false,"button":"left"}}]}}' > /dev/null
sleep 2
screendump "$T/click.ppm"
ppm png "$T/click.ppm" "$SHOTS/screen-menu-click.png"
[ "$(ppm pixel "$T/click.ppm" 721 100)" = $sel ] || fail "click did not select the third tile"
[ "$(ppm pixel "$T/click.ppm" 880 180)" = 000000 ] || fail "no pointer at the click"
qmp '{"execute":"input-send-event","arguments":{"events":[{"type":"btn","data":{"down":true,"button":"left"}}]}}' \
    '{"execute":"input-send-event","arguments":{"events":[{"type":"btn","data":{"down":false,"button":"left"}}]}}' > /dev/null
wait_log "$log" 30 '^start bureau' || fail "second click did not start the third appliance"
l1_stop
echo pass
