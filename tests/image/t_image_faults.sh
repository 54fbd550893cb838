# Faults are detected with one clear line and nothing bad is installed: a
# corrupted chunk (file edited on the server, or a corrupting proxy), a
# truncated file, a manifest of another image, a wrong answer (an HTML
# page), a server that is not there, redirects (followed, and bounded).
# timeout: 180
. tests/lib.sh
. tests/image/lib.sh
command -v nginx > /dev/null || skip "nginx not installed"

make_raw "$T/disk.raw" 16
publish "$T/disk.raw" 64K
size=$(stat -c %s "$IMG")
C=65536
port=$(free_port)
url=http://127.0.0.1:$port/$URLPATH
start_nginx "$T/srv" "$port"
cp "$IMG" "$T/good.img"

# 1. A byte of chunk 37 edited on the server: named, not installed; fixed
#    on the server, a re-run fetches from chunk 37 on only.
printf '\x5a' | dd of="$IMG" bs=1 seek=$((37 * C + 1000)) conv=notrunc status=none
fetch "$url"
check_not_installed
grep -q "^kvmbox image fetch: image [0-9a-f]*…: chunk 37 (bytes $((37 * C))..$((38 * C - 1))) does not match its SHA-256 in the manifest$" "$T/err" ||
  fail "chunk not named: $(cat "$T/err")"
cp "$T/good.img" "$IMG"
: > "$T/access.log"
fetch "$url"
check_installed
grep -q " 206 bytes=$((37 * C))-$((size - 1)) " "$T/access.log" ||
  fail "verified chunks fetched again: $(cat "$T/access.log")"
show_err; echo "ok edited file"

# 2. A corrupting proxy flips one byte of chunk 100.
pport=$(free_port)
python3 tests/image/bad-proxy.py "$pport" "$port" flip:$((100 * C + 5)) &
proxy=$!
cleanup_hooks+=("kill $proxy 2>/dev/null")
wait_port "$pport"
rm -rf "$T/cache"
fetch "http://127.0.0.1:$pport/$URLPATH"
check_not_installed
grep -q "chunk 100 (bytes" "$T/err" || fail "proxy corruption: $(cat "$T/err")"
kill $proxy; wait $proxy 2>/dev/null || true
show_err; echo "ok corrupting proxy"

# 3. A wrong answer: an HTML page where the image should be.
python3 tests/image/bad-proxy.py "$pport" "$port" html &
proxy=$!
cleanup_hooks+=("kill $proxy 2>/dev/null")
wait_port "$pport"
rm -rf "$T/cache"
fetch "http://127.0.0.1:$pport/$URLPATH"
check_not_installed
grep -q "the server's file has 54 bytes, the manifest says $size (manifest and image do not match)" "$T/err" ||
  fail "HTML answer: $(cat "$T/err")"
kill $proxy; wait $proxy 2>/dev/null || true
show_err; echo "ok wrong answer"

# 4. Redirects: three hops are followed (for the manifest and the image),
#    a chain longer than 5 is refused.
python3 tests/image/bad-proxy.py "$pport" "$port" redirect:0 &
proxy=$!
cleanup_hooks+=("kill $proxy 2>/dev/null")
wait_port "$pport"
rm -rf "$T/cache"
fetch "http://127.0.0.1:$pport/hop2/$URLPATH"
check_installed
rm -rf "$T/cache"
fetch "http://127.0.0.1:$pport/hop9/$URLPATH"
check_not_installed
grep -q "more than 5 redirects" "$T/err" || fail "redirect loop: $(cat "$T/err")"
kill $proxy; wait $proxy 2>/dev/null || true
show_err; echo "ok redirects"

# 5. The file truncated on the server (in the middle of chunk 150).
head -c $((150 * C + 777)) "$T/good.img" > "$IMG"
rm -rf "$T/cache"
fetch "$url"
check_not_installed
grep -q "manifest and image do not match\|truncated" "$T/err" || fail "truncated: $(cat "$T/err")"
cp "$T/good.img" "$IMG"
show_err; echo "ok truncated"

# 6. The manifest of another image beside this one.
make_raw "$T/other.raw" 4
other=$("$KVMBOX" image publish --chunk 64K "$T/other.raw" "$T/srv2")
cp "$T/srv2/images/$other.img.manifest" "$IMG.manifest"
rm -rf "$T/cache"
fetch "$url"
[ "$rc" = 1 ] || fail "mismatched manifest accepted"
grep -q "manifest and image do not match" "$T/err" || fail "mismatch: $(cat "$T/err")"
[ -z "$(ls "$T/cache/images")" ] || fail "something installed"
#    ... and a manifest that does not describe the image the catalog names.
"$KVMBOX" image publish --chunk 64K "$T/disk.raw" "$T/srv" > /dev/null
fetch "$url" --sha256 "$other"
[ "$rc" = 1 ] && grep -q "manifest and catalog do not match" "$T/err" || fail "catalog mismatch: $(cat "$T/err")"
show_err; echo "ok manifest mismatch"

# 7. Nobody there.
stop_server
fetch "$url"
[ "$rc" = 1 ] && grep -q "cannot connect to 127.0.0.1 port $port" "$T/err" || fail "no server: $(cat "$T/err")"
show_err; echo "ok no server"
