# The display as a person sees it, nested: L1 (QEMU TCG, AMD-V emulated, a
# std-VGA screen whose native mode is 1280x720, bochs DRM) runs Debian's
# kernel in `kvmbox vm run --display screen --control`. The guest's boot
# console must show on vesafb through the VMM's screen_info (text in the top
# rows of L1's screen), then the guest's qxl driver must bind, run its
# console at the host's 1280x720, and draw; at both stops the VMM's output
# dump must be exactly what QEMU's screendump of L1 shows, and the guest
# must power off cleanly.
# timeout: 420
. tests/lib.sh
. tests/screen/lib.sh
MODS=/lib/modules/$KVER/kernel
[ -f "$MODS/arch/x86/kvm/kvm-amd.ko" ] || skip "no kvm-amd.ko for $KVER"
[ -f "$MODS/drivers/gpu/drm/qxl/qxl.ko" ] || skip "no qxl.ko for $KVER"
tool() { python3 tests/kvm/display_tool.py "$@"; }
# The serial log without carriage returns, kept beside the test logs.
lg() { tr -d '\r' < "$log" > "$SHOTS/vm-display-serial.log"; grep "$@" "$SHOTS/vm-display-serial.log"; }
lsed() { tr -d '\r' < "$log" > "$SHOTS/vm-display-serial.log"; sed "$@" "$SHOTS/vm-display-serial.log"; }

l1_root tests/kvm/display_l1_init.sh
l1_modules kvm.list kvm_amd
l1_modules display.list bochs
# L2: busybox, the qxl driver and its dependencies, the /init above.
l2=$T/l2root
mkdir -p "$l2"/{bin,dev,proc,sys,modules} "$L1ROOT/k"
cp /bin/busybox "$l2/bin/busybox"
cp tests/kvm/display_l2_init.sh "$l2/init"; chmod +x "$l2/init"
modprobe --show-depends -S "$KVER" qxl | while read -r cmd f _; do
  [ "$cmd" = insmod ] || continue
  cp "$f" "$l2/modules/"; basename "$f" >> "$l2/modules.list"
done
(cd "$l2" && find . | cpio -o -H newc --quiet) > "$L1ROOT/k/l2.cpio"
cp "$KERNEL" "$L1ROOT/k/vmlinuz"
l1_pack

log=$T/serial.log
L1_CPU=qemu64,+svm,+npt L1_MEM=1536 l1_boot "$log" 200 '^L1: SHOT1 ' \
  "L2 never reached its boot console" "" -vga none -device VGA,xres=1280,yres=720

# 1. The boot console on vesafb: text in the top rows, same as L1's screen.
lg -q '^L2: fb 0 VESA VGA' || fail "L2 did not use vesafb: $(lg '^L2: fb')"
screendump "$T/boot.ppm"
ppm png "$T/boot.ppm" "$SHOTS/vm-display-boot.png"
[ "$(ppm size "$T/boot.ppm")" = "1280 720" ] || fail "L1 screen is $(ppm size "$T/boot.ppm")"
lit=$(tool lit "$T/boot.ppm" 0 200)
[ "$lit" -gt 2000 ] || fail "no boot console text in the top rows ($lit lit pixels)"
lg -q '^L1: control1 ok 1280x720$' || fail "VMM screenshot: $(lg 'control1')"
lg -q '^L1: control1 ok 1280x720 lfb ' || fail "not on the boot framebuffer: $(lg 'control1')"
want=$(lsed -n 's/^L1: SHOT1 \([0-9a-f]\{64\}\).*/\1/p')
got=$(sha256sum < "$T/boot.ppm" | cut -d' ' -f1)
[ "$want" = "$got" ] || fail "VMM output dump ($want) differs from L1's screen ($got)"

# 2. The qxl driver at the host's resolution.
wait_log "$log" 240 '^L1: SHOT2 ' || { tail -n 40 "$log"; fail "no second shot (qxl)"; }
lg -q '^L2: fb 0 qxl' || fail "qxl did not take the console: $(lg '^L2: fb' | tail -1)"
lg -q '^L2: mode 1280x720$' || fail "preferred mode: $(lg '^L2: mode')"
lg -q '^L2: virtual_size 1280,720$' || fail "console size: $(lg '^L2: virtual_size')"
lg -q '^L2: no-gsi-warnings 0$' || fail "no _PRT entry for qxl: $(lg '^L2: no-gsi')"
lg -q '^L2: irq .*IO-APIC.*fasteoi.*qxl' || fail "qxl interrupt not level-triggered: $(lg '^L2: irq')"
lg -q '^L1: control2 ok 1280x720 qxl ' || fail "VMM not on the qxl primary: $(lg 'control2')"
screendump "$T/qxl.ppm"
ppm png "$T/qxl.ppm" "$SHOTS/vm-display-qxl.png"
lit=$(tool lit "$T/qxl.ppm" 0 720)
[ "$lit" -gt 2000 ] || fail "nothing drawn by the qxl driver ($lit lit pixels)"
want=$(lsed -n 's/^L1: SHOT2 \([0-9a-f]\{64\}\).*/\1/p')
got=$(sha256sum < "$T/qxl.ppm" | cut -d' ' -f1)
[ "$want" = "$got" ] || fail "VMM output dump ($want) differs from L1's screen ($got)"

# 3. A clean power-off, and the driver never complained about the device.
wait_log "$log" 120 '^L1: DONE' || fail "L1 did not finish"
lg -q '^L1: VM exit 0' || fail "VM: $(lg '^L1: VM exit') $(lg '^L1: vm:')"
! lg -qiE 'qxl.*(error|bad rom|too old|failed)|Kernel panic' || fail "$(lg -iE 'qxl.*(error|failed)|panic' | head -3)"
l1_stop
echo "pass"
