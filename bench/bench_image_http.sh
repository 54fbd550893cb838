# Image fetch over HTTP from nginx on loopback: `kvmbox image fetch`
# (manifest, every chunk verified on arrival, whole digest, fsync, atomic
# install into the store) against `curl -o FILE` then `sha256sum FILE`
# (download, then verify). The same ~1 GiB published image for both, the
# same file system, median of 5 runs each.
set -euo pipefail
. bench/lib.sh
command -v nginx > /dev/null || { echo "bench_image_http: no nginx, skipped"; exit 0; }
KVMBOX=${KVMBOX:-$PWD/build/kvmbox}

# The test disk: 1.5 GiB raw, random and zero 64 KiB blocks 2:1 (about
# 1 GiB once packed), cached by the recipe; the published folder is cached
# by the recipe and the code that lays it out.
gen='import random, sys
random.seed(20261123)
with open(sys.argv[1], "wb") as f:
    for i in range(24576):
        f.write(random.randbytes(65536) if i % 3 else bytes(65536))'
key=$(printf '%s' "$gen" | sha256sum | cut -c1-16)
code=$(cat disk/pack.c disk/image_format.c disk/manifest.c | sha256sum | cut -c1-16)
cache=$HOME/.cache/kvmbox/image-$key
mkdir -p "$cache"
if [ ! -s "$cache/raw.img" ]; then
  python3 -c "$gen" "$cache/raw.img.tmp" && mv "$cache/raw.img.tmp" "$cache/raw.img"
fi
if [ ! -s "$cache/www-$code/hex" ]; then
  rm -rf "$cache"/www-*
  mkdir -p "$cache/www-$code.tmp"
  "$KVMBOX" image publish "$cache/raw.img" "$cache/www-$code.tmp" > "$cache/www-$code.tmp/hex"
  mv "$cache/www-$code.tmp" "$cache/www-$code"
fi
www=$cache/www-$code
hex=$(cat "$www/hex")
bytes=$(stat -c %s "$www/images/$hex.img")

d=$(mktemp -d "${TMPDIR:-/tmp}/kvmbox-bench.XXXXXX")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
chmod 755 "$d"
mkdir -p "$d/nginx"
cat > "$d/nginx.conf" <<CONF
daemon off; master_process off; pid $d/nginx/pid; error_log $d/nginx/error.log;
events { worker_connections 64; }
http { access_log off; sendfile on; client_body_temp_path $d/nginx;
  proxy_temp_path $d/nginx; fastcgi_temp_path $d/nginx; uwsgi_temp_path $d/nginx;
  scgi_temp_path $d/nginx; default_type application/octet-stream;
  server { listen 127.0.0.1:$port; root $www; } }
CONF
nginx -c "$d/nginx.conf" -p "$d/nginx" -e "$d/nginx/error.log" &
ngx=$!
trap 'kill $ngx 2>/dev/null; wait $ngx 2>/dev/null; rm -rf "$d"' EXIT
url=http://127.0.0.1:$port/images/$hex.img
for i in $(seq 50); do curl -s -o /dev/null "$url.manifest" && break; sleep 0.1; done
export d url KVMBOX

ours=$(median_time bash -c 'rm -rf "$d/cache" && "$KVMBOX" image fetch --cache "$d/cache" "$url"')
[ -f "$d/cache/images/$hex" ] || { echo "bench_image_http: fetch did not install the image"; exit 1; }
rm -rf "$d/cache"
peer=$(median_time bash -c 'rm -f "$d/peer" && curl -s -o "$d/peer" "$url" && sha256sum "$d/peer"')
rm -f "$d/peer"
mbs() { awk -v b="$bytes" -v s="$1" 'BEGIN { printf "%.0f", b / 1e6 / s }'; }
printf '%-44s %10s %16s %7s\n' "fetch $((bytes >> 20)) MiB image from nginx" kvmbox "curl+sha256sum" ratio
printf '%-44s %10s %16s %7sx\n' "  seconds (median of 5)" "$ours" "$peer" "$(ratio "$peer" "$ours")"
printf '%-44s %10s %16s\n' "  MB/s (download + verify [+ install])" "$(mbs "$ours")" "$(mbs "$peer")"
