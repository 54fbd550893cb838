#!/bin/bash
# Stands in for `kvmbox vm run` in the menu tests: records its arguments in
# $FAKE_VM_DIR/calls, says which kernel it "boots" (the kernel file's first
# line), then obeys the console: poweroff (exit 0), reboot (3), panic (4),
# fail (1 with a one-line reason on stderr). A headless (ghost) VM just runs
# until it is stopped, its pid in $FAKE_VM_DIR/ghost-NAME.pid. It also stands
# in for `kvmbox spice` (quit: exit 0, badpass: 3), `kvmbox disk reset` and
# `kvmbox net setup` (fails with $FAKE_NET_FAIL when set).
dir=${FAKE_VM_DIR:?}
echo "$*" >> "$dir/calls"
if [ "$1 $2 $3" = "disk reset --cache" ]; then   # as `kvmbox disk reset`
  rm -f "$4/overlays/$5-"*.overlay; exit 0
fi
if [ "$1 $2" = "net setup" ]; then          # as `kvmbox net setup --bridge BR --isolated`
  [ -z "${FAKE_NET_FAIL:-}" ] || { echo "kvmbox net: $FAKE_NET_FAIL" >&2; exit 1; }
  echo "$4 ready (no uplink)"; exit 0
fi
if [ "$1" = spice ]; then                  # as `kvmbox spice URL --fullscreen`
  echo "fake-spice: connected to $2 $3"
  while read -r cmd; do [ "$cmd" = quit ] && exit 0; [ "$cmd" = badpass ] && exit 3; done
  exit 0
fi
[ "$1 $2" = "vm run" ] || { echo "fake vm: unexpected '$*'" >&2; exit 2; }
shift 2
kernel= serial=
while [ $# -gt 0 ]; do
  case $1 in
    --kernel) kernel=$2; shift ;;
    --serial) serial=$2; shift ;;
    --initrd|--cmdline|--mem|--cpus|--disk|--net) shift ;;
  esac
  shift
done
name=$(head -1 "$kernel")
if [ "$serial" != stdio ]; then
  echo $$ > "$dir/ghost-$name.pid"
  trap 'exit 0' TERM
  while :; do sleep 0.2; done
fi
echo "fake-vm: booted $name"
echo "$name" > "$dir/running"
while read -r cmd; do
  case $cmd in
    poweroff) rm -f "$dir/running"; exit 0 ;;
    reboot) rm -f "$dir/running"; exit 3 ;;
    panic) rm -f "$dir/running"; exit 4 ;;
    fail) echo "kvmbox vm: cannot open /dev/kvm: No such device" >&2; rm -f "$dir/running"; exit 1 ;;
    *) echo "fake-vm: $name: $cmd" ;;
  esac
done
rm -f "$dir/running"
exit 0
