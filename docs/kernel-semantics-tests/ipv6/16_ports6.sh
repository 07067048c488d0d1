#!/bin/bash
# Q16: TCP connect / UDP datagram to an IPv6 address (port probes, issues #13/#14):
# (a) a listener, (b) nothing listens (RST; ICMPv6 port unreachable and its rate limit),
# (c) no route / no neighbour / a router without forwarding or without a route,
# (d) ip6/inet filter drop and reject at the server, the router, and the client's output.
# Run: /work/shared/tools/sandbox.sh bash 16_ports6.sh
. "$(dirname "$0")/lib6.sh"
D=$(cd "$(dirname "$0")" && pwd)
uname -r; nft --version
# c (2001:db8:1::10) -- r (2001:db8:1::1 | 2001:db8:2::1) -- s (2001:db8:2::20); c also on 2001:db8:1::/64 with a
# phantom 2001:db8:1::99 (no neighbour)
mkns c r s
for n in c r s; do X $n sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0; done
vpair c eth0 r l1; vpair s eth0 r l2
X c ip addr add 2001:db8:1::10/64 dev eth0; X r ip addr add 2001:db8:1::1/64 dev l1
X r ip addr add 2001:db8:2::1/64 dev l2; X s ip addr add 2001:db8:2::20/64 dev eth0
for x in "c eth0" "r l1" "r l2" "s eth0"; do set -- $x; X $1 ip link set $2 up; done
X c ip -6 route add 2001:db8:2::/64 via 2001:db8:1::1; X s ip -6 route add default via 2001:db8:2::1
X c ip -6 route add 2001:db8:7::/64 via 2001:db8:1::1
X r sysctl -qw net.ipv6.conf.all.forwarding=1
echo "defaults: net.ipv6.icmp.ratelimit=$(X s sysctl -n net.ipv6.icmp.ratelimit) ratemask=$(X s sysctl -n net.ipv6.icmp.ratemask) net.ipv4.icmp_msgs_per_sec=$(X s sysctl -n net.ipv4.icmp_msgs_per_sec) icmp_msgs_burst=$(X s sysctl -n net.ipv4.icmp_msgs_burst)"
X s python3 $D/16_ports6_srv.py s 80 & SP=$!
X r python3 $D/16_ports6_srv.py r 80 & RP=$!
sleep 0.5
C() { X c python3 $D/16_ports6_cli.py "$@"; }
sec "a: a listener (s:80, r:80 on its far address); tcpdump at s"
X s timeout 2.5 tcpdump -l -n -i eth0 ip6 2>/dev/null & sleep 0.5
C tcp 2001:db8:2::20 80; C udp 2001:db8:2::20 80; sleep 2; C tcp 2001:db8:2::1 80; C udp 2001:db8:2::1 80; echo "(r answers from the address its route selects, 2001:db8:1::1, without IPV6_PKTINFO)"
sec "b: nothing listens on s:81"
C tcp 2001:db8:2::20 81; C udp 2001:db8:2::20 81
sec "b2: the rate limit of ICMPv6 errors: 20 UDP datagrams to closed s:81 one after another (each waits for its answer)"
C udp 2001:db8:2::20 81 20
sec "b3: the same at once, 20 TCP to closed s:81 (RST, no rate limit)"
C tcp 2001:db8:2::20 81 20
sec "b4: 20 UDP to closed ports on the client's own address (loopback: not limited)"
C udp 2001:db8:1::10 81 20
sec "c1: no route (2001:db8:3::1)"
C tcp 2001:db8:3::1 80; C udp 2001:db8:3::1 80
sec "c2: no neighbour (2001:db8:1::99, on link)"
C tcp 2001:db8:1::99 80; C udp 2001:db8:1::99 80
sec "c3: the router has no route (2001:db8:7::5 via r)"
C tcp 2001:db8:7::5 80; C udp 2001:db8:7::5 80
sec "c4: the router does not forward (all.forwarding=0)"
X r sysctl -qw net.ipv6.conf.all.forwarding=0
C tcp 2001:db8:2::20 80; C udp 2001:db8:2::20 80
X r sysctl -qw net.ipv6.conf.all.forwarding=1
sec "d1: s: ip6 input drop of tcp/udp dport 80"
X s nft -f - <<'NFT'
table ip6 f { chain in { type filter hook input priority 0; policy accept; meta l4proto { tcp, udp } th dport 80 drop; }; }
NFT
C tcp 2001:db8:2::20 80; C udp 2001:db8:2::20 80
X s nft flush ruleset
sec "d2: s: inet input reject (default: icmpv6 port-unreachable for udp, tcp reset for tcp)"
X s nft -f - <<'NFT'
table inet f { chain in { type filter hook input priority 0; policy accept; tcp dport 80 reject with tcp reset; udp dport 80 reject; }; }
NFT
X s nft list ruleset | grep reject
C tcp 2001:db8:2::20 80; C udp 2001:db8:2::20 80
X s nft flush ruleset
sec "d3: s: inet input reject with icmpx admin-prohibited (tcp and udp)"
X s nft -f - <<'NFT'
table inet f { chain in { type filter hook input priority 0; policy accept; meta l4proto { tcp, udp } th dport 80 reject with icmpx admin-prohibited; }; }
NFT
C tcp 2001:db8:2::20 80; C udp 2001:db8:2::20 80
X s nft flush ruleset
sec "d4: r: ip6 forward drop / reject (icmpx port-unreachable, host-unreachable, tcp reset)"
for v in "drop" "reject with icmpx port-unreachable" "reject with icmpx host-unreachable" "reject with icmpx no-route"; do
  echo "-- forward: $v"
  X r nft -f - <<NFT
table inet f { chain fw { type filter hook forward priority 0; policy accept; meta l4proto { tcp, udp } th dport 80 $v; }; }
NFT
  C tcp 2001:db8:2::20 80; C udp 2001:db8:2::20 80
  X r nft flush ruleset
done
echo "-- forward: tcp reset"
X r nft -f - <<'NFT'
table ip6 f { chain fw { type filter hook forward priority 0; policy accept; tcp dport 80 reject with tcp reset; }; }
NFT
C tcp 2001:db8:2::20 80
X r nft flush ruleset
sec "d5: c: output drop / reject in the client itself"
for v in "drop" "reject"; do
  echo "-- output: $v"
  X c nft -f - <<NFT
table inet f { chain out { type filter hook output priority 0; policy accept; meta l4proto { tcp, udp } th dport 80 $v; }; }
NFT
  C tcp 2001:db8:2::20 80; C udp 2001:db8:2::20 80
  X c nft flush ruleset
done
sec "e: conntrack: s stateful input (ct state established,related accept; tcp/udp dport 80 accept; drop) and c stateful"
X s nft -f - <<'NFT'
table inet f { chain in { type filter hook input priority 0; policy drop; ct state established,related accept; icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept; meta l4proto { tcp, udp } th dport 80 accept; }; }
NFT
X c nft -f - <<'NFT'
table inet f { chain in { type filter hook input priority 0; policy drop; ct state established,related accept; icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept; }; }
NFT
C tcp 2001:db8:2::20 80; C udp 2001:db8:2::20 80; C tcp 2001:db8:2::20 81; C udp 2001:db8:2::20 81
echo "-- c conntrack:"; X c conntrack -L -f ipv6 2>/dev/null | sed 's/  */ /g' | sort || true
X c nft flush ruleset; X s nft flush ruleset
sec "f: the responder's answer source: s's UDP answer to its second address 2001:db8:2::21"
X s ip addr add 2001:db8:2::21/64 dev eth0
C udp 2001:db8:2::21 80
kill $SP $RP
