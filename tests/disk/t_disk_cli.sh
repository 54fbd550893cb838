# kvmbox disk: pack -> verify -> unpack round trip (sha256-checked), info,
# a corrupted block caught by verify, commit of an overlay, reset.
# timeout: 120
. tests/lib.sh
[ -x "$KVMBOX" ] || fail "no $KVMBOX"

# 24 MiB + 1536 bytes: random, zeros and text, the last block partial.
{ head -c 8M /dev/urandom; head -c 8M /dev/zero
  head -c $((8 * 1024 * 1024 + 1536)) < <(yes "kvmbox disk line"); } > "$T/disk.raw"
want=$(sha256sum < "$T/disk.raw" | cut -d' ' -f1)

expect_status 0 "$KVMBOX" disk pack "$T/disk.raw" "$T/disk.img"
[ "$(cut -d' ' -f1 "$T/out")" = "$(sha256sum < "$T/disk.img" | cut -d' ' -f1)" ] ||
  fail "pack printed $(cat "$T/out"), not the file's SHA-256"
expect_status 0 "$KVMBOX" disk verify "$T/disk.img"
grep -q ': OK$' "$T/out" || fail "verify said $(cat "$T/out")"
expect_status 0 "$KVMBOX" disk info "$T/disk.img"
grep -q "disk sha256: $want" "$T/out" || fail "info lacks the disk digest: $(cat "$T/out")"
[ "$(stat -c %s "$T/disk.img")" -lt $((20 * 1024 * 1024)) ] || fail "image not compressed"
expect_status 0 "$KVMBOX" disk unpack "$T/disk.img" "$T/again.raw"
[ "$(sha256sum < "$T/again.raw" | cut -d' ' -f1)" = "$want" ] || fail "unpack differs"

# Other block sizes and lz4hc round-trip too.
expect_status 0 "$KVMBOX" disk pack --block-size 1M --hc 4 "$T/disk.raw" "$T/hc.img"
expect_status 0 "$KVMBOX" disk unpack "$T/hc.img" "$T/hc.raw"
cmp -s "$T/disk.raw" "$T/hc.raw" || fail "--hc round trip differs"

# One flipped byte in the data area: verify names the block, unpack refuses.
cp "$T/disk.img" "$T/bad.img"
printf '\x55' | dd of="$T/bad.img" bs=1 seek=$((4096 + 70000)) conv=notrunc status=none
expect_status 1 "$KVMBOX" disk verify "$T/bad.img"
grep -q 'block 1 .*SHA-256' "$T/err" || fail "verify error does not name block 1: $(cat "$T/err")"
expect_status 1 "$KVMBOX" disk unpack "$T/bad.img" "$T/bad.raw"
[ ! -e "$T/bad.raw" ] || fail "unpack left a file behind"

# Bad input: one clear line, exit 1; usage errors exit 2.
head -c 100 "$T/disk.img" > "$T/short.img"
expect_status 1 "$KVMBOX" disk verify "$T/short.img"
grep -q 'short.img: .*truncated' "$T/err" || fail "truncated: $(cat "$T/err")"
[ "$(wc -l < "$T/err")" = 1 ] || fail "more than one line: $(cat "$T/err")"
expect_status 1 "$KVMBOX" disk info "$T/missing.img"
expect_status 2 "$KVMBOX" disk frobnicate
expect_status 2 "$KVMBOX" disk pack --block-size 3K "$T/disk.raw" "$T/x.img"

# A persistent overlay over the packed image, written by `disk bench -w`
# (0xa5 bytes), committed offline into a new image, then reset.
mkdir -p "$T/cache/overlays"
ovl=$T/cache/overlays/lab1-0.overlay
expect_status 0 "$KVMBOX" disk bench -w -c 24 -s 4K -S 1M "$T/disk.img,overlay=$ovl"
expect_status 0 "$KVMBOX" disk info "$ovl"
grep -q 'clusters: .*24 written' "$T/out" || fail "overlay info: $(cat "$T/out")"
grep -q "base sha256: $want" "$T/out" || fail "overlay does not name its base: $(cat "$T/out")"
# The same bytes raw are the same base; other bytes are refused, and the
# message names the image the overlay expects.
expect_status 0 "$KVMBOX" disk bench -c 1 "$T/hc.raw,overlay=$ovl"
printf 'X' | dd of="$T/hc.raw" bs=1 seek=5000 conv=notrunc status=none
expect_status 1 "$KVMBOX" disk bench -c 1 "$T/hc.raw,overlay=$ovl"
grep -q "made over image 'disk.img'" "$T/err" || fail "wrong base: $(cat "$T/err")"
expect_status 0 "$KVMBOX" disk commit "$T/disk.img" "$ovl" "$T/new.img"
expect_status 0 "$KVMBOX" disk commit --raw "$T/disk.img" "$ovl" "$T/new.raw"
expect_status 0 "$KVMBOX" disk unpack "$T/new.img" "$T/new2.raw"
cmp -s "$T/new.raw" "$T/new2.raw" || fail "commit and commit --raw differ"
! cmp -s "$T/new.raw" "$T/disk.raw" || fail "commit lost the overlay's writes"
# The 4K at 1 MiB is now 0xa5 bytes; the 4K after it is the base's.
[ "$(od -v -An -tx1 -j $((1 << 20)) -N 4096 "$T/new.raw" | tr -d ' \n' | tr -d a5)" = "" ] ||
  fail "committed data is not what was written"
cmp -s <(tail -c +$(((1 << 20) + 4097)) "$T/new.raw" | head -c 4096) \
       <(tail -c +$(((1 << 20) + 4097)) "$T/disk.raw" | head -c 4096) ||
  fail "commit changed data the overlay did not hold"
expect_status 0 "$KVMBOX" disk reset --cache "$T/cache" lab1
[ ! -e "$ovl" ] || fail "reset left $ovl"
expect_status 0 "$KVMBOX" disk reset --cache "$T/cache" lab1
grep -q 'already pristine' "$T/out" || fail "reset of nothing: $(cat "$T/out")"
echo "not an overlay" > "$T/cache/overlays/lab2-1.overlay"
expect_status 1 "$KVMBOX" disk reset --cache "$T/cache" lab2
[ -e "$T/cache/overlays/lab2-1.overlay" ] || fail "reset deleted a file that is not an overlay"
echo ok
