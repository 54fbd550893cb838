# kvmbox catalog check: validation with file:line errors; password hashes.
# timeout: 60
. tests/lib.sh
. tests/menu/lib.sh

make_files "$T/m" desk
{ printf '[catalog]\ntitle = Salle B12 – Réseaux\nautostart = desk\n'
  app_section "$T/m" desk "Bureau élève" "memory = 1G" "cpus = 2"
  printf '[appliance remote]\ntitle = TP distant\ntype = spice\nurl = spice://10.0.0.5:5900\naccess = admin\n'
} > "$T/m/catalog.ini"
expect_status 0 "$KVMBOX" catalog check "$T/m/catalog.ini"
grep -q "catalog.ini: ok, 2 appliances (0 ghost)" "$T/out" || fail "ok line: $(cat "$T/out")"

sed 's/^cpus = 2/cpus = lots/' "$T/m/catalog.ini" > "$T/bad1.ini"
printf '[catalog]\ntitle = x\n[appliance a]\ntitle = A\nkernel = ../../etc/shadow\n' > "$T/bad2.ini"
expect_status 1 "$KVMBOX" catalog check "$T/bad1.ini" "$T/m/catalog.ini" "$T/bad2.ini"
grep -qx "$T/bad1.ini:10: cpus must be a number from 1 to 64" "$T/err" || fail "bad1: $(cat "$T/err")"
grep -q "^$T/bad2.ini:5: kernel '../../etc/shadow' is not a plain relative file name" "$T/err" \
  || fail "bad2: $(cat "$T/err")"
grep -q "catalog.ini: ok" "$T/out" || fail "the good one between two bad ones"
expect_status 1 "$KVMBOX" catalog check "$T/missing.ini"
grep -q "missing.ini: No such file" "$T/err" || fail "missing file"
expect_status 2 "$KVMBOX" catalog frobnicate

want="admin_password = sha256:$(printf 's3cret pass' | sha256sum | cut -c1-64)"
[ "$(echo 's3cret pass' | "$KVMBOX" catalog password)" = "$want" ] || fail "password hash"

# catalog sync: pre-fills a cache from a server, verified; a damaged image
# is refused and the exit status says so.
start_http "$T/m"
expect_status 0 "$KVMBOX" catalog sync "$HTTP_URL/" "$T/c"
grep -qx "ready desk" "$T/out" || fail "sync: $(cat "$T/out")"
[ -f "$T/c/images/$(sha "$T/m/desk.img")" ] && [ -f "$T/c/images/$(sha "$T/m/vmlinuz-desk")" ] \
  && cmp -s "$T/c/catalog.ini" "$T/m/catalog.ini" || fail "cache not filled"
echo damage >> "$T/m/desk.img"
rm -rf "$T/c2"
expect_status 1 "$KVMBOX" catalog sync "$HTTP_URL/catalog.ini" "$T/c2"
grep -q "failed desk desk.img does not match its sha256" "$T/out" || fail "damage: $(cat "$T/out")"
[ ! -e "$T/c2/images/$(sha "$T/m/desk.img")" ] || fail "damaged image installed"
