#!/bin/bash
# Q5: macvlan / macvtap modes with IPv6 (ND over solicited-node multicast), the IPv6 twin of
# ../macvlan_matrix.sh. Test bed as there: switch br0 in netns sw (defaults: snooping 1, no querier),
# host "nic" (2001:db8::1, 02:..:01) on port swp1 (hairpin toggled), peer (2001:db8::100) on swp2,
# children a (::11) and b (::12) on nic, moved into their own netns. Every cell is one ping -c1 -W1
# after flushing every neighbour table and the switch's dynamic FDB.
. "$(dirname "$0")/lib6.sh"
KIND=${KIND:-macvlan}
uname -r; echo "KIND=$KIND"
NSL="sw host a b peer"
clean() { for n in $NSL; do ip netns del $P-$n 2>/dev/null; done; }
base() { # $1 hairpin on/off
  clean; mksw; mkns host a b peer
  hostport host nic 02:00:00:00:00:01 swp1; X sw ip link set swp1 type bridge_slave hairpin $1
  hostport peer eth0 02:00:00:00:00:64 swp2
  X host ip -6 addr add 2001:db8::1/64 dev nic; X host ip link set nic up
  X peer ip -6 addr add 2001:db8::100/64 dev eth0; X peer ip link set eth0 up
}
mkchild() { # NAME NS MAC IP MODE [extra]
  local name=$1 ns=$2 mac=$3 ip=$4 mode=$5; shift 5
  X host ip link add $name link nic address $mac type $KIND mode $mode "$@"
  X host ip link set $name netns $P-$ns
  X $ns ip -6 addr add $ip/64 dev $name; X $ns ip link set $name up
}
flushall() { for n in host a b peer; do X $n ip -6 neigh flush all 2>/dev/null; done; for p in swp1 swp2; do X sw bridge fdb flush dev $p dynamic 2>/dev/null; done; }
static() { X $1 ip -6 neigh replace $3 lladdr $4 dev $2 nud permanent; }
dadstate() { local s=""; for n in a b; do X $n ip -6 addr show | grep -q dadfailed && s+=" $n:DADFAILED"; X $n ip -6 addr show | grep -q tentative && s+=" $n:tentative"; done; echo "$s"; }
run() { # modeA modeB hairpin
  local ma=$1 mb=$2 hp=$3
  base $hp
  mkchild mva a 02:00:00:00:00:0a 2001:db8::11 $ma
  mkchild mvb b 02:00:00:00:00:0b 2001:db8::12 $mb
  sleep 2.5
  local r=""
  flushall; r+=" a->b(nd)=$(ping6t a 2001:db8::12)"
  flushall; r+=" b->a(nd)=$(ping6t b 2001:db8::11)"
  flushall; static a mva 2001:db8::12 02:00:00:00:00:0b; static b mvb 2001:db8::11 02:00:00:00:00:0a
  r+=" a->b(static)=$(ping6t a 2001:db8::12)"
  flushall; r+=" host->a(nd)=$(ping6t host 2001:db8::11)"
  flushall; r+=" a->host(nd)=$(ping6t a 2001:db8::1)"
  flushall; static a mva 2001:db8::1 02:00:00:00:00:01; static host nic 2001:db8::11 02:00:00:00:00:0a
  r+=" host<->a(static)=$(ping6t host 2001:db8::11)"
  flushall; r+=" a->peer(nd)=$(ping6t a 2001:db8::100)"
  flushall; r+=" peer->a(nd)=$(ping6t peer 2001:db8::11)"
  echo "A=$ma B=$mb hairpin=$hp :$r$(dadstate)"
}
for hp in off on; do for m in private vepa bridge; do run $m $m $hp; done; done
for hp in off on; do run bridge vepa $hp; run bridge private $hp; run vepa private $hp; done

sec "passthru (one child a on nic), hairpin off"
base off; mkchild mva a 02:00:00:00:00:0a 2001:db8::11 passthru; sleep 2.5
echo "a's MAC: $(X a cat /sys/class/net/mva/address)  nic's MAC: $(X host cat /sys/class/net/nic/address)"
X a ip -6 addr show dev mva | grep inet6; X host ip -6 addr show dev nic | grep inet6
flushall; echo "a->peer=$(ping6t a 2001:db8::100) peer->a=$(ping6t peer 2001:db8::11)"
flushall; echo "host->peer=$(ping6t host 2001:db8::100) peer->host=$(ping6t peer 2001:db8::1)"

sec "source mode: child a lists the peer's MAC; hairpin off"
base off; mkchild mva a 02:00:00:00:00:0a 2001:db8::11 source; X a ip link set mva type $KIND macaddr add 02:00:00:00:00:64; sleep 2.5
X a ip -6 addr show dev mva | grep inet6
flushall; echo "peer->a=$(ping6t peer 2001:db8::11) a->peer=$(ping6t a 2001:db8::100) host->peer=$(ping6t host 2001:db8::100)"
flushall; static peer eth0 2001:db8::11 02:00:00:00:00:0a; static a mva 2001:db8::100 02:00:00:00:00:64
echo "static both ends: peer->a=$(ping6t peer 2001:db8::11)"
clean
