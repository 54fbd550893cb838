#!/bin/busybox sh
# /init of the test-only L1 system of t_vm_display.sh (never in the product):
# loads kvm-amd and the bochs DRM driver, runs Debian's kernel (L2) in
# `kvmbox vm run --display screen --control`, and at each stop L2 reaches
# (vesafb, then qxl) takes the VMM's screenshot and output dump, prints
# their digests for the host to compare with QEMU's screendump, and lets
# L2 go on (a line on its console) after the host had time to look.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
say() { echo "L1: $*"; }
load() { for m in $(cat "/modules/$1.list"); do insmod "$m" || say "insmod $m failed"; done; }
wait_for() { # SECONDS COMMAND...
  n=$(($1 * 10)); shift
  while [ $n -gt 0 ]; do "$@" && return 0; sleep 0.1; n=$((n - 1)); done
  return 1
}
load kvm
load display
wait_for 20 test -e /dev/dri/card0 || say "no /dev/dri/card0"
[ -c /dev/kvm ] && say "kvm ready"
mkfifo /tmp/l2in
: > /tmp/l2.log
kvmbox vm run --kernel /k/vmlinuz --initrd /k/l2.cpio --mem 256 --display screen \
  --control /tmp/vm.sock --cmdline "console=tty0 console=ttyS0 vt.global_cursor_default=0 panic=-1" \
  < /tmp/l2in > /tmp/l2.log 2> /tmp/vm.err &
vm=$!
exec 3> /tmp/l2in
tail -f /tmp/l2.log &
# stop N MARKER: once L2 printed MARKER, shots of the VMM, then L2 goes on.
stop() {
  wait_for 200 grep -q "^$2" /tmp/l2.log || { say "L2 never printed '$2'"; return; }
  sleep 3
  kvmbox vm control /tmp/vm.sock "screenshot /tmp/shot$1.ppm" "screendump /tmp/dump$1.ppm" info |
    sed "s/^/L1: control$1 /"
  say "SHOT$1 $(sha256sum /tmp/dump$1.ppm | cut -d' ' -f1) guest $(sed -n 2p /tmp/shot$1.ppm)"
  sleep 12
  echo go >&3
}
stop 1 "L2: vesafb up"
stop 2 "L2: qxl up"
wait $vm
say "VM exit $?"
sed 's/^/L1: vm: /' /tmp/vm.err
say DONE
poweroff -f
