# Appliance icons of a server catalog: the sync worker fetches each one
# into CACHE/icons/NAME.ppm (an oversize one is refused with a log line
# and not cached), the menu loads them when they arrive, and offline the cached
# copies are still shown.
# timeout: 120
. tests/lib.sh
. tests/menu/lib.sh

S=$T/srv
make_files "$S" desk; make_files "$S" lab
mkdir -p "$S/icons"
python3 - "$S/icons/desk.ppm" <<'PY'
import sys
open(sys.argv[1], 'wb').write(b'P6\n# a comment\n64 48\n255\n' + bytes([40, 90, 200]) * 64 * 48)
PY
printf 'P6\n200 200\n255\n' > "$S/icons/lab.ppm"; head -c 120000 /dev/zero >> "$S/icons/lab.ppm"
{ printf '[catalog]\ntitle = Salle des icônes\nrefresh = 3600\n'
  app_section "$S" desk "Bureau" "icon = icons/desk.ppm"
  app_section "$S" lab "Lab" "icon = icons/lab.ppm"
} > "$S/catalog.ini"
start_http "$S"
mkdir -p "$T/medium"; printf '[catalog]\ntitle = Catalogue du média\n' > "$T/medium/catalog.ini"
boot_conf "$HTTP_URL/" "$T/medium/catalog.ini"

menu_py <<'PY'
import os
from term import Term, wait_for
E = os.environ
t = Term([E['KVMBOX'], 'menu'])
try:
    t.expect('Salle des icônes')
    wait_for(lambda: (t.pump(0.1), t.screen().count(' ready') == 2)[1], 30, 'downloads')
    log = E['RUN'] + '/menu.log'
    wait_for(lambda: (t.pump(0.1), 'icons: 1 of 2 shown' in open(log).read())[1], 30,
             'the fetched icon loaded')
finally:
    t.stop()
PY
cmp -s "$S/icons/desk.ppm" "$T/cache/icons/desk.ppm" || fail "desk's icon not cached"
[ ! -e "$T/cache/icons/lab.ppm" ] || fail "the oversize icon was cached"
grep -qF "icon $HTTP_URL/icons/lab.ppm of lab not fetched: 200x200, icons are at most 96x96" \
  "$RUN/menu.log" || fail "no log line for the oversize icon"
grep -qF "icons/lab.ppm of lab not shown: " "$RUN/menu.log" || fail "no log line for the missing cached icon"

# Offline: the server is gone, the cached icon still shows.
stop_http
: > "$RUN/menu.log"
menu_py <<'PY'
import os
from term import Term, wait_for
E = os.environ
t = Term([E['KVMBOX'], 'menu'])
try:
    t.expect('Salle des icônes')
    t.expect('server unreachable', timeout=30)
finally:
    t.stop()
PY
grep -qF "icons: 1 of 2 shown" "$RUN/menu.log" || fail "the cached icon was not loaded offline"
echo pass
