#!/bin/bash
# Q15: among the routes of the longest matching prefix with the lowest metric, the kernel
# prefers one through a given device (rt6_select -> find_match -> rt6_score_route ->
# rt6_check_dev): an echo reply is routed with flowi6_oif = the request's input device
# (icmpv6_echo_reply: icmp6_iif), and a forwarded packet is looked up with the input
# device in that place (ip6_pol_route_input passes flowi6_iif). Found by the dual-stack
# fuzzer (issue #13, session 8): two prefix routes of one /64 on two devices.
. "$(dirname "$0")/lib6.sh"
uname -r
mksw
mkns h t
for n in h t; do X $n sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0; done
hostport h eth0 02:00:00:00:00:a0 p0; hostport h eth1 02:00:00:00:00:a1 p1; hostport t eth0 02:00:00:00:00:c0 p2
X h ip link set eth0 up; X h ip link set eth1 up; X t ip link set eth0 up
X h ip addr add 2001:db8:1::a/64 dev eth0; X h ip addr add 2001:db8:1::b/64 dev eth1
X t ip addr add 2001:db8:1::99/64 dev eth0
sec "h's routes: two prefix routes of 2001:db8:1::/64, eth0's first"
X h ip -6 route show 2001:db8:1::/64
echo "-- route get 2001:db8:1::99: $(X h ip -6 route get 2001:db8:1::99 | grep -o 'dev [^ ]*')"
echo "-- route get 2001:db8:1::99 from 2001:db8:1::b iif eth1 (as for a forwarded packet):"
X h ip -6 route get 2001:db8:1::99 from 2001:db8:1::b iif eth1 2>&1 | grep -o 'dev [^ ]*' || true
sec "t pings h's eth1 address 2001:db8:1::b: which device does h's echo reply leave by?"
X h timeout 3 tcpdump -l -n -i any 'icmp6 and ip6[40] == 129' 2>/dev/null & sleep 0.5
ping6t t 2001:db8:1::b
sleep 2.6
sec "t pings h's eth0 address 2001:db8:1::a"
X h timeout 3 tcpdump -l -n -i any 'icmp6 and ip6[40] == 129' 2>/dev/null & sleep 0.5
ping6t t 2001:db8:1::a
sleep 2.6
sec "forwarding: r with in0 (2001:db8:2::1/64 and 2001:db8:9::3/64) to a, o1 (2001:db8:9::1/64) to d; a pings d's 2001:db8:9::99"
mkns r a d
for n in r a d; do X $n sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0; done
X r sysctl -qw net.ipv6.conf.all.forwarding=1
vpair r o1 d eth0; vpair r in0 a eth0
for x in "r o1" "r in0" "a eth0" "d eth0"; do X ${x% *} ip link set ${x#* } up; done
X r ip addr add 2001:db8:9::1/64 dev o1; X r ip addr add 2001:db8:2::1/64 dev in0; X r ip addr add 2001:db8:9::3/64 dev in0
X a ip addr add 2001:db8:2::a/64 dev eth0; X a ip -6 route add default via 2001:db8:2::1
X d ip addr add 2001:db8:9::99/64 dev eth0; X d ip -6 route add default via 2001:db8:9::1
sleep 0.3
X r ip -6 route show 2001:db8:9::/64
echo "-- route get 2001:db8:9::99 (no device): $(X r ip -6 route get 2001:db8:9::99 | grep -o 'dev [^ ]*')"
echo "-- route get 2001:db8:9::99 from 2001:db8:2::a iif in0: $(X r ip -6 route get 2001:db8:9::99 from 2001:db8:2::a iif in0 2>&1 | grep -o 'dev [^ ]*')"
echo "-- r pings 2001:db8:9::99: $(ping6t r 2001:db8:9::99)"
echo "-- a pings 2001:db8:9::99 through r: $(ping6t a 2001:db8:9::99)"
