# disk compressed image vs the raw file it was packed from, same run:
# random 4 KiB reads (step 1 MiB + 4 KiB, wrapping) and 1 MiB sequential
# reads, both through `kvmbox disk bench` from page cache, one request at a
# time; then pack speed vs the lz4 command line (lz4 -1, one thread).
# Disk content: the system's own programs and libraries (a real OS disk's
# mix), then zeros, 512 MiB in all. Median of 5 runs each.
# The image keeps up to 256 MiB of checked, decompressed blocks in memory
# (disk/image_cache.h). Random reads are measured twice:
#  - cold: over the whole disk (400 MiB of data: more than the cache), each
#    block read from the file, checked and decompressed when first needed;
#  - warm: over a 192 MiB image (less than the cache) after one untimed
#    pass of the same requests on both sides (the raw file's page cache is
#    warm too).
# Targets: random reads >= 0.7x raw, sequential >= 1 GB/s, pack >= 300 MB/s.
set -euo pipefail
. bench/lib.sh
W=$(mktemp -d "${TMPDIR:-/tmp}/kvmbox-bench-img.XXXXXX"); trap 'rm -rf "$W"' EXIT
(tar cf - /usr/lib /usr/bin 2> /dev/null || true) | head -c 400M > "$W/disk.raw" || true
truncate -s 512M "$W/disk.raw" # the rest: zeros, as on a disk not full
head -c 192M "$W/disk.raw" > "$W/part.raw"
"$KVMBOX" disk pack "$W/disk.raw" "$W/disk.img" > /dev/null
"$KVMBOX" disk pack "$W/part.raw" "$W/part.img" > /dev/null
cat "$W/disk.raw" "$W/disk.img" "$W/part.raw" "$W/part.img" > /dev/null

secs_of() { "$@" 2>&1 | sed -n 's/^Run completed in \([0-9.]*\) seconds\./\1/p'; }
median() { sort -n | sed -n 3p; }
five() { local i; for i in 1 2 3 4 5; do secs_of "$@"; done | median; }
timed() { local s e; s=$(date +%s.%N); "$@" > /dev/null 2>&1; e=$(date +%s.%N); awk -v s="$s" -v e="$e" 'BEGIN { print e - s }'; }
five_timed() { local i; for i in 1 2 3 4 5; do timed "$@"; done | median; }

N=50000 STEP=$((1024 * 1024 + 4096))
img_r=$(five "$KVMBOX" disk bench -c $N -s 4K -S $STEP "$W/disk.img,ro")
raw_r=$(five "$KVMBOX" disk bench -c $N -s 4K -S $STEP "$W/disk.raw,ro")
img_w=$(five "$KVMBOX" disk bench --warmup $N -c $N -s 4K -S $STEP "$W/part.img,ro")
raw_w=$(five "$KVMBOX" disk bench --warmup $N -c $N -s 4K -S $STEP "$W/part.raw,ro")
img_s=$(five "$KVMBOX" disk bench -c 512 -s 1M "$W/disk.img,ro")
raw_s=$(five "$KVMBOX" disk bench -c 512 -s 1M "$W/disk.raw,ro")
pack=$(five_timed "$KVMBOX" disk pack "$W/disk.raw" "$W/again.img")
lz4s=$(five_timed lz4 -1 -f -q "$W/disk.raw" "$W/disk.lz4")

printf '%-46s %10s %10s %7s\n' "compressed image (512 MiB, cache 256 MiB)" image raw ratio
awk -v a="$img_r" -v b="$raw_r" -v n=$N 'BEGIN { printf "%-46s %10.0f %10.0f %6.2fx\n", "4K random read, cold, 400 MiB of data (IOPS)", n / a, n / b, b / a }'
awk -v a="$img_w" -v b="$raw_w" -v n=$N 'BEGIN { printf "%-46s %10.0f %10.0f %6.2fx\n", "4K random read, warm, 192 MiB set (IOPS)", n / a, n / b, b / a }'
awk -v a="$img_s" -v b="$raw_s" 'BEGIN { printf "%-46s %10.0f %10.0f %6.2fx\n", "1M sequential read (MB/s)", 536.870912 / a, 536.870912 / b, b / a }'
printf '%-46s %10s %10s %7s\n' "" kvmbox "lz4 -1" ratio
awk -v a="$pack" -v b="$lz4s" 'BEGIN { printf "%-46s %10.0f %10.0f %6.2fx\n", "pack (MB/s of raw disk, all cores)", 536.870912 / a, 536.870912 / b, b / a }'
awk -v i="$(stat -c %s "$W/disk.img")" -v l="$(stat -c %s "$W/disk.lz4")" \
  'BEGIN { printf "%-46s %9.1f%% %9.1f%%\n", "size (of the raw disk)", 100 * i / 536870912, 100 * l / 536870912 }'
