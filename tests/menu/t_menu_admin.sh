# The countdown starts the default appliance by itself; a key stops it.
# Admin mode behind the catalog's password: network status, the log, reset
# of a persistent overlay, reboot and power off asked of PID 1 by signals.
# timeout: 120
. tests/lib.sh
. tests/menu/lib.sh

M=$T/medium
make_files "$M" desk; make_files "$M" exam
{ printf '[catalog]\ntitle = Salle B12\nautostart = desk\nautostart_delay = 2\n'
  printf 'admin_password = sha256:%s\n' "$(printf 'p@ss word' | sha256sum | cut -c1-64)"
  app_section "$M" desk "Bureau élève"
  app_section "$M" exam "Examen" "overlay = persistent" "access = admin"
} > "$M/catalog.ini"
boot_conf "" "$M/catalog.ini"
printf '[net]\nstate = online\nbridge = br-lab\nuplink = eth0\ncarrier = yes\naddress = 10.1.2.3/24\nrouter = 10.1.2.1\ndns = 10.1.2.1\nlease_seconds = 3600\nupdated = 1700000000\n' > "$RUN/net.status"

# Stands in for PID 1: records the signals it gets.
bash -c 'trap "echo reboot >> $0" TERM; trap "echo poweroff >> $0" USR2; while :; do sleep 0.1; done' "$T/signals" &
INIT=$!
cleanup_hooks+=("kill -9 $INIT; wait $INIT 2>/dev/null")
export KVMBOX_INIT_PID=$INIT

menu_py <<'PY'
import os, time
from term import Term, wait_for
E = os.environ
t = Term([E['KVMBOX'], 'menu'])
try:
    t.expect('Starting Bureau élève in 2 s')
    t.expect('online 10.1.2.3/24 | no server')
    t.expect('fake-vm: booted desk', where='all', timeout=10)  # nobody touched a key
    c = open(E['FAKE_VM_DIR'] + '/calls').read().splitlines()[-1]
    assert '--net bridge=br-lab' in c, c           # the daemon's bridge
    t.send('poweroff\r')
    t.expect('Bureau élève was powered off.')
    assert 'Examen' not in t.screen()              # admin-only: hidden

    # Wrong password, then the right one (with a typo corrected).
    t.send('a', *'guess', 'enter')
    t.expect('Wrong password.')
    t.send('a', *'p@ss wordd', 'backspace', 'enter')
    t.expect('Administration')
    t.send('down', 'down', 'down', 'enter')        # Network status
    t.expect('address = 10.1.2.3/24')
    t.send('x')
    t.send('up', 'enter')                          # Show the log
    t.expect('wrong admin password')
    t.send('x')
    # Reset the persistent overlay of the admin-only appliance.
    ov = E['T'] + '/cache/overlays/exam-0.overlay'
    open(ov, 'w').write('student changes')
    t.send('up', 'enter')
    t.expect('Reset the persistent overlay of')
    t.send('enter')
    t.expect('Examen will start from its pristine image next time.')
    assert not os.path.exists(ov)
    c = open(E['FAKE_VM_DIR'] + '/calls').read().splitlines()[-1]
    assert c == 'disk reset --cache %s/cache exam' % E['T'], c
    # Admin-only appliances can be started by the admin.
    t.send('esc')
    t.expect('Examen')
    t.send('down', 'enter')
    t.expect('fake-vm: booted exam', where='all')
    c = open(E['FAKE_VM_DIR'] + '/calls').read().splitlines()[-1]
    assert 'overlay=' + ov in c, c
    t.send('poweroff\r')
    t.expect('Examen was powered off.')
    t.send('a', 'down', 'down', 'down', 'down', 'enter')   # Reboot
    t.expect('Reboot ...')
    t.send('down', 'enter')                                 # Power off
    t.expect('Power off ...')
    wait_for(lambda: os.path.exists(E['T'] + '/signals') and
             open(E['T'] + '/signals').read().split() == ['reboot', 'poweroff'],
             what='signals to init')
    t.send('down', 'enter')                                 # Leave admin mode
    t.expect('Left admin mode.')
    assert 'Examen' not in t.screen()
finally:
    t.stop()
PY

# A key during the countdown stops it.
rm -f "$FAKE_VM_DIR/calls"
menu_py <<'PY'
import os
from term import Term
E = os.environ
t = Term([E['KVMBOX'], 'menu'])
try:
    t.expect('Starting Bureau élève in')
    t.send('down')
    t.expect('Up/Down: choose')
    t.expect_not('fake-vm', 4)
    assert not os.path.exists(E['FAKE_VM_DIR'] + '/calls')
finally:
    t.stop()
PY
