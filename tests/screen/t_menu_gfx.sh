# The real menu on a real screen, as a person sees it: the ISO (its
# initramfs with the bochs DRM driver added) boots under QEMU TCG with a
# standard VGA; the menu draws the catalog's tiles on the screen (compared
# with tests/screen/ref/menu-iso-1280x720.ppm.gz, the clock bar aside);
# the demo tile shows its icon, the other its initial;
# keys typed through QMP move the selection; Enter starts the demo
# appliance (nested KVM: its serial output), which hands the screen over;
# when the guest powers off, the menu is back on the screen.
# KVMBOX_UPDATE_REF=1 rewrites the reference from this run.
# timeout: 420
. tests/lib.sh
. tests/boot/lib.sh
. tests/screen/lib.sh
has_applet menu && has_applet vm || skip "this build has no menu or no vm applet"
modprobe --show-depends -S "$KVER" bochs > /dev/null 2>&1 || skip "no bochs module in $KMODS"

"$KVMBOX" mkinitramfs -o "$T/initrd.img" --compress lz4 --modules "$KMODS" \
  --add-modules bochs 2> "$T/mkinitramfs.err" || fail "mkinitramfs: $(cat "$T/mkinitramfs.err")"
build_demo "$T/medium"
# A second tile to move to: the demo appliance under another name, without
# its icon (the tile shows the initial).
sed -n '/^\[appliance demo\]/,$p' "$T/medium/catalog.ini" |
  sed '/^icon = /d; s/^\[appliance demo\]/[appliance second]/; s/^title = .*/title = Second demo/' \
  >> "$T/medium/catalog.ini"
"$KVMBOX" catalog check "$T/medium/catalog.ini" > /dev/null || fail "test catalog invalid"
# The menu's terminal is the serial line (the last console=), the screen is
# free for the graphical menu: no kvmbox.console= names a serial line.
build_iso "$T/kvmbox.iso" "quiet console=tty0 console=ttyS0,115200 panic=-1"

REF=tests/screen/ref/menu-iso-1280x720.ppm.gz
BAR=0,0,1280,64 # the top bar: clock and network state change
SEL=ffc83c      # the selection frame
log=$T/serial.log
start_vm() {
  QMP=$T/qmp.sock
  rm -f "$QMP"; : > "$log"
  qemu-system-x86_64 -accel tcg -cpu qemu64,+svm,+npt -m 2048 -smp 2 -no-reboot \
    -display none -monitor none -serial "file:$log" \
    -qmp "unix:$QMP,server=on,wait=off" -cdrom "$T/kvmbox.iso" -boot d -nic none \
    -vga none -device VGA,xres=1280,yres=720 &
  QPID=$!
  cleanup_hooks+=("kill -9 $QPID 2>/dev/null; wait $QPID 2>/dev/null")
}
# wait_screen SECONDS X Y COLOUR FILE: screendumps until pixel (X, Y) is COLOUR.
wait_screen() {
  local end=$((SECONDS + $1))
  while [ $SECONDS -lt $end ]; do
    rm -f "$5"
    qmp "{\"execute\":\"screendump\",\"arguments\":{\"filename\":\"$5\"}}" > /dev/null 2>&1 || true
    sleep 0.5
    [ -s "$5" ] && [ "$(ppm pixel "$5" "$2" "$3" 2> /dev/null)" = "$4" ] && return 0
    kill -0 "$QPID" 2> /dev/null || return 1
    sleep 2
  done
  return 1
}

for try in 1 2; do
  start_vm
  wait_screen 180 33 100 $SEL "$T/menu.ppm" && break
  echo "attempt $try: no menu on the screen; serial tail:"; tail -n 20 "$log"
  l1_stop
  [ $try = 2 ] && fail "the graphical menu never showed"
done
sleep 2 # the input devices and a full first frame
screendump "$T/menu.ppm"
ppm png "$T/menu.ppm" "$SHOTS/menu-iso.png"
if [ "${KVMBOX_UPDATE_REF:-0}" = 1 ]; then
  gzip -9n < "$T/menu.ppm" > "$REF"
  echo "reference rewritten: $REF"
fi
bad=$(ppm diff "$T/menu.ppm" "$REF" $BAR)
[ "$bad" = 0 ] || fail "$bad pixels differ from $REF (see $SHOTS/menu-iso.png)"
# The demo's icon (its blue screen) on the first tile, the initial on the second.
[ "$(ppm pixel "$T/menu.ppm" 192 132)" = 285ac8 ] || fail "no icon on the demo tile"
[ "$(ppm pixel "$T/menu.ppm" 536 132)" = 45556a ] || fail "the second tile has no initial"
expect_log "$log" 'Demo appliance' "the menu's text front-end is not on the serial line"

send_key down
wait_screen 30 377 100 $SEL "$T/down.ppm" || fail "Down did not move the frame to the second tile"
[ "$(ppm pixel "$T/down.ppm" 33 100)" != $SEL ] || fail "old frame left on the first tile"
send_key up
wait_screen 30 33 100 $SEL "$T/up.ppm" || fail "Up did not move the frame back"
send_key ret
wait_log "$log" 120 'kvmbox-demo: guest /init running' || fail "Enter did not start the demo appliance"
wait_log "$log" 60 'kvmbox-demo: powering off' || fail "the demo appliance did not finish"
# Back: the tiles, the first one selected, and the message that says why.
wait_screen 60 33 100 $SEL "$T/back.ppm" || fail "the menu did not come back on the screen"
sleep 2
screendump "$T/back.ppm"
ppm png "$T/back.ppm" "$SHOTS/menu-iso-back.png"
bad=$(ppm diff "$T/back.ppm" "$REF" $BAR 0,560,1280,160)
[ "$bad" = 0 ] || fail "$bad pixels of the tiles differ after the appliance ran"
[ "$(ppm diff "$T/back.ppm" "$REF" $BAR)" != 0 ] || fail "no message after the appliance ended"
l1_stop
echo pass
