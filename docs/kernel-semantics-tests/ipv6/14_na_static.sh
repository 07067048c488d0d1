#!/bin/bash
# Q14: the NA that answers an NS goes to the solicitor through the neighbour table, so a
# static entry for the solicitor's address (here with a wrong MAC) wins over the NS's
# source link-layer option (found by the dual-stack fuzzer, issue #13, session 8).
. "$(dirname "$0")/lib6.sh"
uname -r
mkns a b
vpair a eth0 b eth0
X a ip link set eth0 address 02:00:00:00:00:0a; X b ip link set eth0 address 02:00:00:00:00:0b
X a ip link set eth0 up; X b ip link set eth0 up
X a ip addr add 2001:db8::a/64 dev eth0; X b ip addr add 2001:db8::b/64 dev eth0
echo "dad wait: a $(waitdad a) ms, b $(waitdad b) ms"
sec "b has a static entry for a's link-local fe80::ff:fe00:a with a wrong MAC; a pings b's global from its link-local"
X b ip -6 neigh add fe80::ff:fe00:a lladdr 02:00:00:00:ee:ee dev eth0 nud permanent
X a timeout 3 tcpdump -l -n -e -i eth0 icmp6 2>/dev/null & sleep 0.5
X a ping -6 -c1 -W1 -I fe80::ff:fe00:a%eth0 2001:db8::b >/dev/null; echo "ping from the link-local: rc=$?"
sleep 2.5
sec "b's entries afterwards (the permanent one is unchanged)"
X b ip -6 neigh show dev eth0
sec "the same with a's global address as the solicitor: b has a static wrong entry for 2001:db8::a"
X a ip -6 neigh flush dev eth0; X b ip -6 neigh flush dev eth0
X b ip -6 neigh add 2001:db8::a lladdr 02:00:00:00:ee:ee dev eth0 nud permanent
X a timeout 3 tcpdump -l -n -e -i eth0 icmp6 2>/dev/null & sleep 0.5
ping6t a 2001:db8::b
sleep 2.5
X b ip -6 neigh show dev eth0
