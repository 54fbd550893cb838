# The menu's sync downloads a published image through its manifest (chunk
# by chunk, by Range from nginx) and its progress bar shows it; a plain
# sha256= line beside it still works.
# timeout: 120
. tests/lib.sh
. tests/menu/lib.sh
. tests/image/lib.sh
command -v nginx > /dev/null || skip "nginx not installed"

S=$T/srv
make_files "$S" desk
make_files "$S" plain
head -c $((4 << 20)) /dev/urandom > "$T/desk.raw"
{ printf '[catalog]\ntitle = Salle publiée\n'; app_section "$S" desk "Bureau publié"
  echo; app_section "$S" plain "Bureau simple"; } > "$S/catalog.ini"
hex=$("$KVMBOX" image publish --chunk 64K --name desk --catalog "$S/catalog.ini" "$T/desk.raw" "$S")
grep -q "^disk = images/$hex.img sha256=$hex$" "$S/catalog.ini" || fail "catalog: $(cat "$S/catalog.ini")"
port=$(free_port)
start_nginx "$S" "$port" "limit_rate 1m;"
mkdir -p "$T/medium"; : > "$T/medium/catalog.ini"
boot_conf "http://127.0.0.1:$port/" "$T/medium/catalog.ini"

menu_py <<'PY'
import os, re
from term import Term, wait_for
E = os.environ
t = Term([E['KVMBOX'], 'menu'])
try:
    t.expect('Salle publiée')
    wait_for(lambda: (t.pump(0.1), re.search(r'downloading [1-9][0-9]? %', t.screen()))[1],
             20, 'a percentage on the screen')
    t.expect(' ready', timeout=40)
    wait_for(lambda: (t.pump(0.2), t.screen().count(' ready') >= 2)[1], 30, 'both ready')
finally:
    t.stop()
PY
cmp -s "$S/images/$hex.img" "$T/cache/images/$hex" || fail "published image not installed"
[ -z "$(ls "$T/cache/tmp")" ] || fail "left in tmp: $(ls "$T/cache/tmp")"
stop_server
grep -q "GET /images/$hex.img.manifest HTTP/1.1 200" "$T/access.log" || fail "no manifest fetched"
grep -q "GET /images/$hex.img HTTP/1.1 206 bytes=0-" "$T/access.log" || fail "image not by Range"
grep -q "GET /plain.img.manifest HTTP/1.1 404" "$T/access.log" || fail "plain: no manifest asked"
grep -q "GET /plain.img HTTP/1.1 200" "$T/access.log" || fail "plain file not fetched"
