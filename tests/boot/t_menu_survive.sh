# The student's appliance outlives a crash of the menu (the real ISO, nested
# KVM under QEMU TCG, the serial console driven as a person would): an
# appliance started at boot (kvmbox.appliance=) runs; init kills the menu
# under it (kvmbox.test-hook=kill-menu) and starts it again; the appliance
# keeps running and keeps the console (its output goes on, typed keys reach
# it); the new menu says it runs and refuses a second start, naming it;
# when the guest powers off, init reaps it, the menu is back, and it starts
# the appliance again as usual.
# timeout: 420
. tests/lib.sh
. tests/boot/lib.sh
has_applet menu && has_applet vm || skip "this build has no menu or no vm applet"
BUSYBOX=$(command -v busybox || echo /bin/busybox)
[ -x "$BUSYBOX" ] || skip "busybox-static is needed for the test guests"

# The guest: says it is alive every second, powers off when "off" is typed
# on its console (or after 5 minutes, so that nothing runs for ever).
mkdir -p "$T/g"
cat > "$T/g/init" <<'INIT'
#!/bin/busybox sh
bb=/bin/busybox
$bb mount -t proc proc /proc
n=0
while [ $n -lt 300 ]; do
  echo "kvmbox-long: alive $n"
  n=$((n + 1))
  if read -t 1 line && [ "$line" = off ]; then
    echo "kvmbox-long: powering off"; break
  fi
done
$bb poweroff -f
INIT
chmod 755 "$T/g/init"
"$KVMBOX" mkinitramfs --bare -o "$T/g/guest.img" --compress lz4 --modules "$KMODS" \
  --module-list virtio_pci --add "$BUSYBOX:/bin/busybox" \
  --add "$T/g/init:/init" 2> /dev/null || fail "guest initramfs"

build_demo "$T/medium"
M=$T/medium
mkdir -p "$M/t"
cp "$T/g/guest.img" "$M/t/long.img"
sum() { sha256sum < "$1" | cut -d' ' -f1; }
{ printf '\n[appliance long]\ntitle = Long-running guest\nkernel = demo/vmlinuz\n'
  printf 'kernel_sha256 = %s\ninitrd = t/long.img\ninitrd_sha256 = %s\n' \
    "$(sum "$M/demo/vmlinuz")" "$(sum "$M/t/long.img")"
  printf 'memory = 256M\nnetwork = none\ncmdline = console=ttyS0 panic=-1 quiet\n'
} >> "$M/catalog.ini"
"$KVMBOX" catalog check "$M/catalog.ini" > /dev/null ||
  fail "test catalog: $("$KVMBOX" catalog check "$M/catalog.ini" 2>&1)"
# Not quiet: init's log lines (level info) show on the serial console too.
build_iso "$T/kvmbox.iso" "console=tty0 console=ttyS0,115200 kvmbox.console=ttyS0 panic=-1 kvmbox.appliance=long kvmbox.test-hook=kill-menu"

SOCK=$T/serial.sock
start_vm() {
  rm -f "$SOCK"; : > "$T/serial.log"
  qemu-system-x86_64 -accel tcg -cpu qemu64,+svm,+npt -m 2048 -smp 2 -no-reboot \
    -display none -monitor none -nic none -cdrom "$T/kvmbox.iso" -boot d \
    -chardev "socket,id=s0,path=$SOCK,server=on,wait=off,logfile=$T/serial.log" \
    -serial chardev:s0 &
  QPID=$!
  cleanup_hooks+=("kill -9 $QPID 2>/dev/null; wait $QPID 2>/dev/null")
}

for try in 1 2 3; do
  start_vm
  for _ in $(seq 1 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
  set +e
  SOCK=$SOCK PYTHONPATH=$PWD/tests/menu python3 - <<'PY'
import os, re, socket, sys, time
from term import Term

class Serial(Term):
    """term.py's screen reader and key sender on QEMU's serial socket."""
    def __init__(self, path):
        self.raw = b''
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(path)
        self.fd = self.sock.fileno()
        self.status = None

def alive(text):
    return [int(n) for n in re.findall(r'kvmbox-long: alive (\d+)\r?\n', text)]

def wait_alive(at_least, timeout):
    end = time.time() + timeout
    while time.time() < end and not [n for n in alive(s.all_text()) if n >= at_least]:
        s.pump(0.2)
    assert [n for n in alive(s.all_text()) if n >= at_least], \
        'no "alive %d" from the guest: %s' % (at_least, s.all_text()[-2000:])

s = Serial(os.environ['SOCK'])
try:
    s.expect('Starting Long-running guest', timeout=200, where='all')
except AssertionError:
    sys.exit(75)  # the emulated machine stalled: one more try
s.expect('test-hook: killing the menu', timeout=120, where='all')
# The serial line is slow: wait for the whole line, not just its start.
hook = r'test-hook: killing the menu \(pid \d+\); foreground appliance: pid (\d+)\r?\n'
end = time.time() + 30
while time.time() < end and not re.search(hook, s.all_text()):
    s.pump(0.2)
vm = re.search(hook, s.all_text())
assert vm and vm.group(1) != '0', s.all_text()[-3000:]
vm = vm.group(1)
s.expect('killed by signal 9 (Killed); starting it again', timeout=30, where='all')
running = 'kvmbox menu: Long-running guest is running; the menu comes back when it ends.'
s.expect(running, timeout=60, where='all')
# kvmbox.appliance= again: refused, the running one named.
s.expect('kvmbox menu: Cannot start Long-running guest: Long-running guest is running '
         '(one appliance at a time).', timeout=10, where='all')
# The appliance goes on (its guest was still booting when the menu died):
# its output keeps coming, counting up from 0 once (nothing restarted it).
wait_alive(3, 150)
after = s.all_text().split(running, 1)[1]
seen = alive(after)
assert seen.count(0) <= 1 and seen == sorted(seen), seen
assert 'Demo appliance' not in after, 'the menu drew over the appliance: ' + after[-2000:]
# Keys reach it: it powers off; init reaps the orphan; the menu is back.
s.send('off\r')
s.expect('kvmbox-long: powering off', timeout=30, where='all')
s.expect('Long-running guest has stopped.', timeout=60)
s.expect('Demo appliance')
s.expect('orphan pid %s exited with status 0' % vm, timeout=10, where='all')
# The menu starts it again as ever (second in the list).
s.mark()
s.send('down', 'enter')
s.expect('Starting Long-running guest', timeout=30, where='all')
try:
    # The same guest booted in seconds a moment ago: a silence this long
    # is the emulated CPU stuck in the nested guest (QEMU TCG with AMD-V
    # emulated stalls so now and then), not the menu.
    s.expect('kvmbox-long: alive 0', timeout=120, where='all')
except AssertionError:
    print('the restarted guest stayed silent for 120 s')
    sys.exit(75)
s.expect('kvmbox-long: alive 2', timeout=30, where='all')
s.send('off\r')
s.expect('Long-running guest was powered off.', timeout=60)
print('scenario passed')
PY
  rc=$?
  set -e
  [ $rc = 75 ] && [ $try -lt 3 ] && { echo "attempt $try: the guest stalled; serial tail:"; tail -n 15 "$T/serial.log";
                                   kill -9 $QPID; wait $QPID 2> /dev/null || true; continue; }
  break
done
kill -9 $QPID 2> /dev/null || true
[ $rc = 0 ] || { tail -n 40 "$T/serial.log" | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g'; fail "scenario failed (rc $rc)"; }
echo pass
