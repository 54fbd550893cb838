# A download in progress shows "downloading N %" and the appliance cannot be
# started until its image is verified and ready; then it starts.
# timeout: 90
. tests/lib.sh
. tests/menu/lib.sh

S=$T/srv
make_files "$S" desk
head -c $((400 * 1024)) /dev/urandom > "$S/desk.img"        # 4 s at 100 KB/s
{ printf '[catalog]\ntitle = Salle lente\n'; app_section "$S" desk "Bureau élève"; } > "$S/catalog.ini"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 tests/menu/slow-http.py "$S" "$port" 100000 &
srv=$!
cleanup_hooks+=("kill $srv; wait $srv 2>/dev/null")
for i in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/catalog.ini" && break; sleep 0.1; done
mkdir -p "$T/medium"; : > "$T/medium/catalog.ini"
boot_conf "http://127.0.0.1:$port/" "$T/medium/catalog.ini"

menu_py <<'PY'
import os, re
from term import Term, wait_for
E = os.environ
t = Term([E['KVMBOX'], 'menu'])
try:
    t.expect('Salle lente')
    wait_for(lambda: (t.pump(0.1), re.search(r'downloading [1-9][0-9]? %', t.screen()))[1],
             20, 'a percentage on the screen')
    t.send('enter')
    t.expect('Cannot start Bureau élève: its files are not all here yet')
    t.expect(' ready', timeout=30)
    t.send('enter')
    t.expect('fake-vm: booted desk', where='all')
    t.send('poweroff\r')
    t.expect('was powered off')
finally:
    t.stop()
PY
