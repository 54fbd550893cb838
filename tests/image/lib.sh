# Helpers of the image distribution tests (sourced after tests/lib.sh):
# test images, publishing, and real HTTP servers (nginx, lighttpd, python,
# kvmbox's own) run in the foreground on free loopback ports, with access
# logs of "REQUEST STATUS RANGE BYTES-SENT" lines.

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# make_raw FILE MIB: a disk-like raw image, random and zero stretches mixed.
make_raw() {
  python3 - "$1" "$2" <<'PY'
import os, random, sys
random.seed(sys.argv[1])
with open(sys.argv[1], 'wb') as f:
    for i in range(int(sys.argv[2]) * 16):
        f.write(random.randbytes(65536) if i % 3 else bytes(65536))
PY
}

# publish RAW CHUNK: packs RAW into $T/srv; sets HEX, IMG (path), URLPATH.
publish() {
  mkdir -p "$T/srv"
  HEX=$("$KVMBOX" image publish --chunk "$2" "$1" "$T/srv") || fail "publish $1"
  IMG=$T/srv/images/$HEX.img
  URLPATH=images/$HEX.img
}

wait_port() { # port
  for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0
    curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/" | grep -q '^[1-5]' && return 0
    sleep 0.1
  done
  fail "no server on port $1"
}

# start_nginx ROOT PORT [EXTRA-SERVER-DIRECTIVES]: sets SRV_PID; log $T/access.log
start_nginx() {
  local d=$T/nginx; mkdir -p "$d"
  cat > "$d/nginx.conf" <<CONF
daemon off;
master_process off;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections 64; }
http {
  log_format t '\$request \$status \$http_range \$body_bytes_sent';
  access_log $T/access.log t;
  client_body_temp_path $d/body; proxy_temp_path $d/proxy;
  fastcgi_temp_path $d/fcgi; uwsgi_temp_path $d/uwsgi; scgi_temp_path $d/scgi;
  types { }
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:$2;
    root $1;
    ${3:-}
  }
}
CONF
  nginx -p "$d" -e "$d/error.log" -c "$d/nginx.conf" &
  SRV_PID=$!
  cleanup_hooks+=("kill $SRV_PID 2>/dev/null; wait $SRV_PID 2>/dev/null")
  wait_port "$2"
}

# start_lighttpd ROOT PORT: sets SRV_PID; log $T/access.log
start_lighttpd() {
  local d=$T/lighttpd; mkdir -p "$d"
  cat > "$d/lighttpd.conf" <<CONF
server.document-root = "$1"
server.bind = "127.0.0.1"
server.port = $2
server.errorlog = "$d/error.log"
server.modules = ( "mod_accesslog" )
accesslog.filename = "$T/access.log"
accesslog.format = "%r %>s %{Range}i %b"
mimetype.assign = ( "" => "application/octet-stream" )
CONF
  lighttpd -D -f "$d/lighttpd.conf" &
  SRV_PID=$!
  cleanup_hooks+=("kill $SRV_PID 2>/dev/null; wait $SRV_PID 2>/dev/null")
  wait_port "$2"
}

# start_python ROOT PORT: python3 -m http.server (no Range support)
start_python() {
  python3 -m http.server --bind 127.0.0.1 --directory "$1" "$2" > /dev/null 2> "$T/python.log" &
  SRV_PID=$!
  cleanup_hooks+=("kill $SRV_PID 2>/dev/null; wait $SRV_PID 2>/dev/null")
  wait_port "$2"
}

# start_kvmbox ROOT PORT: kvmbox image serve
start_kvmbox() {
  "$KVMBOX" image serve --port "$2" --log "$T/access.log" "$1" 2> "$T/serve.log" &
  SRV_PID=$!
  cleanup_hooks+=("kill $SRV_PID 2>/dev/null; wait $SRV_PID 2>/dev/null")
  wait_port "$2"
}

stop_server() {
  kill "$SRV_PID" 2>/dev/null || true
  wait "$SRV_PID" 2>/dev/null || true
}

# fetch URL [ARGS]: runs the fetch into $T/cache; status in $rc, stderr in $T/err
fetch() {
  local url=$1; shift
  set +e
  KVMBOX_FETCH_STATS=1 "$KVMBOX" image fetch --cache "$T/cache" --timeout 5 "$@" "$url" \
    > "$T/out" 2> "$T/err"
  rc=$?
  set -e
}

# The image is installed, byte for byte what was published.
check_installed() {
  [ "$rc" = 0 ] || fail "fetch failed: $(cat "$T/err")"
  cmp -s "$IMG" "$T/cache/images/$HEX" || fail "installed image differs"
  [ "$(cat "$T/out")" = "$T/cache/images/$HEX" ] || fail "printed path: $(cat "$T/out")"
  [ -z "$(ls "$T/cache/tmp")" ] || fail "left in tmp: $(ls "$T/cache/tmp")"
}

check_not_installed() {
  [ "$rc" = 1 ] || fail "fetch exited $rc, expected 1; stderr: $(cat "$T/err")"
  [ ! -e "$T/cache/images/$HEX" ] || fail "a bad image was installed"
  [ "$(grep -c . "$T/err" | head -1)" -ge 1 ] || fail "no error line"
}

# Shows the line a person would read (in the test's log).
show_err() { grep "^kvmbox" "$T/err" | sed 's/^/    /' || true; }
