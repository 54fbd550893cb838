# A cache too small for the image is refused at once with one line saying
# how much is missing; a disk that fills up during the fetch stops it with
# the chunk named; nothing is installed and the store is left consistent.
# timeout: 120
. tests/lib.sh
. tests/image/lib.sh
[ "$(id -u)" = 0 ] || skip "needs root (a small tmpfs in a private mount namespace)"
unshare -m true 2> /dev/null || skip "no mount namespaces"

make_raw "$T/disk.raw" 16
publish "$T/disk.raw" 256K
size=$(stat -c %s "$IMG")
port=$(free_port)
start_kvmbox "$T/srv" "$port"
export T HEX KVMBOX size url=http://127.0.0.1:$port/$URLPATH

unshare -m bash -euo pipefail <<'SH'
fail() { echo "FAIL: $*" >&2; exit 1; }
small=$T/small; mkdir -p "$small"
mount -t tmpfs -o size=4m tmpfs "$small"
trap 'umount "$small" 2> /dev/null || true' EXIT
set +e
"$KVMBOX" image fetch --cache "$small/cache" "$url" > /dev/null 2> "$T/err"; rc=$?
set -e
[ "$rc" = 1 ] || fail "fetch into 4 MiB exited $rc"
grep -q "^kvmbox image fetch: $small/cache/tmp: image [0-9a-f]*… needs [0-9.]* MiB more, only [0-9.]* MiB free$" "$T/err" ||
  fail "unclear ENOSPC line: $(cat "$T/err")"
[ -z "$(ls "$small/cache/images")" ] || fail "installed"
sed 's/^/    /' "$T/err"
echo "ok too small at once"

# Room at the start, filled up by something else during the fetch.
umount "$small"; mount -t tmpfs -o size=$((size / 1024 + 2048))k tmpfs "$small"
"$KVMBOX" image fetch --cache "$small/cache" --rate 4M "$url" > /dev/null 2> "$T/err" &
pid=$!
sleep 0.7
head -c 100M /dev/zero > "$small/filler" 2> /dev/null || true
set +e; wait $pid; rc=$?; set -e
[ "$rc" = 1 ] || fail "fetch on a full disk exited $rc: $(cat "$T/err")"
grep -q "cannot write chunk [0-9]*: No space left on device\|cannot save progress" "$T/err" ||
  fail "unclear ENOSPC line: $(cat "$T/err")"
[ -z "$(ls "$small/cache/images")" ] || fail "installed"
sed 's/^/    /' "$T/err"
echo "ok disk filled during the fetch"
rm "$small/filler"
set +e
"$KVMBOX" image fetch --cache "$small/cache" "$url" > /dev/null 2> "$T/err"; rc=$?
set -e
[ "$rc" = 0 ] || fail "resume after freeing space: $(cat "$T/err")"
cmp -s "$T/srv/images/$HEX.img" "$small/cache/images/$HEX" || fail "installed image differs"
echo "ok resumed once there is room"
SH
