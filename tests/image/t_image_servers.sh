# image fetch from nginx, lighttpd, python3 -m http.server and kvmbox's own
# server: the whole image arrives verified and installed; one connection
# carries every request (keep-alive); Range is used where the server has it;
# a partial image with holes is completed with one request per hole only.
# timeout: 240
. tests/lib.sh
. tests/image/lib.sh
command -v nginx > /dev/null || skip "nginx not installed"
command -v lighttpd > /dev/null || skip "lighttpd not installed"

make_raw "$T/disk.raw" 24
publish "$T/disk.raw" 256K
size=$(stat -c %s "$IMG")

for server in nginx lighttpd python kvmbox; do
  port=$(free_port)
  : > "$T/access.log"
  rm -rf "$T/cache"
  start_$server "$T/srv" "$port"
  fetch "http://127.0.0.1:$port/$URLPATH" --progress
  check_installed
  grep -q "fetch: 1 connection(s), $size bytes received" "$T/err" ||
    fail "$server: not one connection for exactly the image: $(grep fetch: "$T/err")"
  grep -q "100%.*done" "$T/err" || fail "$server: no final progress line"
  # Asked again: it is there, nothing but the manifest is fetched.
  fetch "http://127.0.0.1:$port/$URLPATH.manifest"
  check_installed
  stop_server # lighttpd writes its log at exit
  [ "$(grep -c "GET /$URLPATH HTTP" "$T/access.log")" = 1 ] ||
    [ "$server" = python ] || fail "$server: image asked more than once: $(cat "$T/access.log")"
  case $server in
    python) ;; # no Range support: the whole file as a 200 answer
    *) grep -q "GET /$URLPATH HTTP/1.1 206 bytes=0-$((size - 1)) $size" "$T/access.log" ||
         fail "$server: image not asked by Range: $(cat "$T/access.log")" ;;
  esac
  echo "ok $server"
done

# Holes: a partial image left with chunks 0-1, 4 and 7-8 of 256 KiB (data,
# no .have: as after a crash) is completed by three ranges on one connection.
rm -rf "$T/cache"; mkdir -p "$T/cache/tmp"
python3 - "$IMG" "$T/cache/tmp/$HEX.part" <<'PY'
import sys
src = open(sys.argv[1], 'rb').read()
C = 256 * 1024
with open(sys.argv[2], 'wb') as f:
    f.truncate(len(src))
    for i in (0, 1, 4, 7, 8):
        f.seek(i * C); f.write(src[i * C:(i + 1) * C])
PY
port=$(free_port)
: > "$T/access.log"
start_nginx "$T/srv" "$port"
fetch "http://127.0.0.1:$port/$URLPATH"
check_installed
C=262144
grep -q "fetch: 1 connection(s), $((size - 5 * C)) bytes received" "$T/err" ||
  fail "holes: $(grep fetch: "$T/err")"
for r in "$((2 * C))-$((4 * C - 1))" "$((5 * C))-$((7 * C - 1))" "$((9 * C))-$((size - 1))"; do
  grep -q " 206 bytes=$r " "$T/access.log" || fail "range $r not asked: $(cat "$T/access.log")"
done
[ "$(grep -c "GET /$URLPATH " "$T/access.log")" = 3 ] || fail "more than 3 image requests"
stop_server
echo "ok holes"
