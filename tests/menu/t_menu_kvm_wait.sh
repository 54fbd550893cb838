# A start asked for while init still loads KVM's driver (RUN/kvm-loading is
# there, /dev/kvm not yet) waits for it instead of failing, and goes ahead
# once init is done.
# timeout: 60
. tests/lib.sh
. tests/menu/lib.sh

if [ -e /dev/kvm ]; then
  echo "skip: this machine has /dev/kvm, so a start never waits for it"; exit 0
fi
M=$T/medium
make_files "$M" desk
{ printf '[catalog]\ntitle = Salle C3\n'; app_section "$M" desk "Bureau élève"; } > "$M/catalog.ini"
boot_conf "" "$M/catalog.ini"
: > "$RUN/kvm-loading"

menu_py <<'PY'
import os
from term import Term
E = os.environ
fake, run = E['FAKE_VM_DIR'], E['RUN']
t = Term([E['KVMBOX'], 'menu'])
try:
    t.expect('Bureau élève')
    t.send('enter')
    t.expect('Starting Bureau élève as soon as KVM is ready ...')
    t.expect_not('fake-vm: booted', seconds=3)
    assert not os.path.exists(fake + '/calls'), 'started before KVM was ready'
    os.unlink(run + '/kvm-loading')            # init: the KVM worker ended
    t.expect('fake-vm: booted desk', where='all', timeout=5)
    assert 'waits for /dev/kvm' in open(run + '/menu.log').read()
finally:
    t.stop()
PY
