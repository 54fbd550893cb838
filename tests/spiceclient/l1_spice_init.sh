#!/bin/busybox sh
# /init of the test-only L1 system of t_spice_fullscreen.sh (never in the
# product): loads the bochs DRM, input and network drivers, reaches the
# host through QEMU's user network (10.0.2.2 is the host's loopback) and
# runs `kvmbox spice --fullscreen` against the port given as spiceport=N.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
say() { echo "L1: $*"; }
load() { for m in $(cat "/modules/$1.list" 2>/dev/null); do insmod "$m" || say "insmod $m failed"; done; }
port=$(sed -n 's/.*spiceport=\([0-9]*\).*/\1/p' /proc/cmdline)
load display
load input
load net
n=0; while [ ! -e /dev/dri/card0 ] && [ $n -lt 200 ]; do sleep 0.1; n=$((n + 1)); done
ip link set lo up
ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0
ip route add default via 10.0.2.2
echo secret > /tmp/pw
say "starting kvmbox spice on port $port"
(kvmbox spice "spice://10.0.2.2:$port" --password-file /tmp/pw --fullscreen -v 2>&1
 say "spice exited $?") &
sleep 100000
