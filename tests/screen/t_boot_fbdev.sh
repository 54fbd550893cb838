# The fall-back without any DRM driver: L1 boots with vga=0x318 so the
# kernel's built-in vesafb drives the std-VGA display at 1024x768; `kvmbox
# screen test` must pick /dev/fb0, the QMP screendump must show the card as
# `kvmbox screen render` draws it, and `kvmbox screen shot` must equal it.
# timeout: 400
. tests/lib.sh
. tests/screen/lib.sh

l1_root tests/screen/l1_init.sh
l1_pack
"$KVMBOX" screen render 1024x768 "$T/expected.ppm"
log=$T/serial.log
l1_boot "$log" 120 '^L1: SHOT |^L1: DONE' "L1 never showed the test card" \
  "screentest=fbdev vga=0x318" -vga std
wait_log "$log" 15 '^screen fbdev /dev/fb0 1024x768' || { tail -n 20 "$log"; fail "not on fbdev at 1024x768"; }
grep -q 'framebuffer "VESA VGA"' "$log" || fail "screen info did not list vesafb"
screendump "$T/card.ppm"
ppm png "$T/card.ppm" "$SHOTS/screen-fbdev-card.png"
[ "$(ppm size "$T/card.ppm")" = "1024 768" ] || fail "screendump is $(ppm size "$T/card.ppm")"
bad=$(ppm diff "$T/card.ppm" "$T/expected.ppm" 512,384,12,19)
[ "$bad" = 0 ] || fail "$bad pixels differ from the rendered card"
[ "$(ppm pixel "$T/card.ppm" 512 384)" = 000000 ] || fail "no pointer tip at the centre"
want=$(sed -n 's/^L1: SHOT \([0-9a-f]\{64\}\).*/\1/p' "$log" | tail -1)
got=$(sha256sum < "$T/card.ppm" | cut -d' ' -f1)
[ "$want" = "$got" ] || fail "kvmbox screen shot ($want) differs from the screendump ($got)"
l1_stop
echo "pass"
