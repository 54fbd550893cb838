# The multicall binary: static, help, version, dispatch, usage errors.
# timeout: 120
. tests/lib.sh

file "$KVMBOX" | grep -q 'statically linked' || fail "not static: $(file "$KVMBOX")"
"$KVMBOX" --version | grep -qE '^kvmbox [0-9]+\.[0-9]+' || fail "--version"

"$KVMBOX" --help > "$T/help"
for a in init mkinitramfs sha256sum; do
  grep -qE "^  $a +[a-z]" "$T/help" || fail "--help does not list $a"
done
# every applet listed answers --help with its usage, exit 0
for a in $(awk '/^applets:/ {on=1; next} on && NF {print $1}' "$T/help"); do
  # into a file, not a pipe: grep -q quitting early must not fail the test
  "$KVMBOX" "$a" --help > "$T/usage" || fail "$a --help: exit $?"
  grep -q "usage: kvmbox $a" "$T/usage" || fail "$a --help: $(head -c 200 "$T/usage")"
done

expect_status 2 "$KVMBOX" no-such-applet
grep -q "unknown applet 'no-such-applet'" "$T/err" || fail "unknown applet message"
[ "$(wc -l < "$T/err")" -le 2 ] || fail "error is not short"
expect_status 2 "$KVMBOX"
expect_status 2 "$KVMBOX" sha256sum --bogus
grep -q "kvmbox sha256sum: unknown option '--bogus'" "$T/err" || fail "bad option message"

# applet from argv[0]
ln -s "$KVMBOX" "$T/sha256sum"
echo hello > "$T/f"
"$T/sha256sum" "$T/f" | grep -q "^$(sha256sum "$T/f" | cut -c1-64)" || fail "argv[0] dispatch"

# never a crash on odd argv: random arguments give 0, 1 or 2, never a signal
for i in $(seq 1 200); do
  args=()
  for j in $(seq 1 $((RANDOM % 5))); do
    args+=("$(head -c $((RANDOM % 12 + 1)) /dev/urandom | tr -d '\0')")
  done
  pick=$(printf '%s\n' init mkinitramfs sha256sum --help x "" | shuf -n1)
  set +e; timeout 5 "$KVMBOX" "$pick" "${args[@]}" > /dev/null 2>&1 < /dev/null; rc=$?; set -e
  [ $rc -lt 128 ] || fail "kvmbox $pick ${args[*]@Q} died with status $rc"
done
echo "applets ok"
