# The test card drawn off-screen matches the references kept under
# tests/screen/ref (look at them with: tests/screen/ppmtool.py png FILE OUT),
# and the applet answers bad command lines and missing devices with one line.
# timeout: 60
. tests/lib.sh
command -v python3 >/dev/null || skip "python3 missing"
ppm() { python3 tests/screen/ppmtool.py "$@"; }

for size in 1280x720 640x480; do
  "$KVMBOX" screen render $size "$T/card.ppm"
  bad=$(ppm diff "$T/card.ppm" tests/screen/ref/card-$size.ppm.gz)
  [ "$bad" = 0 ] || fail "$size: $bad pixels differ from tests/screen/ref/card-$size.ppm.gz"
done
[ "$(ppm pixel "$T/card.ppm" 120 50)" = ffff00 ] || fail "second bar is not yellow"

expect_status 2 "$KVMBOX" screen
expect_status 2 "$KVMBOX" screen render 0x10 "$T/x.ppm"
expect_status 2 "$KVMBOX" screen render 9000x10 "$T/x.ppm"
expect_status 2 "$KVMBOX" screen test --seconds forever
expect_status 2 "$KVMBOX" screen test --progress 1001
expect_status 2 "$KVMBOX" screen shot
expect_status 2 "$KVMBOX" screen frobnicate
# Devices that are not screens: one line naming the problem, status 1.
expect_status 1 "$KVMBOX" screen shot --device /dev/null "$T/x.ppm"
[ "$(wc -l < "$T/err")" = 1 ] || fail "more than one line: $(cat "$T/err")"
grep -q '/dev/null' "$T/err" || fail "error does not name the device: $(cat "$T/err")"
expect_status 1 "$KVMBOX" screen test --device /dev/fb9 --seconds 1
grep -q '/dev/fb9' "$T/err" || fail "error does not name the device: $(cat "$T/err")"
expect_status 1 "$KVMBOX" screen info --device /dev/zero
echo pass
