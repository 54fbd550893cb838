# Network modes reach the VM: an isolated appliance gets its set's private
# bridge (made with `kvmbox net setup --bridge kvi-SET --isolated` before
# the VM starts) and its VLAN; a bridged one the daemon's bridge and its
# VLAN; when the private bridge cannot be made, the start is refused with
# the reason.
# timeout: 90
. tests/lib.sh
. tests/menu/lib.sh

M=$T/medium
make_files "$M" desk; make_files "$M" lab
{ printf '[catalog]\ntitle = Salle réseau\n'
  app_section "$M" lab "Lab isolé" "network = isolated" "isolated_net = tp3" "vlan = 12"
  app_section "$M" desk "Bureau" "vlan = 30"
} > "$M/catalog.ini"
"$KVMBOX" catalog check "$M/catalog.ini" > /dev/null || fail "catalog"
boot_conf "" "$M/catalog.ini"
printf '[net]\nstate = online\nbridge = br0\ncarrier = yes\naddress = 10.0.0.7/24\n' > "$RUN/net.status"

menu_py <<'PY'
import os
from term import Term
E = os.environ
calls = E['FAKE_VM_DIR'] + '/calls'
def last(n):
    return open(calls).read().splitlines()[-n:]
t = Term([E['KVMBOX'], 'menu'])
try:
    t.expect('Lab isolé')
    t.send('enter')
    t.expect('fake-vm: booted lab', where='all')
    setup, run = last(2)
    assert setup == 'net setup --bridge kvi-tp3 --isolated', setup
    assert '--net bridge=kvi-tp3,vlan=12 ' in run, run
    t.send('poweroff\r')
    t.expect('was powered off')
    t.send('down', 'enter')
    t.expect('fake-vm: booted desk', where='all')
    assert '--net bridge=br0,vlan=30 ' in last(1)[0], last(1)
    assert not any(c.startswith('net setup') for c in last(1)), last(1)
    t.send('poweroff\r')
    t.expect('was powered off')
finally:
    t.stop()

n = len(open(calls).read().splitlines())
t = Term([E['KVMBOX'], 'menu'], env={'FAKE_NET_FAIL': 'no permission'})
try:
    t.expect('Lab isolé')
    t.send('enter')
    t.expect('Cannot start Lab isolé: isolated network kvi-tp3: kvmbox net: no permission')
    assert not any(c.startswith('vm run') for c in open(calls).read().splitlines()[n:])
finally:
    t.stop()
PY
