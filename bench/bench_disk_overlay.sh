# disk overlay vs QEMU's qcow2 with a backing file, same base, same run.
# Both sides run the same request loop (kvmbox disk bench / qemu-img bench:
# COUNT requests of SIZE, each STEP after the last, wrapping), one request
# at a time, through the page cache (qemu: -t writeback -d 1), 64 KiB
# clusters on both. The 4K "random" rows use a step of 1 MiB + 4 KiB, so
# every request lands in a different cluster than the last (over 512 MiB).
# RUNS (default 7) runs each, on fresh copies, each after a sync (no
# write-back of the previous run in the way), the two sides back to back
# with the order alternating. Figures are medians; the ratio is the median
# of the per-pair ratios (a pair shares the machine's load of the moment,
# which on a shared machine moves single runs by 2-4x), with the spread of
# the middle pairs beside it. Target: >= 1.0x on every row.
# CPU time (user + sys, median over the runs) is printed beside each row:
# kvmbox's is its timed pass alone (what `disk bench` reports), qemu-img's
# the whole process (`time`; its start and end cost under 10 ms), so a
# wall-clock gap with equal CPU time is the machine's scheduling, not work.
# The load average is printed at the start and at the end.
set -euo pipefail
. bench/lib.sh
command -v qemu-img > /dev/null || { echo "qemu-img missing: skipped"; exit 0; }
W=$(mktemp -d "${TMPDIR:-/tmp}/kvmbox-bench-disk.XXXXXX"); trap 'rm -rf "$W"' EXIT
SIZE_MB=512
head -c ${SIZE_MB}M /dev/urandom > "$W/base.raw"
STEP=$((1024 * 1024 + 4096))

# secs_of CMD...: the "Run completed in X seconds." both tools print.
secs_of() { "$@" 2>&1 | sed -n 's/^Run completed in \([0-9.]*\) seconds\./\1/p'; }
# One run of each side: its seconds on stdout, its CPU seconds (user +
# sys; ours: the timed pass) appended to the file named first.
secs_cpu_ours() { # cpu_file args...
  local f=$1 out; shift
  out=$("$KVMBOX" disk bench "$@" "$W/base.raw,overlay=$W/o.ovl" 2>&1)
  awk '/^CPU time of the run:/ { printf "%.3f\n", $6 + $9 }' <<< "$out" >> "$f"
  sed -n 's/^Run completed in \([0-9.]*\) seconds\./\1/p' <<< "$out"
}
secs_cpu_qemu() { # cpu_file args...
  local f=$1 out TIMEFORMAT='CPU %U %S'; shift
  out=$( { time qemu-img bench -f qcow2 -t writeback -d 1 "$@" "$W/q.qcow2"; } 2>&1)
  awk '/^CPU / { printf "%.3f\n", $2 + $3 }' <<< "$out" >> "$f"
  sed -n 's/^Run completed in \([0-9.]*\) seconds\./\1/p' <<< "$out"
}
# (kvmbox creates a missing overlay when it opens it, as at a VM's start.)
fresh_ours() { rm -f "$W/o.ovl"; sync; }
fresh_qemu() { rm -f "$W/q.qcow2"; sync; qemu-img create -q -f qcow2 -b "$W/base.raw" -F raw "$W/q.qcow2"; }
ours() { secs_of "$KVMBOX" disk bench "$@" "$W/base.raw,overlay=$W/o.ovl"; }
qemu() { secs_of qemu-img bench -f qcow2 -t writeback -d 1 "$@" "$W/q.qcow2"; }
# Half the clusters written (64 KiB every 128 KiB), for the mixed reads.
half_ours() { fresh_ours; ours -w -c $((SIZE_MB * 8)) -s 64K -S 128K > /dev/null; sync; }
half_qemu() { fresh_qemu; qemu -w -c $((SIZE_MB * 8)) -s 64K -S 128K > /dev/null; sync; }

RUNS=${RUNS:-7}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
row() { # label unit(iops|mbs) count size prep_ours prep_qemu args...
  local label=$1 unit=$2 count=$3 size=$4 po=$5 pq=$6; shift 6
  local o=() q=() r=() i
  : > "$W/cpu.ours"; : > "$W/cpu.qemu"
  # Who goes first alternates: a run right after the other's big write
  # pays for the host's write-back and discards of it.
  for i in $(seq "$RUNS"); do
    if [ $((i % 2)) = 1 ]; then
      $po; o+=("$(secs_cpu_ours "$W/cpu.ours" -c "$count" -s "$size" "$@")")
      $pq; q+=("$(secs_cpu_qemu "$W/cpu.qemu" -c "$count" -s "$size" "$@")")
    else
      $pq; q+=("$(secs_cpu_qemu "$W/cpu.qemu" -c "$count" -s "$size" "$@")")
      $po; o+=("$(secs_cpu_ours "$W/cpu.ours" -c "$count" -s "$size" "$@")")
    fi
    r+=("$(awk -v a="${o[-1]}" -v b="${q[-1]}" 'BEGIN { printf "%.3f", b / a }')")
  done
  local so sq rm lo hi co cq
  so=$(printf '%s\n' "${o[@]}" | median); sq=$(printf '%s\n' "${q[@]}" | median)
  co=$(median < "$W/cpu.ours"); cq=$(median < "$W/cpu.qemu")
  rm=$(printf '%s\n' "${r[@]}" | median)
  lo=$(printf '%s\n' "${r[@]}" | sort -n | awk -v n="$RUNS" 'NR == int(n / 4) + 1')
  hi=$(printf '%s\n' "${r[@]}" | sort -n | awk -v n="$RUNS" 'NR == n - int(n / 4)')
  local bytes; bytes=$(awk -v s="$size" 'BEGIN { m = s ~ /K$/ ? 1024 : s ~ /M$/ ? 1048576 : 1; sub(/[KM]$/, "", s); print s * m }')
  if [ "$unit" = iops ]; then
    awk -v l="$label" -v c="$count" -v so="$so" -v sq="$sq" -v r="$rm" -v lo="$lo" -v hi="$hi" -v co="$co" -v cq="$cq" \
      'BEGIN { printf "%-38s %10.0f %10.0f %6.2fx  (%.2f-%.2f)  cpu %.3f / %.3f s\n", l, c / so, c / sq, r, lo, hi, co, cq }'
  else
    awk -v l="$label" -v c="$count" -v b="$bytes" -v so="$so" -v sq="$sq" -v r="$rm" -v lo="$lo" -v hi="$hi" -v co="$co" -v cq="$cq" \
      'BEGIN { printf "%-38s %10.0f %10.0f %6.2fx  (%.2f-%.2f)  cpu %.3f / %.3f s\n", l, c * b / so / 1e6, c * b / sq / 1e6, r, lo, hi, co, cq }'
  fi
}

# Warm the page cache with the base, then print the table.
cat "$W/base.raw" > /dev/null
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-38s %10s %10s %7s  %-11s  %s\n' "overlay vs qcow2+backing (${SIZE_MB} MiB)" kvmbox qcow2 ratio "(spread)" "CPU kvmbox / qemu-img"
row "4K random write (IOPS)" iops 20000 4K fresh_ours fresh_qemu -w -S $STEP
row "4K random read, half written (IOPS)" iops 50000 4K half_ours half_qemu -S $STEP
row "1M sequential write (MB/s)" mbs $SIZE_MB 1M fresh_ours fresh_qemu -w
row "1M sequential read, half written (MB/s)" mbs $SIZE_MB 1M half_ours half_qemu
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
