# One foreground appliance at a time: while one runs (started by a menu
# that init then restarted), a second start is refused with a message, and
# allowed again once it has powered off. kvmbox.appliance= starts at once.
# The appliance outlives a menu killed under it: the menu started next on the
# same terminal leaves the terminal to it, says it runs, refuses a start
# (kvmbox.appliance= again) and comes back when it ends. A ghost outlives
# it too, and the next menu keeps it rather than start a second copy.
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
make_files "$M" router
{ cat "$M/catalog.ini"; app_section "$M" router "Routeur" "mode = ghost"; } > "$M/catalog2.ini"
sed "s|^catalog = .*|catalog = $M/catalog2.ini|" "$RUN/boot.conf" > "$T/boot2.conf"

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

menu_py <<'PY'
import os, signal, subprocess, time
from term import Term, wait_for
E = os.environ
fake, run = E['FAKE_VM_DIR'], E['RUN']
menu = [E['KVMBOX'], 'menu', '--boot-conf', E['T'] + '/boot2.conf']
ghost_pid = lambda: int(open(fake + '/ghost-router.pid').read())
routers = lambda: len([c for c in open(fake + '/calls') if 'vmlinuz-router' in c])
a = Term(menu)                         # kvmbox.appliance=desk again, a ghost
b = vm = None
try:
    a.expect('fake-vm: booted desk', where='all')
    wait_for(lambda: os.path.exists(fake + '/ghost-router.pid'), what='ghost start')
    ghost = ghost_pid()
    tty = os.readlink('/proc/%d/fd/0' % a.pid)
    lines = open(run + '/foreground.lock').read().split('\n')
    assert lines[0] == 'desk', lines
    vm = int(lines[1])
    os.kill(a.pid, signal.SIGKILL)     # the menu crashes
    os.waitpid(a.pid, 0)
    time.sleep(0.5)
    os.kill(vm, 0)                     # the appliance lives on ...
    os.kill(ghost, 0)                  # ... and so does the ghost
    a.mark()
    a.send('hello\r')                  # ... and still has the terminal
    a.expect('fake-vm: desk: hello', where='all')
    # The menu again on that terminal, as init starts it after a crash.
    fd = os.open(tty, os.O_RDWR | os.O_NOCTTY)
    b = subprocess.Popen(menu, stdin=fd, stdout=fd, stderr=fd,
                         start_new_session=True)
    os.close(fd)
    a.expect('kvmbox menu: Bureau élève is running; the menu comes back when it ends.',
             where='all')
    a.expect('kvmbox menu: Cannot start Bureau élève: Bureau élève is running '
             '(one appliance at a time).', where='all')
    a.expect_not('Salle B12')          # the menu is not drawn over the appliance
    assert 'Salle B12' not in a.all_text(), a.all_text()
    a.mark()
    a.send('again\r')                  # keys still reach the appliance only
    a.expect('fake-vm: desk: again', where='all')
    calls = open(fake + '/calls').read().splitlines()
    a.send('poweroff\r')
    a.expect('Bureau élève has stopped.', timeout=10)
    assert open(fake + '/calls').read().splitlines() == calls, 'restarted by itself'
    log = open(run + '/menu.log').read()
    assert 'desk (pid %d) still runs, started before this menu' % vm in log, log
    assert 'desk (pid %d) has ended' % vm in log, log
    # The ghost was kept, not started twice; when it dies it is restarted.
    assert 'ghost router (pid %d) still runs, started before this menu' % ghost in log, log
    assert routers() == 1 and ghost_pid() == ghost
    os.kill(ghost, signal.SIGKILL)
    wait_for(lambda: ghost_pid() != ghost, what='ghost restart')
    assert routers() == 2
    ghost = ghost_pid()
    a.send('enter')                    # the new menu starts it as usual
    a.expect('fake-vm: booted desk', where='all')
    a.send('poweroff\r')
    a.expect('Bureau élève was powered off.')
    b.terminate()                      # a menu asked to stop stops its ghosts
    b.wait(5)
    wait_for(lambda: not os.path.exists('/proc/%d' % ghost) or
             open('/proc/%d/stat' % ghost).read().split()[2] == 'Z', what='ghost stop')
finally:
    if b and b.poll() is None:
        b.terminate()
        b.wait(5)
    for p in (vm, ghost_pid() if os.path.exists(fake + '/ghost-router.pid') else None):
        try:
            if p:
                os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass
PY
