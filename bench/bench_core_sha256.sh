# core SHA-256 throughput: kvmbox sha256sum vs coreutils sha256sum, 1 GiB
# from page cache, median of 5 runs each. Target: >= 1.0x (SHA-NI path).
set -euo pipefail
. bench/lib.sh
f=$(mktemp "${TMPDIR:-/tmp}/kvmbox-bench.XXXXXX"); trap 'rm -f "$f"' EXIT
head -c 1G /dev/urandom > "$f"; cat "$f" > /dev/null
ours=$(median_time "$KVMBOX" sha256sum "$f")
peer=$(median_time sha256sum "$f")
printf '%-34s %8s %8s %7s\n' "sha256 1 GiB (s, median of 5)" kvmbox coreutils ratio
printf '%-34s %8s %8s %7sx\n' "" "$ours" "$peer" "$(ratio "$peer" "$ours")"
awk -v o="$ours" 'BEGIN { printf "kvmbox: %.0f MB/s\n", 1073.741824 / o }'
