# The image cache after a sync: images the catalog no longer names are
# deleted (least recently used first) until the cache fits the catalog's
# cache_budget; those it names stay even past the budget, which is said in
# the log. `kvmbox catalog sync` trims the cache the same way.
# timeout: 120
. tests/lib.sh
. tests/menu/lib.sh

S=$T/srv
make_files "$S" desk; make_files "$S" big
head -c $((3 * 1024 * 1024)) /dev/urandom > "$S/big.img"
{ printf '[catalog]\ntitle = Salle v1\n'
  app_section "$S" desk "Bureau"
  app_section "$S" big "Gros"
} > "$S/catalog.ini"
start_http "$S"
"$KVMBOX" catalog sync "$HTTP_URL/" "$T/cache" > "$T/sync.out" 2>&1 || fail "first sync: $(cat "$T/sync.out")"
export BIG=$(sha "$S/big.img") DESK=$(sha "$S/desk.img")
[ -f "$T/cache/images/$BIG" ] && [ -f "$T/cache/images/$DESK" ] || fail "first sync cached nothing"

# The new catalog drops "big" and allows 1 MiB of images.
{ printf '[catalog]\ntitle = Salle v2\ncache_budget = 1M\nrefresh = 3600\n'
  app_section "$S" desk "Bureau"
} > "$S/catalog.ini.new"
mv "$S/catalog.ini.new" "$S/catalog.ini"
mkdir -p "$T/medium"; printf '[catalog]\ntitle = Catalogue du média\n' > "$T/medium/catalog.ini"
boot_conf "$HTTP_URL/" "$T/medium/catalog.ini"

menu_py <<'PY'
import os
from term import Term, wait_for
E = os.environ
images = E['T'] + '/cache/images/'
t = Term([E['KVMBOX'], 'menu'])
try:
    t.expect('Salle v2')
    wait_for(lambda: not os.path.exists(images + E['BIG']), 30, 'the GC of the old image')
    assert os.path.exists(images + E['DESK']), os.listdir(images)
    t.expect('Bureau')
    assert ' ready' in t.screen(), t.screen()
finally:
    t.stop()
PY
[ -f "$T/cache/catalog.ini" ] || fail "no cached catalog"

# A budget smaller than what the catalog needs: nothing it names goes.
head -c $((2 * 1024 * 1024)) /dev/urandom > "$S/desk.img"
{ printf '[catalog]\ntitle = Salle v3\ncache_budget = 1M\nrefresh = 3600\n'
  app_section "$S" desk "Bureau"
} > "$S/catalog.ini.new"
mv "$S/catalog.ini.new" "$S/catalog.ini"
menu_py <<'PY'
import os
from term import Term, wait_for
E = os.environ
t = Term([E['KVMBOX'], 'menu'])
try:
    t.expect('Salle v3')
    wait_for(lambda: (t.pump(0.1), ' ready' in t.screen())[1], 30, 'the new disk')
    log = E['RUN'] + '/menu.log'
    wait_for(lambda: 'image cache:' in open(log).read(), 10, 'the over-budget line')
finally:
    t.stop()
PY
grep 'image cache:' "$RUN/menu.log" | tail -1
new=$(sha "$S/desk.img")
[ -f "$T/cache/images/$new" ] || fail "the image the catalog names was deleted"

# `kvmbox catalog sync` trims the same way: "desk" leaves, "big" comes back.
{ printf '[catalog]\ntitle = Salle v4\ncache_budget = 1M\n'
  app_section "$S" big "Gros"
} > "$S/catalog.ini.new"
mv "$S/catalog.ini.new" "$S/catalog.ini"
"$KVMBOX" catalog sync "$HTTP_URL/" "$T/cache" > "$T/sync.out" 2>&1 || fail "sync v4: $(cat "$T/sync.out")"
[ -f "$T/cache/images/$new" ] && fail "catalog sync kept the image no catalog names"
[ -f "$T/cache/images/$BIG" ] || fail "catalog sync lost the image the catalog names"
grep -q '^image cache: .*over the 1.0 MiB budget' "$T/sync.out" || fail "no budget line: $(cat "$T/sync.out")"
exit 0
