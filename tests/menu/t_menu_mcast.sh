# The menu joins a multicast session by itself. The menu runs in its own
# network namespace with its catalog on a slow local HTTP server (the HTTP
# sync starts the disk, far too slowly to finish); a sender in another
# namespace on the same bridge announces the image on the catalog's group.
# First a session of an image the catalog does not list: ignored. Then a
# forged announce naming the catalog's image with a manifest that does not
# match its digest: the join gives up, nothing is installed, the HTTP
# download goes on. Then the real session: the menu joins, stops the HTTP
# download (multicast wins), shows progress, and the appliance ends ready
# with the image verified in the store; it starts.
# timeout: 180
. tests/lib.sh
. tests/menu/lib.sh
. tests/image/mcastlib.sh

lab 1
GROUP=239.255.77.9:9177
S=$T/srv
make_files "$S" desk
random_file "$T/desk.raw" 24
hex=$("$KVMBOX" image publish "$T/desk.raw" "$S") || fail "publish failed"
{
  printf '[catalog]\ntitle = Salle multicast\nmulticast = %s\n' "$GROUP"
  printf '[appliance desk]\ntitle = Bureau\nkernel = vmlinuz-desk\nkernel_sha256 = %s\n' "$(sha "$S/vmlinuz-desk")"
  printf 'disk = images/%s.img sha256=%s\n' "$hex" "$hex"
} > "$S/catalog.ini"
random_file "$T/other" 2

# The catalog server: in the menu's namespace, 20 KB/s (24 MiB would take
# 20 minutes by HTTP).
port=18080
in_ns r1 python3 tests/menu/slow-http.py "$S" "$port" 20000 &
cleanup_hooks+=("kill $! 2>/dev/null")
wait_for 10 in_ns r1 curl -s -o /dev/null "http://127.0.0.1:$port/catalog.ini" \
  || fail "HTTP server did not start"
mkdir -p "$T/medium"; : > "$T/medium/catalog.ini"
boot_conf "http://127.0.0.1:$port/" "$T/medium/catalog.ini"

# A forged announce: the catalog's image named in piece 0, the real manifest
# text, but a manifest digest it does not have.
cat > "$T/forge.py" <<'PY'
import hashlib, os, socket, struct, sys, time
man = open(sys.argv[1], 'rb').read()
size = int([l for l in man.split(b'\n') if l.startswith(b'size')][0].split(b'=')[1].split()[0])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("10.77.0.1"))
sid = struct.unpack("<Q", os.urandom(8))[0]
end = time.time() + 2
while time.time() < end:
    for off in range(0, len(man), 1400):
        piece = man[off:off + 1400]
        s.sendto(struct.pack("<IBBHQQIHHI", 0x434d564b, 1, 1, 0, sid, size, 1 << 20, 1444, 0, len(man))
                 + hashlib.sha256(b'forged').digest() + struct.pack("<I", off) + piece,
                 ("239.255.77.9", 9177))
    time.sleep(0.05)
PY

export NS_S=${NS_PREFIX}s GROUP HEX=$hex
in_ns r1 env PYTHONPATH="$MENU_T" python3 - <<'PY' || { tail -30 "$RUN/menu.log"; fail "scenario failed"; }
import os, re, subprocess, time
from term import Term, wait_for
E = os.environ
T, K, NS = E['T'], E['KVMBOX'], E['NS_S']
log = lambda: open(E['RUN'] + '/menu.log').read()
def sender(img, *extra):
    return subprocess.Popen(['ip', 'netns', 'exec', NS, K, 'image', 'mcast-send', img,
                             '--iface', 'eth0', '--group', E['GROUP']] + list(extra),
                            stdout=open(T + '/send.out', 'w'), stderr=open(T + '/send.err', 'w'))
t = Term([K, 'menu'])
try:
    t.expect('Salle multicast')
    wait_for(lambda: (t.pump(0.1), 'downloading' in t.screen())[1], 30, 'the HTTP download')
    wait_for(lambda: (t.pump(0.1), 'multicast announces: ' + E['GROUP'] in log())[1], 10, 'the group from the catalog')

    # 1. A session of an image the catalog does not list.
    other = sender(T + '/other')
    wait_for(lambda: (t.pump(0.1), 'ignored (not in the catalog' in log())[1], 20, 'the foreign session ignored')
    other.terminate(); other.wait()
    assert 'joining' not in log(), log()

    # 2. A forged announce of our image: the join gives up, nothing harmful.
    subprocess.run(['ip', 'netns', 'exec', NS, 'python3', T + '/forge.py',
                    '%s/srv/images/%s.img.manifest' % (T, E['HEX'])], check=True)
    wait_for(lambda: (t.pump(0.1), 'joining the session of desk' in log())[1], 10, 'a join of the forged session')
    wait_for(lambda: (t.pump(0.1), 'not the manifest asked for' in log())[1], 40, 'the forged join to fail')
    assert not os.path.exists('%s/cache/images/%s' % (T, E['HEX']))
    assert 'HTTP download of desk stops' not in log(), log()
    t.expect('downloading')

    # 3. The real session: the menu joins by itself and multicast wins.
    real = sender('%s/srv/images/%s.img' % (T, E['HEX']), '--manifest',
                  '%s/srv/images/%s.img.manifest' % (T, E['HEX']),
                  '--wait-receivers', '1', '--wait', '60', '--rate', '20M')
    wait_for(lambda: (t.pump(0.1), 'HTTP download of desk stops' in log())[1], 40, 'multicast to take over')
    wait_for(lambda: (t.pump(0.1), re.search(r'multicast: [1-9][0-9]? %', log()))[1], 30, 'multicast progress in the log')
    t.expect(' ready', timeout=60)
    assert real.wait(timeout=60) == 0, open(T + '/send.err').read()
    assert 'image received and verified' in log(), log()
    t.send('enter')
    t.expect('fake-vm: booted desk', where='all')
    t.send('poweroff\r')
    t.expect('was powered off')
finally:
    t.stop()
PY
grep -q "1 of 1 receivers done" "$T/send.out" || fail "sender: $(cat "$T/send.out" "$T/send.err")"
[ "$(sha256sum < "$T/cache/images/$hex" | cut -d' ' -f1)" = "$hex" ] || fail "image not verified in the store"
ls "$T/cache/tmp" | grep -q '\.part$' && fail "a partial image was left: $(ls "$T/cache/tmp")"
grep -q "chunks by multicast" "$RUN/menu.log" || fail "no multicast summary in the log"
echo "menu log:"; grep multicast "$RUN/menu.log"
