#!/bin/busybox sh
# /init of the test-only L2 guest of t_vm_display.sh (never in the product):
# the boot console is on vesafb (the VMM's screen_info); after L1 looked,
# the qxl DRM driver takes over at the host's resolution; then power-off.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
# From here on kernel messages stay off the console: the screen must hold
# still while L1 and the host compare it.
echo 1 > /proc/sys/kernel/printk
for i in 1 2 3 4 5 6; do echo "kvmbox display test: text on the boot console, line $i" > /dev/tty1; done
echo "L2: fb $(tr '\n' ' ' < /proc/fb)"
echo "L2: vesafb up"
read -r _
for m in $(cat /modules.list); do insmod "/modules/$m" || echo "L2: insmod $m failed"; done
n=0; while [ ! -e /sys/class/drm/card0 ] && [ $n -lt 200 ]; do sleep 0.1; n=$((n + 1)); done
sleep 3
echo "L2: fb $(tr '\n' ' ' < /proc/fb)"
echo "L2: mode $(cat /sys/class/drm/card0-*/modes 2>/dev/null | head -1)"
echo "L2: virtual_size $(cat /sys/class/graphics/fb0/virtual_size 2>/dev/null)"
# The qxl INTx line as ACPI's _PRT routes it (level-triggered: fasteoi).
echo "L2: irq $(grep qxl /proc/interrupts | tr -s ' ')"
echo "L2: no-gsi-warnings $(dmesg | grep -c 'no GSI')"
for i in 1 2 3; do echo "kvmbox display test: text through the qxl driver, line $i" > /dev/tty1; done
sleep 1
echo "L2: qxl up"
read -r _
poweroff -f
