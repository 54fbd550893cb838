# Sync with a real HTTP server: the catalog and missing images are fetched
# into the image store and verified; a corrupted new catalog is rejected
# while the last good one stays; an image that does not match its digest is
# refused; offline, the cached catalog and images keep working and what was
# never cached is shown unavailable.
# timeout: 180
. tests/lib.sh
. tests/menu/lib.sh

S=$T/srv
make_files "$S" desk; make_files "$S" lab; make_files "$S" extra
head -c $((3 * 1024 * 1024)) /dev/urandom > "$S/desk.img"   # something to download
write_catalog() {
  { printf '[catalog]\ntitle = %s\nrefresh = 3600\n' "$1"
    printf 'admin_password = sha256:%s\n' "$(printf secret | sha256sum | cut -c1-64)"
    app_section "$S" desk "Bureau élève"
    app_section "$S" lab "Lab réseau"
    [ -z "${2:-}" ] || app_section "$S" extra "En plus"
  } > "$S/catalog.ini.new"
  mv "$S/catalog.ini.new" "$S/catalog.ini"
}
write_catalog "Salle v2" extra
mv "$S/catalog.ini" "$S/catalog-v2.ini"
echo garbage >> "$S/extra.img"    # no longer matches its digest
write_catalog "Salle du serveur"
start_http "$S"
# The boot medium has an older catalog naming nothing the server has.
mkdir -p "$T/medium"; printf '[catalog]\ntitle = Catalogue du média\n' > "$T/medium/catalog.ini"
boot_conf "$HTTP_URL/" "$T/medium/catalog.ini"

export SRV=$S
menu_py <<'PY'
import os
from term import Term, wait_for
E = os.environ
t = Term([E['KVMBOX'], 'menu'])
try:
    t.expect('Salle du serveur')                # fetched and validated
    t.expect('server reachable')
    wait_for(lambda: (t.pump(0.1), t.screen().count(' ready') == 2)[1], 30, 'downloads')
    imgs = os.listdir(E['T'] + '/cache/images')
    assert len(imgs) == 4, imgs                  # 2 kernels + 2 disks, by digest
    t.send('enter')
    t.expect('fake-vm: booted desk', where='all')
    c = open(E['FAKE_VM_DIR'] + '/calls').read().splitlines()[-1]
    assert '--kernel ' + E['T'] + '/cache/images/' in c, c
    t.send('poweroff\r')
    t.expect('was powered off')

    # A corrupted catalog on the server: refused, the old one stays.
    with open(E['SRV'] + '/catalog.ini', 'a') as f:
        f.write('[appliance broken]\ntitle = Cassé\nmemory = lots\n')
    t.send('a')
    t.expect('Admin password:')
    t.send(*'secret', 'enter')
    t.expect('Refresh the catalog now')
    t.send('enter')
    t.expect('New catalog rejected (the previous one stays): http://127.0.0.1:')
    assert 'memory must be a size' in t.screen(), t.screen()
    t.send('esc')
    t.expect('Salle du serveur')
    assert 'Cassé' not in t.screen()

    # A new appliance whose image does not match its digest.
    os.rename(E['SRV'] + '/catalog-v2.ini', E['SRV'] + '/catalog.ini')
    t.send('a', 'enter')
    t.expect('Salle v2', timeout=30)
    t.send('esc')
    t.expect('En plus')
    t.send('down', 'down')
    t.expect('Unavailable: extra.img does not match its sha256 (damaged on the server?)', timeout=30)
    assert not [f for f in os.listdir(E['T'] + '/cache/tmp')], 'partial download left'
finally:
    t.stop()
PY
grep -q "new catalog rejected, keeping the last good one" "$RUN/menu.log" || fail "log of the rejection"

# Offline: the server is gone; the cached catalog and images still work.
stop_http
menu_py <<'PY'
import os
from term import Term
E = os.environ
t = Term([E['KVMBOX'], 'menu'])
try:
    t.expect('Salle v2')
    t.expect('server unreachable', timeout=30)
    t.expect('unavailable: not cached, offline')
    s = t.screen()
    assert s.count(' ready') == 2, s
    t.send('enter')
    t.expect('fake-vm: booted desk', where='all')
    t.send('poweroff\r')
    t.expect('was powered off')
    # The one never cached cannot start, and says why.
    t.send('down', 'down', 'enter')
    t.expect('Cannot start En plus: its files are not all here yet')
finally:
    t.stop()
PY
