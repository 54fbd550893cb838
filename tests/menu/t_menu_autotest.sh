# kvmbox.autotest (nobody at the keyboard): the menu runs the appliance
# boot.conf names, then asks PID 1 to power off; an appliance that cannot
# run does not keep it waiting. (With nothing asked for it waits a minute.)
# timeout: 90
. tests/lib.sh
. tests/menu/lib.sh

M=$T/medium
make_files "$M" desk
{ printf '[catalog]\ntitle = Salle B12\n'; app_section "$M" desk "Bureau élève"
  printf '[appliance gone]\ntitle = Absent\nkernel = nothing\nkernel_sha256 = %s\n' "$(printf x | sha256sum | cut -c1-64)"
} > "$M/catalog.ini"

bash -c 'trap "echo reboot >> $0" TERM; trap "echo poweroff >> $0" USR2; while :; do sleep 0.1; done' "$T/signals" &
INIT=$!
cleanup_hooks+=("kill -9 $INIT; wait $INIT 2>/dev/null")
export KVMBOX_INIT_PID=$INIT

for appliance in desk gone; do
  rm -f "$T/signals"
  boot_conf "" "$M/catalog.ini" "$appliance"
  sed -i 's/^autotest = no/autotest = yes/' "$RUN/boot.conf"
  APPLIANCE=$appliance menu_py <<'PY'
import os
from term import Term, wait_for
E = os.environ
sig = E['T'] + '/signals'
t = Term([E['KVMBOX'], 'menu'])
try:
    if E['APPLIANCE'] == 'desk':
        t.expect('fake-vm: booted desk', where='all')
        assert not os.path.exists(sig), 'power-off while the appliance runs'
        t.send('poweroff\r')
    wait_for(lambda: os.path.exists(sig) and open(sig).read() == 'poweroff\n',
             15, 'power-off request')
finally:
    t.stop()
PY
done
grep -q "autotest: gone is unavailable: files missing from the boot medium" "$RUN/menu.log" \
  || fail "unavailable appliance not logged"
