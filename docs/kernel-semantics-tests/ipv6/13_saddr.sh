#!/bin/bash
# Q13: IPv6 source address selection ties (ipv6_dev_get_saddr), found by the dual-stack
# fuzzer (issue #13, session 8): which address wins when the rules up to the prefix rule tie.
. "$(dirname "$0")/lib6.sh"
uname -r
mkns s t
X s sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
src() { X s ip -6 route get "$1" | grep -o 'src [^ ]*'; }
X s ip link add ea type veth peer name eb; X s ip link set ea up; X s ip link set eb up
X s ip -6 route add default dev ea
sec "one device, a tie at 0 common bits (dst fd00:ff::4): 2001:db8:3::e added, then 2001:db8:ee::3:f"
X s ip addr add 2001:db8:3::e/64 dev ea; X s ip addr add 2001:db8:ee::3:f/64 dev ea
addrs s ea; src fd00:ff::4
sec "the same, added in the other order"
X s ip addr flush dev ea scope global
X s ip addr add 2001:db8:ee::3:f/64 dev ea; X s ip addr add 2001:db8:3::e/64 dev ea
src fd00:ff::4
sec "the prefix rule is capped at the prefix length: 1::1:d/64 then 1::c/64, dst 1::1:5"
X s ip addr flush dev ea scope global
X s ip addr add 2001:db8:1::1:d/64 dev ea; X s ip addr add 2001:db8:1::c/64 dev ea
src 2001:db8:1::1:5
sec "1::c/64 then 1::1:d/64"
X s ip addr flush dev ea scope global
X s ip addr add 2001:db8:1::c/64 dev ea; X s ip addr add 2001:db8:1::1:d/64 dev ea
src 2001:db8:1::1:5
sec "1::c/64 then 1::1:d/120 (capped at 120: more common bits)"
X s ip addr flush dev ea scope global
X s ip addr add 2001:db8:1::c/64 dev ea; X s ip addr add 2001:db8:1::1:d/120 dev ea
src 2001:db8:1::1:5
sec "the outgoing device ea has no global address: ex (made first) and ey tie"
X s ip addr flush dev ea scope global
X s ip link add ex type veth peer name ex2; X s ip link add ey type veth peer name ey2
for d in ex ex2 ey ey2; do X s ip link set $d up; done
X s ip addr add 2001:db8:5::1/64 dev ey; X s ip addr add 2001:db8:6::1/64 dev ex
src fd00:ff::4
sec "ex moved to another namespace and back: the netdev list order, not ifindex"
X s ip link set ex netns $P-t; X t ip link set ex netns $P-s
X s ip link set ex up; X s ip addr add 2001:db8:6::1/64 dev ex
X s ip -o link | awk '{print $1 $2}' | tr '\n' ' '; echo
src fd00:ff::4
sec "the label rule: ey gets fd00:5::1 instead, dst fd00:9::1"
X s ip addr flush dev ey scope global; X s ip addr add fd00:5::1/64 dev ey
src fd00:9::1
sec "the outgoing device before the label: ea gets 2001:db8:1::1"
X s ip addr add 2001:db8:1::1/64 dev ea
src fd00:9::1
sec "the default label table"
X s ip addrlabel
