#!/bin/bash
# Q6: ipvlan and IPv6 (docs/kernel-semantics-ipv6.md §6, kernel-semantics.md §11.19).
# Needs the ipvlan module: run it in the full-kernel VM (/tmp/vmrun.sh-style: vng boots Debian's
# 6.1 kernel, then `sandbox.sh bash 06_ipvlan6.sh`). On a kernel without ipvlan it records that.
# Test bed (as 05_macvlan6.sh): switch br0 in netns sw (snooping 1, no querier), host's master
# "eth0" (02:00:00:00:00:01, 2001:db8::1) on swp1 (hairpin toggled), peer (2001:db8::100) on swp2;
# slaves ipva (2001:db8::11) and ipvb (2001:db8::12) on eth0, moved into netns a and b.
# Every cell is one ping -c1 -W1 after flushing every neighbour table and the switch's FDB.
# Measures: dev_id link-locals, EADDRINUSE across slaves, tentative/DAD per mode, reachability.
# (Device names: `ip link add m ...` would read "m" as the keyword "master" (iproute2 matches
# keyword prefixes): the first run in the VM failed so ("argument \"netns\" is wrong: Device does not exist").)
. "$(dirname "$0")/lib6.sh"
uname -r
# the VM (virtme-ng) may lack a writable /run/netns: the sandbox's mount ns is private, so
# give `ip netns` its own tmpfs when it cannot add a namespace
if ! ip netns add $P-probe 2>/dev/null; then
  echo "note: ip netns add failed ($(ls -ld /run/netns /var/run 2>&1 | tr '\n' ' ')); mounting a tmpfs on /run/netns"
  mkdir -p /run/netns 2>/dev/null; mount -t tmpfs netns6 /run/netns || true
  ip netns add $P-probe || { echo "ip netns unusable"; exit 1; }
fi
X probe ip link set lo up
err=$(X probe ip link add pm type veth peer name pq 2>&1 && X probe ip link add link pm name pi type ipvlan mode l2 2>&1) || {
  echo "ipvlan not available on this kernel: $err"; ip netns del $P-probe; exit 0; }
ip netns del $P-probe
MAC=02:00:00:00:00:01
NSL="sw host a b peer"
clean() { for n in $NSL; do ip netns del $P-$n 2>/dev/null; done; }
flushall() { for n in host a b peer; do X $n ip -6 neigh flush all 2>/dev/null; done; for p in swp1 swp2; do X sw bridge fdb flush dev $p dynamic 2>/dev/null; done; }
static() { X $1 ip -6 neigh replace $3 lladdr $4 dev $2 nud permanent; }
Y() { "$@" || echo "  (failed: $*)"; }
run() { # mode flag hairpin
  local mode=$1 flag=$2 hp=$3
  clean; mksw; mkns host a b peer
  Y hostport host eth0 $MAC swp1; Y X sw ip link set swp1 type bridge_slave hairpin $hp
  Y hostport peer eth0 02:00:00:00:00:64 swp2
  X host ip -6 addr add 2001:db8::1/64 dev eth0; X host ip link set eth0 up
  X peer ip -6 addr add 2001:db8::100/64 dev eth0; X peer ip link set eth0 up
  for s in a b; do Y X host ip link add link eth0 name ipv$s type ipvlan mode $mode $flag; Y X host ip link set ipv$s netns $P-$s; done
  X a ip -6 addr add 2001:db8::11/64 dev ipva; X b ip -6 addr add 2001:db8::12/64 dev ipvb
  echo "duplicate on sibling: $(X b ip -6 addr add 2001:db8::11/64 dev ipvb 2>&1 && echo accepted)"
  X a ip link set ipva up; X b ip link set ipvb up; sleep 0.1
  echo "flags right after up: a: $(X a ip -6 -o addr show dev ipva | awk '{print $4, $6, $7}' | tr '\n' ';')"
  sleep 2.5
  echo "after 2.6s: a: $(X a ip -6 -o addr show dev ipva | awk '{print $4, $6, $7}' | tr '\n' ';') b: $(X b ip -6 -o addr show dev ipvb | awk '{print $4, $6, $7}' | tr '\n' ';')"
  echo "dev_id a=$(X a cat /sys/class/net/ipva/dev_id) b=$(X b cat /sys/class/net/ipvb/dev_id); link flags a: $(X a ip -o link show ipva | sed 's/.*<\([^>]*\)>.*/\1/')"
  local r=""
  flushall; r+=" a->b=$(ping6t a 2001:db8::12)"
  flushall; static a ipva 2001:db8::12 $MAC; static b ipvb 2001:db8::11 $MAC; r+=" a->b(static)=$(ping6t a 2001:db8::12)"
  flushall; r+=" a->peer=$(ping6t a 2001:db8::100)"
  flushall; r+=" peer->a=$(ping6t peer 2001:db8::11)"
  flushall; static peer eth0 2001:db8::11 $MAC; r+=" peer->a(static)=$(ping6t peer 2001:db8::11)"
  X peer ip -6 neigh del 2001:db8::11 dev eth0
  flushall; r+=" host->a=$(ping6t host 2001:db8::11)"
  flushall; static host eth0 2001:db8::11 $MAC; r+=" host->a(static)=$(ping6t host 2001:db8::11)"
  X host ip -6 neigh del 2001:db8::11 dev eth0
  flushall; r+=" a->host=$(ping6t a 2001:db8::1)"
  local lla=$(X a ip -6 -o addr show dev ipva scope link | awk '{print $4}' | cut -d/ -f1)
  flushall; r+=" b->a(LL)=$(if X b ping -6 -c1 -W1 -q $lla%ipvb >/dev/null 2>&1; then echo OK; else echo FAIL; fi)"
  echo "mode=$mode flag=$flag hairpin=$hp:$r"
}
for hp in off on; do for mode in l2 l3 l3s; do for flag in bridge private vepa; do run $mode $flag $hp; done; done; done
clean
