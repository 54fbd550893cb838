# Screen blits on one core: kvmbox's gfx_blit (musl, -O2, as shipped) against
# pixman (the peer: QEMU's and spice-gtk's displays) doing the same work.
# Full 1920x1080 frames per second (1:1 copy, and guest modes scaled with
# nearest-neighbour), and the cost of one damaged 64x64 rectangle.
# Target: >= 60 fps full-screen on one core; damage costs ~ its area.
set -euo pipefail
. bench/lib.sh
[ -f /usr/include/pixman-1/pixman.h ] || { echo "skip: libpixman-1-dev missing"; exit 0; }
GEN=$BUILD/gen
[ -f "$GEN/font_data.h" ] || { echo "skip: build kvmbox first"; exit 0; }
d=$(mktemp -d "${TMPDIR:-/tmp}/kvmbox-bench.XXXXXX"); trap 'rm -rf "$d"' EXIT
srcs="bench/display_blit.c core/gfx.c core/blit.c core/draw.c core/font.c core/err.c"
musl-gcc -std=gnu11 -D_GNU_SOURCE -O2 -static -I. -I"$GEN" -o "$d/ours" $srcs
gcc -std=gnu11 -D_GNU_SOURCE -O2 -DPEER -I. -I"$GEN" -I/usr/include/pixman-1 \
  -o "$d/peer" $srcs -lpixman-1
# Medians of 3 runs each, pinned to one core.
run() { for i in 1 2 3; do taskset -c 0 "$1"; done | sort -k1,1 -k2,2n |
        awk '{ n[$1]++ } n[$1] == 2 { print }'; }
run "$d/ours" > "$d/ours.txt"
run "$d/peer" > "$d/peer.txt"
printf '%-26s %10s %10s %6s  %s\n' "1 core, median of 3" kvmbox pixman ratio "(higher fps / lower us is better)"
join "$d/ours.txt" "$d/peer.txt" | while read -r name ours unit peer _; do
  if [ "$unit" = fps ]; then r=$(ratio "$ours" "$peer"); else r=$(ratio "$peer" "$ours"); fi
  printf '%-26s %10s %10s %5sx  %s\n' "$name" "$ours" "$peer" "$r" "$unit"
done
