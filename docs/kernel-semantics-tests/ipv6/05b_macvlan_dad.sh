#!/bin/bash
# Q5b: does DAD see a duplicate between macvlan siblings, or between a child and its parent?
# a (first, DAD done) and then b (or the parent) add 2001:db8::77. Same test bed as 05.
. "$(dirname "$0")/lib6.sh"
uname -r
NSL="sw host a b peer"
clean() { for n in $NSL; do ip netns del $P-$n 2>/dev/null; done; }
base() { clean; mksw; mkns host a b peer
  hostport host nic 02:00:00:00:00:01 swp1; X sw ip link set swp1 type bridge_slave hairpin $1
  hostport peer eth0 02:00:00:00:00:64 swp2; X peer ip link set eth0 up
  X host ip link set nic up; }
mkchild() { X host ip link add $1 link nic address $3 type macvlan mode $4; X host ip link set $1 netns $P-$2; X $2 ip link set $1 up; }
st() { X $1 ip -6 -o addr show to 2001:db8::77 | grep -q dadfailed && echo dadfailed || { X $1 ip -6 -o addr show to 2001:db8::77 | grep -q inet6 && echo ok || echo none; }; }
for hp in off on; do
  for m in private vepa bridge; do
    base $hp; mkchild mva a 02:00:00:00:00:0a $m; mkchild mvb b 02:00:00:00:00:0b $m; sleep 2.5
    X a ip -6 addr add 2001:db8::77/64 dev mva; sleep 2.5; X b ip -6 addr add 2001:db8::77/64 dev mvb; sleep 2.5
    echo "siblings mode=$m hairpin=$hp: a(first)=$(st a) b(second)=$(st b)"
    X a ip -6 addr del 2001:db8::77/64 dev mva; X b ip -6 addr del 2001:db8::77/64 dev mvb
    X a ip -6 addr add 2001:db8::77/64 dev mva; sleep 2.5; X host ip -6 addr add 2001:db8::77/64 dev nic; sleep 2.5
    echo "  child a first, then parent: a=$(st a) parent=$(st host)"
    X host ip -6 addr del 2001:db8::77/64 dev nic; X a ip -6 addr del 2001:db8::77/64 dev mva
    X host ip -6 addr add 2001:db8::77/64 dev nic; sleep 2.5; X a ip -6 addr add 2001:db8::77/64 dev mva; sleep 2.5
    echo "  parent first, then child a: parent=$(st host) a=$(st a)"
  done
done
clean
