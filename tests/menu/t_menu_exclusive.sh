# One foreground appliance at a time: while one runs (started by a menu
# that init then restarted), a second start is refused with a message, and
# allowed again once it has powered off. kvmbox.appliance= starts at once.
# timeout: 120
. tests/lib.sh
. tests/menu/lib.sh

M=$T/medium
make_files "$M" desk; make_files "$M" lab
{ printf '[catalog]\ntitle = Salle B12\n'
  app_section "$M" desk "Bureau élève"
  app_section "$M" lab "Lab réseau"
} > "$M/catalog.ini"
boot_conf "" "$M/catalog.ini" desk
grep -v '^appliance' "$RUN/boot.conf" > "$T/boot-again.conf"   # the restarted menu's

menu_py <<'PY'
import os
from term import Term, wait_for
E = os.environ
fake = E['FAKE_VM_DIR']
a = Term([E['KVMBOX'], 'menu'])        # kvmbox.appliance=desk: no key needed
b = None
try:
    a.expect('fake-vm: booted desk', where='all')
    # A second menu on the same machine (as after a restart by init).
    b = Term([E['KVMBOX'], 'menu', '--boot-conf', E['T'] + '/boot-again.conf'])
    b.expect('Bureau élève', timeout=20)
    b.send('down', 'enter')
    b.expect('Cannot start Lab réseau: desk is already running (one appliance at a time).')
    calls = open(fake + '/calls').read().splitlines()
    assert len(calls) == 1, calls
    # Power off the first: the second may start now.
    a.send('poweroff\r')
    a.expect('Bureau élève was powered off.')
    b.send('enter')
    b.expect('fake-vm: booted lab', where='all')
    # And now the first is refused in turn.
    a.send('enter')
    a.expect('Cannot start Bureau élève: lab is already running')
    b.send('poweroff\r')
    b.expect('Lab réseau was powered off.')
finally:
    a.stop()
    if b:
        b.stop()
PY
