# Interrupted fetches resume without fetching a verified chunk twice:
# the server killed mid-transfer (then restarted), and the client killed
# with SIGKILL (as by a power cut: progress not saved at exit). Also the
# bandwidth cap holds.
# timeout: 180
. tests/lib.sh
. tests/image/lib.sh
command -v nginx > /dev/null || skip "nginx not installed"

make_raw "$T/disk.raw" 32
publish "$T/disk.raw" 256K
size=$(stat -c %s "$IMG")
C=262144
port=$(free_port)
url=http://127.0.0.1:$port/$URLPATH

# Chunks HEX.have says are verified.
have_count() {
  python3 - "$T/cache/tmp/$HEX.have" <<'PY'
import sys
b = open(sys.argv[1], 'rb').read()
n = int.from_bytes(b[56:64], 'little')
bits = b[64:64 + (n + 7) // 8]
print(sum(bin(x).count('1') for x in bits))
PY
}

# 1. The server goes away mid-transfer (the client is capped at 3 MB/s).
start_nginx "$T/srv" "$port"
( fetch "$url" --rate 3M; echo "$rc" > "$T/rc1"; cp "$T/err" "$T/err1" ) &
client=$!
for _ in $(seq 100); do
  [ -e "$T/cache/tmp/$HEX.part" ] && [ "$(du -k "$T/cache/tmp/$HEX.part" | cut -f1)" -gt 3000 ] && break
  sleep 0.05
done
stop_server
wait $client
[ "$(cat "$T/rc1")" = 1 ] || fail "fetch did not fail when the server went away: $(cat "$T/err1")"
grep -q "^kvmbox image fetch: .*\(connection closed\|Connection reset\|cannot connect\)" "$T/err1" ||
  fail "no clear line: $(cat "$T/err1")"
[ ! -e "$T/cache/images/$HEX" ] || fail "installed after an interruption"
kept=$(have_count)
[ "$kept" -gt 0 ] && [ "$kept" -lt $((size / C)) ] || fail "$kept chunks kept"
mv "$T/access.log" "$T/access1.log"
start_nginx "$T/srv" "$port"
fetch "$url"
check_installed
grep -q "fetch: 1 connection(s), $((size - kept * C)) bytes received" "$T/err" ||
  fail "resume received more than the missing chunks ($kept kept): $(grep fetch: "$T/err")"
grep -q "GET /$URLPATH HTTP/1.1 206 bytes=$((kept * C))-$((size - 1)) " "$T/access.log" ||
  fail "resume did not start at chunk $kept: $(cat "$T/access.log")"
echo "ok server killed, $kept chunks kept"

# 2. The client killed with SIGKILL: chunks written since the last save of
#    HEX.have are found again by their digests.
rm -rf "$T/cache"
: > "$T/access.log"
"$KVMBOX" image fetch --cache "$T/cache" --rate 4M "$url" > /dev/null 2>&1 &
client=$!
for _ in $(seq 100); do
  [ -e "$T/cache/tmp/$HEX.part" ] && [ "$(du -k "$T/cache/tmp/$HEX.part" | cut -f1)" -gt 5000 ] && break
  sleep 0.05
done
kill -KILL $client; wait $client 2>/dev/null || true
written=$(python3 - "$IMG" "$T/cache/tmp/$HEX.part" <<'PY'
import sys
a, b = open(sys.argv[1], 'rb').read(), open(sys.argv[2], 'rb').read()
C = 256 * 1024
n = 0
while n * C < len(a) and a[n * C:(n + 1) * C] == b[n * C:(n + 1) * C]:
    n += 1
print(n)
PY
)
[ "$written" -gt 0 ] || fail "nothing written before the kill"
fetch "$url"
check_installed
start=$(sed -n "s|^GET /$URLPATH HTTP/1.1 206 bytes=\([0-9]*\)-.*|\1|p" "$T/access.log" | tail -1)
[ "$start" = $((written * C)) ] ||
  fail "after SIGKILL the fetch restarted at byte $start, $written whole chunks were on disk"
echo "ok client killed, $written chunks found again"

# 3. The cap: about 21 MiB at 8 MiB/s cannot take less than 2.6 s.
rm -rf "$T/cache"
t0=$(date +%s%N)
fetch "$url" --rate 8M
check_installed
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
need=$(( size * 1000 / (8 * 1048576) ))
[ "$ms" -ge $((need * 9 / 10)) ] || fail "capped fetch took $ms ms, at least $need expected"
echo "ok rate cap: $size bytes in $ms ms"
