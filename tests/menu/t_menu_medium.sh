# The menu while init still looks for the boot medium (a CD's drivers take
# seconds): it is up at once and says so, then shows the medium's catalog,
# autostart countdown included, as soon as init replaces boot.conf; when
# init gives the medium up, the menu says there is no catalog.
# timeout: 90
. tests/lib.sh
. tests/menu/lib.sh

M=$T/medium
make_files "$M" desk
{ printf '[catalog]\ntitle = Salle C3\nautostart = desk\nautostart_delay = 30\n'
  app_section "$M" desk "Bureau élève"
} > "$M/catalog.ini"
# init's two boot.conf versions: while looking, then with the medium mounted
conf() {
  printf '[boot]\ncache_dir = %s\ncatalog = %s\nautotest = no\n' "$T/cache" "$1"
  if [ -n "${2:-}" ]; then echo 'medium = waiting'; fi
}
conf /usr/share/kvmbox/none.ini waiting > "$RUN/boot.conf"
conf "$M/catalog.ini" > "$T/found.conf"
conf "$T/absent/catalog.ini" > "$T/lost.conf"

menu_py <<'PY'
import os, time
from term import Term, wait_for
E = os.environ
run, T = E['RUN'], E['T']
def init_writes(name):  # the way init does: a new file renamed over the old
    open(run + '/boot.conf.new', 'w').write(open(T + '/' + name).read())
    os.rename(run + '/boot.conf.new', run + '/boot.conf')

t = Term([E['KVMBOX'], 'menu'])
try:
    t.expect('Reading the boot medium ...')
    t.expect('Up/Down: choose')
    t.expect_not('No catalog', seconds=2)
    init_writes('found.conf')
    t0 = time.time()
    t.expect('Bureau élève', timeout=5)
    took = time.time() - t0
    t.expect('Starting Bureau élève in')
    assert 'Reading the boot medium' not in t.screen(), t.screen()
    log = open(run + '/menu.log').read()
    assert 'boot medium settled: catalog ' + T + '/medium/catalog.ini' in log, log
    print('catalog shown %.2f s after boot.conf changed' % took)
    assert took < 0.5, 'took %.2f s: the watch did not fire' % took
finally:
    t.stop()

# Given up: the menu says why there is nothing to start.
open(run + '/boot.conf', 'w').write(open(T + '/found.conf').read() + 'medium = waiting\n')
t = Term([E['KVMBOX'], 'menu'])
try:
    t.expect('Reading the boot medium ...')
    init_writes('lost.conf')
    t.expect('No catalog: ')
    t.expect('absent/catalog.ini')
finally:
    t.stop()
PY
