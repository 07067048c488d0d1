#!/bin/bash
# Q19 (found by the dual-stack fuzzer, issue #13): is a packet with a link-local source
# forwarded? A host with no global address (its source is then its link-local one) pings a
# global address through a router. (a) the router sends it back out the device it came in
# on (both hosts on one bridge); (b) out of another device.
# Expectation from ip6_forward: the link-local source check sits in the branch where the
# output device differs from the input device (the other branch sends a redirect), so (a)
# is forwarded and (b) is not (ICMPv6 destination unreachable, beyond scope / not neighbour).
. "$(dirname "$0")/lib6.sh"
uname -r
mksw
mkns a b r c
for n in a b r c; do X $n sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0; done
hostport a eth0 02:00:00:00:00:0a pa; hostport b eth0 02:00:00:00:00:0b pb; hostport r eth0 02:00:00:00:00:01 pr
vpair r eth1 c eth0
X r sysctl -qw net.ipv6.conf.all.forwarding=1
X r ip addr add 2001:db8:1::1/64 dev eth0; X r ip addr add 2001:db8:2::1/64 dev eth1
X b ip addr add 2001:db8:1::b/64 dev eth0; X c ip addr add 2001:db8:2::c/64 dev eth0
for x in "a eth0" "b eth0" "r eth0" "r eth1" "c eth0"; do set -- $x; X $1 ip link set $2 up; done
sleep 1
RLL=fe80::ff:fe00:1
X a ip -6 route add default via $RLL dev eth0
X b ip -6 route add default via $RLL dev eth0
X c ip -6 route add default via $(X r ip -6 -o addr show dev eth1 scope link | awk '{print $4}' | cut -d/ -f1) dev eth0
sec "(a) a (link-local only) -> b's global address, through r and back out r's eth0"
echo "ping: $(ping6t a 2001:db8:1::b)"
sec "(b) a (link-local only) -> c's global address, through r's eth0 to r's eth1"
echo "ping: $(ping6t a 2001:db8:2::c)"
X r cat /proc/net/snmp6 | grep -E "Ip6InNoRoutes|Ip6OutForwDatagrams|Icmp6OutDestUnreachs|Icmp6OutRedirects"
