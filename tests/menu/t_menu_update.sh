# The catalog changes on the server while an appliance runs (periodic
# refresh): the running one is left alone, and the new catalog shows once
# it has stopped, even when the new catalog no longer lists it.
# timeout: 90
. tests/lib.sh
. tests/menu/lib.sh

S=$T/srv
make_files "$S" desk; make_files "$S" lab
{ printf '[catalog]\ntitle = Salle v1\nrefresh = 1\n'
  app_section "$S" desk "Bureau élève"; app_section "$S" lab "Lab réseau"; } > "$S/v1.ini"
{ printf '[catalog]\ntitle = Salle v2\nrefresh = 1\n'; app_section "$S" desk "Bureau élève"; } > "$S/v2.ini"
cp "$S/v1.ini" "$S/catalog.ini"
start_http "$S"
mkdir -p "$T/medium"; : > "$T/medium/catalog.ini"
boot_conf "$HTTP_URL/" "$T/medium/catalog.ini"

menu_py <<'PY'
import os, shutil, time
from term import Term, wait_for
E = os.environ
srv, log = E['T'] + '/srv', E['RUN'] + '/menu.log'
t = Term([E['KVMBOX'], 'menu'])
try:
    t.expect('Salle v1')
    wait_for(lambda: (t.pump(0.1), t.screen().count(' ready') == 2)[1], 30, 'ready')
    t.send('down', 'enter')
    t.expect('fake-vm: booted lab', where='all')
    shutil.copy(srv + '/v2.ini', srv + '/catalog.ini')
    wait_for(lambda: 'running appliance lab left the catalog' in open(log).read(),
             20, 'the new catalog while lab runs')
    assert 'Salle v2' not in t.all_text()           # the screen stays the VM's
    t.send('poweroff\r')
    t.expect('Lab réseau has stopped; the catalog was updated meanwhile.')
    t.expect('Salle v2')
    assert 'Lab réseau  ' not in t.screen(), t.screen()
    t.send('enter')
    t.expect('fake-vm: booted desk', where='all')
    t.send('poweroff\r')
    t.expect('Bureau élève was powered off.')
finally:
    t.stop()
PY
