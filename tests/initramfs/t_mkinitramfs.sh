# kvmbox mkinitramfs writes a newc archive that cpio(1) and the kernel read,
# with the kernel modules kvmbox needs, optionally LZ4-compressed.
# timeout: 120
. tests/lib.sh

printf 'été\n' > "$T/hello.txt"
"$KVMBOX" mkinitramfs -o "$T/i.cpio" --modules none --mkdir /etc/kvmbox \
  --add "$T/hello.txt:/etc/kvmbox/hello.txt"
mkdir "$T/x"
(cd "$T/x" && cpio -idm --quiet --no-absolute-filenames < "$T/i.cpio" 2>/dev/null) || fail "cpio could not read it"
cmp "$T/x/bin/kvmbox" "$KVMBOX" || fail "bin/kvmbox differs"
[ "$(readlink "$T/x/init")" = bin/kvmbox ] || fail "/init link"
[ "$(readlink "$T/x/sbin/modprobe")" = /bin/kvmbox ] || fail "/sbin/modprobe link"
cmp "$T/x/etc/kvmbox/hello.txt" "$T/hello.txt" || fail "added file"
cpio -itv < "$T/i.cpio" 2>/dev/null | grep -q '^crw.*dev/console' || fail "dev/console node"
[ $(( $(stat -c %s "$T/i.cpio") % 4 )) = 0 ] || fail "archive not padded"
expect_status 2 "$KVMBOX" mkinitramfs
expect_status 2 "$KVMBOX" mkinitramfs -o "$T/k.cpio" --compress zip
expect_status 1 "$KVMBOX" mkinitramfs -o "$T/j.cpio" --modules none --add "$T/nope:/x"
grep -q "nope:/x: No such file" "$T/err" || fail "missing source message"
[ ! -e "$T/j.cpio" ] || fail "partial archive left behind"

# --bare: a guest's image, no kvmbox in it.
"$KVMBOX" mkinitramfs --bare -o "$T/b.cpio" --modules none --add "$T/hello.txt:/init"
cpio -it < "$T/b.cpio" 2>/dev/null > "$T/b.list"
! grep -q '^bin/kvmbox$' "$T/b.list" || fail "--bare still ships kvmbox"
grep -q '^init$' "$T/b.list" || fail "--bare lacks the added /init"

# Modules of a kernel: a fake /lib/modules/VERSION with a dependency chain.
M=$T/lib/modules/9.9.9-test
mkdir -p "$M/kernel/a" "$M/kernel/b"
echo modA > "$M/kernel/a/kvm-amd.ko"; echo modB > "$M/kernel/b/kvm.ko"
echo other > "$M/kernel/b/other.ko"
printf 'kernel/a/kvm-amd.ko: kernel/b/kvm.ko\nkernel/b/kvm.ko:\nkernel/b/other.ko:\n' > "$M/modules.dep"
printf 'alias cpu:type:x86,*svm* kvm_amd\nalias other-alias other\n' > "$M/modules.alias"
"$KVMBOX" mkinitramfs -o "$T/m.cpio" --modules "$M" 2> "$T/m.err" || fail "with modules: $(cat "$T/m.err")"
grep -q '2 modules from' "$T/m.err" || fail "module count: $(cat "$T/m.err")"
mkdir "$T/m"
(cd "$T/m" && cpio -idm --quiet --no-absolute-filenames < "$T/m.cpio" 2>/dev/null)
D=$T/m/lib/modules/9.9.9-test
cmp "$D/kernel/a/kvm-amd.ko" "$M/kernel/a/kvm-amd.ko" || fail "kvm-amd.ko not shipped"
[ ! -e "$D/kernel/b/other.ko" ] || fail "an unneeded module was shipped"
[ "$(cat "$D/modules.dep")" = "$(printf 'kernel/b/kvm.ko:\nkernel/a/kvm-amd.ko: kernel/b/kvm.ko')" ] ||
  fail "modules.dep: $(cat "$D/modules.dep")"
[ "$(cat "$D/modules.alias")" = 'alias cpu:type:x86,*svm* kvm_amd' ] || fail "modules.alias"
"$KVMBOX" mkinitramfs -o "$T/o.cpio" --modules "$M" --module-list other 2>/dev/null
cpio -it < "$T/o.cpio" 2>/dev/null | grep -q 'b/other.ko$' || fail "--module-list ignored"
"$KVMBOX" mkinitramfs -o "$T/q.cpio" --modules "$M" --add-modules other 2> "$T/q.err"
grep -q '3 modules from' "$T/q.err" || fail "--add-modules: $(cat "$T/q.err")"
expect_status 1 "$KVMBOX" mkinitramfs -o "$T/p.cpio" --modules "$T/nowhere"

# LZ4: the legacy frame that lz4(1) and the kernel decompress.
"$KVMBOX" mkinitramfs -o "$T/m.lz4" --modules "$M" --compress lz4 2>/dev/null
[ "$(head -c 4 "$T/m.lz4" | od -An -tx1 | tr -d ' ')" = 02214c18 ] || fail "not an LZ4 legacy frame"
lz4 -dc "$T/m.lz4" > "$T/m2.cpio" 2>/dev/null || fail "lz4 cannot decompress it"
cmp "$T/m2.cpio" "$T/m.cpio" || fail "compressed archive differs from the plain one"

# modprobe: unknown modules are reported (nothing is loaded on this host).
expect_status 1 "$KVMBOX" modprobe -d "$M" no_such_module
grep -q "no_such_module: no such module" "$T/err" || fail "modprobe message"
expect_status 1 "$KVMBOX" modprobe -q -d "$M" no_such_module
[ ! -s "$T/err" ] || fail "modprobe -q printed: $(cat "$T/err")"
expect_status 2 "$KVMBOX" modprobe
