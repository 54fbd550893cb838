# virtio-blk from a tiny guest: it reads sector 0 (checked against the
# file), writes sector 1 and flushes (checked on the host); a ro disk
# refuses the write (status 1) and the file stays untouched; a looping
# descriptor chain only stops that queue; with overlay=volatile the write
# succeeds and the base file stays as it was.
# timeout: 180
. tests/lib.sh
. tests/kvm/lib.sh

python3 - "$T/disk.img" <<'PY'
import sys
d = bytearray(1 << 20); d[0:16] = b"sector-zero-here"
open(sys.argv[1], "wb").write(d)
PY
cp "$T/disk.img" "$T/ro.img"
want_data=$(head -c 16 "$T/disk.img" | od -An -tx1 | tr -d ' \n')

run_guest 0 blk --disk "$T/disk.img"
grep -q "^capacity 00080000$" "$T/out" || fail "capacity: $(cat "$T/out")"
grep -q "^read status 00 len 0102 data $want_data$" "$T/out" || fail "read: $(cat "$T/out")"
grep -q "^write status 00$" "$T/out" || fail "write: $(cat "$T/out")"
grep -q "^flush status 00$" "$T/out" || fail "flush: $(cat "$T/out")"
grep -q "^loop survived$" "$T/out" || fail "looping chain: $(cat "$T/out")"
[ "$(dd if="$T/disk.img" bs=512 skip=1 count=1 status=none | head -c 16)" = written-by-guest ] \
  || fail "sector 1 not written on the host"

run_guest 0 blk --disk "$T/ro.img,ro"
grep -q "^write status 01$" "$T/out" || fail "ro write did not fail: $(cat "$T/out")"
cmp -s "$T/ro.img" <(head -c 16 "$T/disk.img"; head -c $(((1 << 20) - 16)) /dev/zero) \
  || fail "read-only file changed"
# overlay=volatile: the guest's write succeeds, the base file is untouched
cp "$T/ro.img" "$T/base.img"
run_guest 0 blk --disk "$T/base.img,overlay=volatile"
grep -q "^write status 00$" "$T/out" || fail "overlay write: $(cat "$T/out")"
cmp -s "$T/ro.img" "$T/base.img" || fail "volatile overlay changed its base"
echo "all good"
