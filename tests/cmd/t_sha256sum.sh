# kvmbox sha256sum agrees with coreutils on large random files and stdin.
# timeout: 120
. tests/lib.sh

head -c $((64 * 1024 * 1024 + 17)) /dev/urandom > "$T/big"
: > "$T/empty"
for f in "$T/big" "$T/empty"; do
  [ "$("$KVMBOX" sha256sum "$f")" = "$(sha256sum "$f")" ] || fail "digest of $f"
done
[ "$("$KVMBOX" sha256sum < "$T/big" | cut -c1-64)" = "$(sha256sum < "$T/big" | cut -c1-64)" ] \
  || fail "stdin digest"
expect_status 1 "$KVMBOX" sha256sum "$T/missing"
grep -q "missing: No such file" "$T/err" || fail "missing file message"
