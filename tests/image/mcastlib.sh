# Shared by the multicast scenario tests (sourced after tests/lib.sh): a lab
# in network namespaces. A bridge namespace holds br0; the sender "s" and the
# receivers "r1".."rN" each hang off it by a veth (eth0 inside, 10.77.0.x/24).
# Everything made here is removed by the EXIT hooks.
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
ip netns add kvmbox-probe-$$ 2>/dev/null || skip "cannot create network namespaces"
ip netns del kvmbox-probe-$$
modprobe bridge 2>/dev/null || true

NS_PREFIX=kvm$$
NETNS=()
cleanup_hooks+=('for n in "${NETNS[@]}"; do ip netns pids "$n" 2>/dev/null | xargs -r kill -9 2>/dev/null; ip netns del "$n" 2>/dev/null; done')
in_ns() { local n=$1; shift; ip netns exec "$NS_PREFIX$n" "$@"; }
mkns() {
  ip netns add "$NS_PREFIX$1"
  NETNS+=("$NS_PREFIX$1")
  ip -n "$NS_PREFIX$1" link set lo up
}

# lab N: bridge + sender + N receivers; HOSTS holds their names.
lab() {
  local n=$1 i=1 h
  mkns b
  ip -n "${NS_PREFIX}b" link add br0 type bridge mcast_snooping 0
  ip -n "${NS_PREFIX}b" link set br0 up
  HOSTS=(s)
  for i in $(seq "$n"); do HOSTS+=("r$i"); done
  i=1
  for h in "${HOSTS[@]}"; do
    mkns "$h"
    ip link add eth0 netns "$NS_PREFIX$h" type veth peer name "p$h" netns "${NS_PREFIX}b"
    ip -n "${NS_PREFIX}b" link set "p$h" master br0 up
    ip -n "$NS_PREFIX$h" addr add "10.77.0.$i/24" brd + dev eth0
    ip -n "$NS_PREFIX$h" link set eth0 up
    i=$((i + 1))
  done
}

# loss HOST PERCENT: drops that share of what arrives at HOST (nftables;
# this kernel has no netem).
loss() {
  [ "$2" = 0 ] && return 0
  in_ns "$1" nft add table netdev kvmloss
  in_ns "$1" nft add chain netdev kvmloss c "{ type filter hook ingress device eth0 priority 0; }"
  in_ns "$1" nft add rule netdev kvmloss c numgen random mod 100 '<' "$2" drop
}

# random_file PATH MIB
random_file() { head -c "$(($2 << 20))" /dev/urandom > "$1"; }

# recv_start HOST ARGS...: a receiver into $T/HOST/cache, output in $T/HOST.*
recv_start() {
  local h=$1; shift
  mkdir -p "$T/$h/cache"
  in_ns "$h" "$KVMBOX" image mcast-recv --cache "$T/$h/cache" --iface eth0 "$@" \
    > "$T/$h.out" 2> "$T/$h.err" &
  eval "PID_$h=$!"
}
# recv_wait HOST: its exit status
recv_wait() { local p; eval "p=\$PID_$1"; wait "$p"; }

# installed HOST DIGEST: the image is in HOST's store and hashes to DIGEST.
installed() {
  local f="$T/$1/cache/images/$2"
  [ -f "$f" ] || { echo "$1: no $f"; ls -R "$T/$1/cache" | head; return 1; }
  [ "$(sha256sum < "$f" | cut -d' ' -f1)" = "$2" ] || { echo "$1: digest differs"; return 1; }
}

# grep -q at the end of a pipeline would close it early: read all input.
grep_q() { grep "$@" > /dev/null; }

# wait_for SECONDS CMD...: polls CMD every 50 ms; 1 if it never succeeds.
wait_for() {
  local limit=$1; shift
  local end=$(( $(date +%s%N) + limit * 1000000000 ))
  until "$@" > /dev/null 2>&1; do
    [ "$(date +%s%N)" -lt "$end" ] || return 1
    sleep 0.05
  done
}
# has_part HOST MIB: HOST's partial image (sparse) holds more than MIB MiB.
has_part() {
  local f
  f=$(find "$T/$1/cache/tmp" -name '*.part' 2>/dev/null | head -1)
  [ -n "$f" ] && [ "$(du -k "$f" | cut -f1)" -gt $(($2 * 1024)) ]
}
