# The menu on a terminal with the boot medium's catalog (no server): pick an
# appliance with the arrow keys, see it boot, see the menu come back after a
# power-off; a guest reboot starts it again fresh; a panic and a VMM error
# are explained; the ghost runs headless the whole time and is restarted.
# timeout: 120
. tests/lib.sh
. tests/menu/lib.sh

M=$T/medium
make_files "$M" desk; make_files "$M" lab; make_files "$M" router
{ printf '[catalog]\ntitle = Salle B12 – Réseaux\n'
  app_section "$M" desk "Bureau élève" "description = Le bureau des TP." "memory = 1G" "cpus = 2"
  app_section "$M" lab "Lab réseau" "network = none"
  app_section "$M" router "Routeur" "mode = ghost" "memory = 128M"
  printf '[appliance remote]\ntitle = Serveur distant\ntype = spice\nurl = spice://10.9.8.7:5900\n'
} > "$M/catalog.ini"
boot_conf "" "$M/catalog.ini"

menu_py <<'PY'
import os, signal, time
from term import Term, wait_for
E = os.environ
fake, run = E['FAKE_VM_DIR'], E['RUN']
calls = lambda: open(fake + '/calls').read().splitlines() if os.path.exists(fake + '/calls') else []
t = Term([E['KVMBOX'], 'menu'])
try:
    t.expect('Salle B12 – Réseaux')
    t.expect('Bureau élève')
    t.expect('Lab réseau')
    t.expect('offline | no server')
    assert 'Routeur' not in t.screen(), 'ghost listed'
    # The ghost starts at boot, headless, with its limits.
    wait_for(lambda: os.path.exists(fake + '/ghost-router.pid'), what='ghost start')
    ghost = int(open(fake + '/ghost-router.pid').read())
    g = [c for c in calls() if 'vmlinuz-router' in c][0]
    assert '--mem 128 --cpus 1' in g and '--serial ' + run + '/ghost-router.serial' in g, g

    # Down, Up, Down, Enter: the second appliance.
    t.send('down', 'up', 'down', 'enter')
    t.expect('fake-vm: booted lab', where='all')
    c = calls()[-1]
    assert c.startswith('vm run --kernel ') and '--net none --serial stdio' in c, c
    assert 'overlay=volatile' in c, c
    os.kill(ghost, 0)  # the ghost keeps running beside it
    t.send('hello\r')
    t.expect('fake-vm: lab: hello', where='all')   # the VM has the keyboard
    t.send('poweroff\r')
    t.expect('Lab réseau was powered off.')

    # A guest reboot: started again at once, a fresh volatile overlay.
    n = len(calls())
    t.send('up', 'enter')
    t.expect('fake-vm: booted desk', where='all')
    assert '--mem 1024 --cpus 2' in calls()[-1], calls()[-1]
    t.mark()
    t.send('reboot\r')
    t.expect('fake-vm: booted desk', where='all')
    assert len(calls()) == n + 2 and calls()[-1] == calls()[-2]
    t.send('panic\r')
    t.expect('Bureau élève crashed (guest kernel panic).')
    t.send('enter')
    t.expect('fake-vm: booted desk', where='all')
    t.send('fail\r')
    t.expect('Bureau élève stopped with an error: kvmbox vm: cannot open /dev/kvm')
    # Ctrl-C reaches the appliance, never the menu behind it.
    t.send('enter')
    t.expect('fake-vm: booted desk', where='all')
    t.send('\x03')
    t.expect('Bureau élève was stopped (signal 2).')
    t.send('down')
    t.expect(' >  2. Lab réseau')
    # A remote desktop runs the SPICE client instead of a VM.
    t.send('down', 'enter')
    t.expect('fake-spice: connected to spice://10.9.8.7:5900 --fullscreen', where='all')
    t.send('badpass\r')
    t.expect('Serveur distant refused the connection (password).')
    t.send('enter')
    t.expect('fake-spice: connected', where='all')
    t.send('quit\r')
    t.expect('Serveur distant was closed.')

    # The ghost is restarted when it stops, and never took the screen.
    os.kill(ghost, signal.SIGKILL)
    wait_for(lambda: int(open(fake + '/ghost-router.pid').read()) != ghost, what='ghost restart')
    assert 'fake-vm' not in t.screen()
    log = open(run + '/menu.log').read()
    assert 'ghost router ended' in log, log
finally:
    t.stop()
# The menu stops its ghosts when it stops.
ghost = int(open(fake + '/ghost-router.pid').read())
wait_for(lambda: not os.path.exists('/proc/%d' % ghost) or
         open('/proc/%d/stat' % ghost).read().split()[2] == 'Z', what='ghost stop')
PY
