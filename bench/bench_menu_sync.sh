# Sync of one appliance image from nginx on loopback: kvmbox catalog sync
# (catalog, download, SHA-256 check, install into the image store) against
# curl + sha256sum doing the same fetch-and-verify. 512 MiB, median of 5.
set -euo pipefail
. bench/lib.sh
command -v nginx > /dev/null || { echo "bench_menu_sync: no nginx, skipped"; exit 0; }
d=$(mktemp -d "${TMPDIR:-/tmp}/kvmbox-bench.XXXXXX")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
chmod 755 "$d"   # nginx workers read as nobody
mkdir -p "$d/www" "$d/nginx"
cat > "$d/nginx.conf" <<CONF
daemon off; pid $d/nginx/pid; error_log $d/nginx/error.log; worker_processes 1;
events { worker_connections 64; }
http { access_log off; sendfile on; client_body_temp_path $d/nginx;
  proxy_temp_path $d/nginx; fastcgi_temp_path $d/nginx; uwsgi_temp_path $d/nginx;
  scgi_temp_path $d/nginx;
  server { listen 127.0.0.1:$port; root $d/www; } }
CONF
nginx -c "$d/nginx.conf" -p "$d/nginx" &
ngx=$!
trap 'kill $ngx 2>/dev/null; wait $ngx 2>/dev/null; rm -rf "$d"' EXIT
head -c 512M /dev/urandom > "$d/www/disk.img"
echo bench > "$d/www/vmlinuz"
sum() { sha256sum "$1" | cut -c1-64; }
printf '[appliance a]\ntitle = A\nkernel = vmlinuz\nkernel_sha256 = %s\ndisk = disk.img sha256=%s\n' \
  "$(sum "$d/www/vmlinuz")" "$(sum "$d/www/disk.img")" > "$d/www/catalog.ini"
url=http://127.0.0.1:$port
for i in $(seq 50); do curl -s -o /dev/null "$url/catalog.ini" && break; sleep 0.1; done
export d url KVMBOX
ours=$(median_time bash -c 'rm -rf "$d/cache" && "$KVMBOX" catalog sync "$url/" "$d/cache"')
[ -f "$d/cache/images/$(sum "$d/www/disk.img")" ] || { echo "sync did not install the image"; exit 1; }
peer=$(median_time bash -c 'rm -f "$d/peer" && curl -s -o "$d/peer" "$url/disk.img" && sha256sum "$d/peer"')
printf '%-40s %8s %14s %7s\n' "sync 512 MiB image (s, median of 5)" kvmbox "curl+sha256sum" ratio
printf '%-40s %8s %14s %7sx\n' "" "$ours" "$peer" "$(ratio "$peer" "$ours")"
awk -v o="$ours" 'BEGIN { printf "kvmbox: %.0f MB/s fetched, verified and installed\n", 536.870912 / o }'
