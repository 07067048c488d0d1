#!/bin/bash
# Q17 (found by the port fuzzer, issue #13/#14): one IPv6 prefix on two devices of h, the first
# device (eth0) leading nowhere, the second (pv0) to p which owns the destination. Which device
# does h's traffic to p take, probe after probe, with the neighbour cache flushed in between?
# Hypothesis tested (and refuted, see .out): rt6_select scores routes by neighbour state
# (RT6_LOOKUP_F_REACHABLE when forwarding is 0) and round-robins among equal routes when one
# fails. Result: the first route stays (rt6_score_route checks neighbours only for gateways).
. "$(dirname "$0")/lib6.sh"
uname -r
mkns h p d
for n in h p d; do X $n sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0; done
vpair h eth0 d eth0; vpair h pv0 p eth0
X h ip addr add 2001:db8:ee::1:d/64 dev eth0; X h ip addr add 2001:db8:ee::2:d/64 dev pv0
X p ip addr add 2001:db8:ee::2:10/64 dev eth0
for x in "h eth0" "h pv0" "p eth0" "d eth0"; do set -- $x; X $1 ip link set $2 up; done
X h ip -6 route show 2001:db8:ee::/64
for fwd in 0 1; do
  sec "h forwarding=$fwd: 6 pings to 2001:db8:ee::2:10, neighbours flushed before each"
  X h sysctl -qw net.ipv6.conf.all.forwarding=$fwd
  for i in 1 2 3 4 5 6; do
    X h ip -6 neigh flush all
    echo "-- $i: route get: $(X h ip -6 route get 2001:db8:ee::2:10 | grep -o 'dev [^ ]*'); ping: $(ping6t h 2001:db8:ee::2:10)"
  done
  X h ip -6 neigh show
done
