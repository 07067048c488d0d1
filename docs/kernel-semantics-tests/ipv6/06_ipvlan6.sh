#!/bin/bash
# Q6: ipvlan and IPv6. This kernel has no ipvlan module: the script records that and stops.
# On a full kernel (the VM tier) it measures what docs/kernel-semantics-ipv6.md §6 derives from source:
# slave link-locals from dev_id, no DAD in l3/l3s (IFF_NOARP), duplicate address refused across
# slaves, and reachability with ND for l2 / l3 / l3s.
. "$(dirname "$0")/lib6.sh"
uname -r
mkns probe
if ! X probe ip link add pm type veth peer name pq 2>/dev/null || ! X probe ip link add link pm name pi type ipvlan mode l2 2>/tmp/v6err.txt; then
  echo "ipvlan not available on this kernel: $(cat /tmp/v6err.txt)"; exit 0
fi
ip netns del $P-probe
NSL="sw host a b peer"
clean() { for n in $NSL; do ip netns del $P-$n 2>/dev/null; done; }
run() { # mode flag hairpin
  local mode=$1 flag=$2 hp=$3
  clean; mksw; mkns host a b peer
  hostport host m 02:00:00:00:00:01 swp1; X sw ip link set swp1 type bridge_slave hairpin $hp
  hostport peer eth0 02:00:00:00:00:64 swp2
  X host ip -6 addr add 2001:db8::1/64 dev m; X host ip link set m up
  X peer ip -6 addr add 2001:db8::100/64 dev eth0; X peer ip link set eth0 up
  for s in a b; do X host ip link add link m name s$s type ipvlan mode $mode $flag; X host ip link set s$s netns $P-$s; done
  X a ip -6 addr add 2001:db8::11/64 dev sa; X b ip -6 addr add 2001:db8::12/64 dev sb
  echo "duplicate on sibling: $(X b ip -6 addr add 2001:db8::11/64 dev sb 2>&1 || true)"
  X a ip link set sa up; X b ip link set sb up; sleep 0.1
  echo "flags right after up: a: $(X a ip -6 -o addr show dev sa | awk '{print $4, $6, $7}' | tr '\n' ';')"
  sleep 2.5
  echo "dev_id a=$(X a cat /sys/class/net/sa/dev_id) b=$(X b cat /sys/class/net/sb/dev_id); LL a: $(X a ip -6 -o addr show dev sa scope link | awk '{print $4}')"
  local r=""
  for n in host a b peer; do X $n ip -6 neigh flush all; done; r+=" a->b=$(ping6t a 2001:db8::12)"
  for n in host a b peer; do X $n ip -6 neigh flush all; done; r+=" a->peer=$(ping6t a 2001:db8::100)"
  for n in host a b peer; do X $n ip -6 neigh flush all; done; r+=" peer->a=$(ping6t peer 2001:db8::11)"
  for n in host a b peer; do X $n ip -6 neigh flush all; done; r+=" host->a=$(ping6t host 2001:db8::11)"
  for n in host a b peer; do X $n ip -6 neigh flush all; done; r+=" a->host=$(ping6t a 2001:db8::1)"
  echo "mode=$mode flag=$flag hairpin=$hp:$r"
}
for hp in off on; do for mode in l2 l3 l3s; do for flag in bridge private vepa; do run $mode $flag $hp; done; done; done
clean
