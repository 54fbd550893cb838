# Shared functions of the net/ scenario tests (sourced after tests/lib.sh). Every
# namespace, link and process made here is removed by the EXIT hooks.
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
ip netns add kvmbox-probe-$$ 2>/dev/null || skip "cannot create network namespaces"
ip netns del kvmbox-probe-$$
[ -e /dev/net/tun ] || skip "no /dev/net/tun"
modprobe bridge 2>/dev/null || true

NS_PREFIX=kvn$$
# The status file lives on tmpfs, as /run does on the boot image: a disk
# busy with other tests must not delay it.
SHM=$(mktemp -d /dev/shm/kvmbox-net.XXXXXX)
NET_STATUS=$SHM/net.status
cleanup_hooks+=('rm -rf "$SHM"')
NETNS=()
cleanup_hooks+=('for n in "${NETNS[@]}"; do ip netns pids "$n" 2>/dev/null | xargs -r kill -9 2>/dev/null; ip netns del "$n" 2>/dev/null; done')

# mkns NAME: a fresh namespace ${NS_PREFIX}NAME with lo up; prints nothing.
mkns() {
  ip netns add "$NS_PREFIX$1"
  NETNS+=("$NS_PREFIX$1")
  ip -n "$NS_PREFIX$1" link set lo up
}
in_ns() { local n=$1; shift; ip netns exec "$NS_PREFIX$n" "$@"; }

# wire A IFA B IFB: a veth pair between namespaces A and B, both ends up.
wire() {
  ip link add "$2" netns "$NS_PREFIX$1" type veth peer name "$4" netns "$NS_PREFIX$3"
  ip -n "$NS_PREFIX$1" link set "$2" up
  ip -n "$NS_PREFIX$3" link set "$4" up
}

# wait_for SECONDS CMD...: polls CMD every 50 ms; 1 if it never succeeds.
wait_for() {
  local limit=$1; shift
  local end=$(( $(date +%s%N) + limit * 1000000000 ))
  until "$@" > /dev/null 2>&1; do
    [ "$(date +%s%N)" -lt "$end" ] || return 1
    sleep 0.05
  done
}

# status_is FILE KEY VALUE
status_is() { grep -qx "$2 = $3" "$1"; }

# start_dnsmasq NS IFACE RANGE_START RANGE_END [extra options...]
# (10.R.0.x network chosen by the caller); logs to $T/dnsmasq.log
start_dnsmasq() {
  local ns=$1 ifc=$2 lo=$3 hi=$4; shift 4
  in_ns "$ns" dnsmasq --keep-in-foreground --no-resolv --no-hosts --port=0 \
    --interface="$ifc" --bind-interfaces --no-ping --log-dhcp \
    --dhcp-range="$lo,$hi,255.255.255.0,2m" \
    --dhcp-leasefile="$T/dnsmasq.leases" --pid-file="$T/dnsmasq.pid" \
    --log-facility="$T/dnsmasq.log" "$@" &
  wait_for 5 test -s "$T/dnsmasq.pid" || fail "dnsmasq did not start"
  DNSMASQ_PID=$(cat "$T/dnsmasq.pid")
  cleanup_hooks+=("kill $DNSMASQ_PID 2>/dev/null")
}
stop_dnsmasq() {
  kill "$DNSMASQ_PID"
  wait_for 5 sh -c "! kill -0 $DNSMASQ_PID" || fail "dnsmasq did not stop"
  rm -f "$T/dnsmasq.pid"
}

# start_daemon NS ARGS...: kvmbox net daemon in NS, log in $T/daemon.log
start_daemon() {
  local ns=$1; shift
  ip netns exec "$NS_PREFIX$ns" "$KVMBOX" net daemon --status "$NET_STATUS" "$@" \
    > "$T/daemon.log" 2>&1 &
  DAEMON_PID=$!
  cleanup_hooks+=("kill $DAEMON_PID 2>/dev/null; wait $DAEMON_PID 2>/dev/null")
}

# grep -q at the end of a pipeline would close it early and, under
# pipefail, fail the writer: read all the input instead.
grep_q() { grep "$@" > /dev/null; }
