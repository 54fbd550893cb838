# kvmbox mkinitramfs writes a newc archive that cpio(1) and the kernel read.
# timeout: 60
. tests/lib.sh

printf 'été\n' > "$T/hello.txt"
"$KVMBOX" mkinitramfs -o "$T/i.cpio" --mkdir /etc/kvmbox --add "$T/hello.txt:/etc/kvmbox/hello.txt"
mkdir "$T/x"
(cd "$T/x" && cpio -idm --quiet --no-absolute-filenames < "$T/i.cpio" 2>/dev/null) || fail "cpio could not read it"
cmp "$T/x/bin/kvmbox" "$KVMBOX" || fail "bin/kvmbox differs"
[ "$(readlink "$T/x/init")" = bin/kvmbox ] || fail "/init link"
cmp "$T/x/etc/kvmbox/hello.txt" "$T/hello.txt" || fail "added file"
cpio -itv < "$T/i.cpio" 2>/dev/null | grep -q '^crw.*dev/console' || fail "dev/console node"
[ $(( $(stat -c %s "$T/i.cpio") % 4 )) = 0 ] || fail "archive not padded"
expect_status 2 "$KVMBOX" mkinitramfs
expect_status 1 "$KVMBOX" mkinitramfs -o "$T/j.cpio" --add "$T/nope:/x"
grep -q "nope:/x: No such file" "$T/err" || fail "missing source message"
[ ! -e "$T/j.cpio" ] || fail "partial archive left behind"
