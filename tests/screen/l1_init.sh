#!/bin/busybox sh
# /init of the test-only L1 system of the screen tests (never in the product).
# screentest=drm: loads the bochs DRM driver, runs the test card, then loads
# the input drivers (so they arrive hot-plugged), waits for the pointer to be
# moved by the host, prints the SHA-256 of `kvmbox screen shot`, then
# unplugs and re-plugs the tablet (rmmod/insmod virtio_input).
# screentest=fbdev: the same on the firmware framebuffer (vesafb), no DRM.
# screentest=menu: the graphical menu front-end on a demo catalog.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mode=drm
case " $(cat /proc/cmdline) " in
  *" screentest=fbdev "*) mode=fbdev ;;
  *" screentest=menu "*) mode=menu ;;
esac
say() { echo "L1: $*"; }
load() { for m in $(cat "/modules/$1.list" 2>/dev/null); do insmod "$m" || say "insmod $m failed"; done; }
wait_for() { # SECONDS COMMAND...
  n=$(($1 * 10)); shift
  while [ $n -gt 0 ]; do "$@" && return 0; sleep 0.1; n=$((n - 1)); done
  return 1
}
finish() { say "DONE"; sleep 600; poweroff -f; }

say "mode $mode"
if [ $mode = menu ]; then
  load display
  load input
  wait_for 20 test -e /dev/dri/card0 || { say "no /dev/dri/card0"; finish; }
  : > /tmp/test.out
  menu_gfx_demo > /tmp/test.out 2>&1 &
  tail -f /tmp/test.out &
  finish
fi
if [ $mode = drm ]; then
  load display
  wait_for 20 test -e /dev/dri/card0 || { say "no /dev/dri/card0"; finish; }
else
  wait_for 5 test -e /dev/fb0 || { say "no /dev/fb0"; finish; }
fi
kvmbox screen info 2>&1
: > /tmp/test.out
kvmbox screen test --seconds 600 --progress 500 > /tmp/test.out 2>&1 &
tail -f /tmp/test.out &
wait_for 30 grep -q '^ready' /tmp/test.out || { say "test card did not start"; finish; }
if [ $mode = drm ]; then
  load input
  say "input drivers loaded"
  wait_for 300 grep -q '^cursor 640 180' /tmp/test.out || { say "pointer never moved"; finish; }
  sleep 1
fi
kvmbox screen shot /tmp/shot.ppm 2>&1
say "SHOT $(kvmbox sha256sum /tmp/shot.ppm | cut -d' ' -f1)"
if [ $mode = drm ]; then # unplug and plug the tablet again
  sleep 2
  rmmod virtio_input && say "tablet unplugged"
  sleep 2
  insmod /modules/virtio_input.ko && say "tablet plugged"
fi
finish
