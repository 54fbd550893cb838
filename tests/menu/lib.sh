# Shared by the menu's scenario tests (sourced after tests/lib.sh): test
# appliances made of small files, catalogs, a real HTTP server on loopback,
# the fake `vm run`, and a Python driver that reads the screen and types.
MENU_T=$PWD/tests/menu
export T FAKE_VM_DIR=$T/fake RUN=$T/run
mkdir -p "$FAKE_VM_DIR" "$RUN"
export KVMBOX_VM_COMMAND=$MENU_T/fake-vm.sh KVMBOX_RUN_DIR=$RUN

sha() { sha256sum "$1" | cut -c1-64; }

# make_files DIR NAME: a "kernel" (its first line is NAME) and a disk image.
make_files() {
  mkdir -p "$1"
  echo "$2" > "$1/vmlinuz-$2"
  head -c 65536 /dev/urandom > "$1/$2.img"
}

# app_section DIR NAME TITLE [LINE...]: the catalog section of NAME's files.
app_section() {
  local d=$1 n=$2 t=$3; shift 3
  printf '[appliance %s]\ntitle = %s\nkernel = vmlinuz-%s\nkernel_sha256 = %s\n' \
    "$n" "$t" "$n" "$(sha "$d/vmlinuz-$n")"
  printf 'disk = %s.img sha256=%s\n' "$n" "$(sha "$d/$n.img")"
  local l; for l in "$@"; do echo "$l"; done
}

# boot_conf SERVER CATALOG [APPLIANCE]: what init would write.
boot_conf() {
  printf '[boot]\nserver = %s\ncache_dir = %s\ncatalog = %s\nappliance = %s\nautotest = no\n' \
    "$1" "$T/cache" "$2" "${3:-}" > "$RUN/boot.conf"
}

# start_http DIR: python3's static server on a free loopback port.
start_http() {
  HTTP_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  python3 -m http.server --bind 127.0.0.1 --directory "$1" "$HTTP_PORT" \
    > "$T/http.log" 2>&1 &
  HTTP_PID=$!
  cleanup_hooks+=("kill $HTTP_PID 2>/dev/null")
  HTTP_URL=http://127.0.0.1:$HTTP_PORT
  local i; for i in $(seq 50); do
    curl -s -o /dev/null "$HTTP_URL/" && return 0; sleep 0.1
  done
  fail "HTTP server did not start"
}
stop_http() { kill "$HTTP_PID"; wait "$HTTP_PID" 2>/dev/null || true; }

# menu_py: runs a Python scenario (stdin) with the terminal driver loaded.
menu_py() {
  PYTHONPATH=$MENU_T python3 - "$@"
}
