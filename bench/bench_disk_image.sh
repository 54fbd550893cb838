# disk compressed image vs the raw file it was packed from, same run:
# random 4 KiB reads (step 1 MiB + 4 KiB, wrapping) and 1 MiB sequential
# reads, both through `kvmbox disk bench` from page cache, one request at a
# time; then pack speed vs the lz4 command line (lz4 -1, one thread).
# Disk content: the system's own programs and libraries (a real OS disk's
# mix), then zeros, 512 MiB in all. Median of 5 runs each; beside the
# wall-clock figure, the CPU time (user + sys) of the median run, since on
# a shared machine the wall clock only shows the share of a core we got.
# The load average is printed at the start and at the end.
# The image keeps up to 256 MiB of checked, decompressed blocks in memory
# (disk/image_cache.h). Random reads are measured twice:
#  - cold: over the whole disk (400 MiB of data: more than the cache), each
#    block read from the file, checked and decompressed when first needed;
#    once with the default 64 KiB blocks, once with 16 KiB blocks (the
#    trade-off of disk/FORMAT.md: cheaper first reads, larger index);
#  - from disk: the same requests as cold, with both files dropped from
#    the page cache before each run (`dd iflag=nocache count=0`), as on a
#    lab PC's first start of an appliance after boot: every raw read and
#    every first read of an image block then comes from the disk;
#  - warm: over a 192 MiB image (less than the cache) after one untimed
#    pass of the same requests on both sides (the raw file's page cache is
#    warm too).
# Targets: random reads >= 0.7x raw, sequential >= 1 GB/s, pack >= 300 MB/s.
set -euo pipefail
. bench/lib.sh
W=$(mktemp -d "${TMPDIR:-/tmp}/kvmbox-bench-img.XXXXXX"); trap 'rm -rf "$W"' EXIT
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
(tar cf - /usr/lib /usr/bin 2> /dev/null || true) | head -c 400M > "$W/disk.raw" || true
truncate -s 512M "$W/disk.raw" # the rest: zeros, as on a disk not full
head -c 192M "$W/disk.raw" > "$W/part.raw"
"$KVMBOX" disk pack "$W/disk.raw" "$W/disk.img" > /dev/null
"$KVMBOX" disk pack --block-size 16K "$W/disk.raw" "$W/disk16.img" > /dev/null
"$KVMBOX" disk pack "$W/part.raw" "$W/part.img" > /dev/null
cat "$W/disk.raw" "$W/disk.img" "$W/disk16.img" "$W/part.raw" "$W/part.img" > /dev/null
[ -z "$(findmnt -n -o FSTYPE -T "$W" | grep -x tmpfs)" ] || echo "note: $W is on tmpfs: the from-disk row reads memory"

# One run of `kvmbox disk bench`: "SECONDS CPU_SECONDS" (its timed pass).
bench_run() {
  "$@" 2>&1 | awk '/^Run completed in/ { s = $4 } /^CPU time of the run:/ { c = $6 + $9 }
    END { printf "%s %.3f\n", s, c }'
}
# One run of any command, whole process: "SECONDS CPU_SECONDS".
timed() {
  local TIMEFORMAT='%R %U %S' t
  t=$( { time "$@" > /dev/null 2>&1; } 2>&1 )
  awk '{ printf "%s %.3f\n", $1, $2 + $3 }' <<< "$t"
}
# The median of 5 runs (by wall clock), with that run's CPU time.
five() { local i; for i in 1 2 3 4 5; do bench_run "$@"; done | sort -n | sed -n 3p; }
five_timed() { local i; for i in 1 2 3 4 5; do timed "$@"; done | sort -n | sed -n 3p; }

N=50000 STEP=$((1024 * 1024 + 4096))
img_r=$(five "$KVMBOX" disk bench -c $N -s 4K -S $STEP "$W/disk.img,ro")
img16_r=$(five "$KVMBOX" disk bench -c $N -s 4K -S $STEP "$W/disk16.img,ro")
raw_r=$(five "$KVMBOX" disk bench -c $N -s 4K -S $STEP "$W/disk.raw,ro")
# five_uncached FILE CMD...: five, with FILE's pages dropped before each run.
five_uncached() {
  local f=$1 i; shift
  for i in 1 2 3 4 5; do
    dd if="$f" iflag=nocache count=0 status=none
    bench_run "$@"
  done | sort -n | sed -n 3p
}
sync
img_d=$(five_uncached "$W/disk.img" "$KVMBOX" disk bench -c $N -s 4K -S $STEP "$W/disk.img,ro")
raw_d=$(five_uncached "$W/disk.raw" "$KVMBOX" disk bench -c $N -s 4K -S $STEP "$W/disk.raw,ro")
img_w=$(five "$KVMBOX" disk bench --warmup $N -c $N -s 4K -S $STEP "$W/part.img,ro")
raw_w=$(five "$KVMBOX" disk bench --warmup $N -c $N -s 4K -S $STEP "$W/part.raw,ro")
img_s=$(five "$KVMBOX" disk bench -c 512 -s 1M "$W/disk.img,ro")
raw_s=$(five "$KVMBOX" disk bench -c 512 -s 1M "$W/disk.raw,ro")
pack=$(five_timed "$KVMBOX" disk pack "$W/disk.raw" "$W/again.img")
lz4s=$(five_timed lz4 -1 -f -q "$W/disk.raw" "$W/disk.lz4")

# row LABEL "OURS_S OURS_CPU" "PEER_S PEER_CPU" WORK UNIT_DIVISOR: WORK / s.
row() {
  awk -v l="$1" -v o="$2" -v p="$3" -v w="$4" 'BEGIN {
    split(o, a, " "); split(p, b, " ")
    printf "%-46s %10.0f %10.0f %6.2fx   cpu %.2f s / %.2f s\n", l, w / a[1], w / b[1], b[1] / a[1], a[2], b[2] }'
}
printf '%-46s %10s %10s %7s   %s\n' "compressed image (512 MiB, cache 256 MiB)" image raw ratio "CPU (user+sys) image / raw"
row "4K random read, cold, 400 MiB of data (IOPS)" "$img_r" "$raw_r" $N
row "  the same, image packed with 16K blocks" "$img16_r" "$raw_r" $N
row "4K random read, from disk (both uncached)" "$img_d" "$raw_d" $N
row "4K random read, warm, 192 MiB set (IOPS)" "$img_w" "$raw_w" $N
row "1M sequential read (MB/s)" "$img_s" "$raw_s" 536.870912
awk -v o="$img_s" 'BEGIN { split(o, a, " "); printf "%-46s %10.0f\n", "1M sequential read per CPU second (MB/s)", 536.870912 / a[2] }'
printf '%-46s %10s %10s %7s   %s\n' "" kvmbox "lz4 -1" ratio "CPU (user+sys) kvmbox / lz4"
row "pack (MB/s of raw disk, all cores)" "$pack" "$lz4s" 536.870912
awk -v o="$pack" -v p="$lz4s" 'BEGIN { split(o, a, " "); split(p, b, " ")
  printf "%-46s %10.0f %10.0f\n", "pack per CPU second (MB/s)", 536.870912 / a[2], 536.870912 / b[2] }'
awk -v i="$(stat -c %s "$W/disk.img")" -v j="$(stat -c %s "$W/disk16.img")" -v l="$(stat -c %s "$W/disk.lz4")" \
  'BEGIN { printf "%-46s %9.1f%% %9.1f%%   16K blocks: %.1f%%\n", "size (of the raw disk)", 100 * i / 536870912, 100 * l / 536870912, 100 * j / 536870912 }'
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
