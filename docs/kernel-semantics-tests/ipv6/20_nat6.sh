#!/bin/bash
# Q20: NAT on IPv6 packets (issue #14): snat/dnat with and without ports on ip6 and inet
# tables, masquerade's source address, redirect (prerouting: which address of the input
# device; output: ::1), ICMPv6 echo ids under NAT, replies un-NATed, a DNAT port forward,
# hairpin NAT, and what the nat chains see of ND and of echo replies.
# Run: /work/shared/tools/sandbox.sh bash 20_nat6.sh
. "$(dirname "$0")/lib6.sh"
D=$(cd "$(dirname "$0")" && pwd)
uname -r; nft --version
# LAN 2001:db8:1::/64 on a switch: c ::10, d ::11, r l1 ::1 (and ::2, added second)
# r l2 2001:db8:2::1 (and 2001:db8:9::1, added second) -- s eth0 2001:db8:2::20 ("internet":
# no route back to 2001:db8:1::/64; a route to 2001:db8:8::/64 via r for a DNAT without port)
mksw; mkns c d r s
for n in c d r s; do X $n sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 net.ipv4.ping_group_range="0 2147483647"; done
hostport c eth0 02:00:00:00:00:0c pc; hostport d eth0 02:00:00:00:00:0d pd; hostport r l1 02:00:00:00:00:01 pr
vpair s eth0 r l2
X c ip addr add 2001:db8:1::10/64 dev eth0; X d ip addr add 2001:db8:1::11/64 dev eth0
X r ip addr add 2001:db8:1::1/64 dev l1; X r ip addr add 2001:db8:1::2/64 dev l1
X r ip addr add 2001:db8:2::1/64 dev l2; X r ip addr add 2001:db8:9::1/64 dev l2
X s ip addr add 2001:db8:2::20/64 dev eth0
for x in "c eth0" "d eth0" "r l1" "r l2" "s eth0"; do set -- $x; X $1 ip link set $2 up; done
for n in c d; do X $n ip -6 route add default via 2001:db8:1::1; done
X s ip -6 route add 2001:db8:8::/64 via 2001:db8:2::1
X r sysctl -qw net.ipv6.conf.all.forwarding=1
sleep 1
echo "r l1 addr_list order:"; X r ip -6 -o addr show dev l1 | awk '{print "  "$4}'
echo "r l2 addr_list order:"; X r ip -6 -o addr show dev l2 | awk '{print "  "$4}'
X s python3 $D/20_nat6_srv.py s 80 & 
X c python3 $D/20_nat6_srv.py c 80 &
X r python3 $D/20_nat6_srv.py r 80 &
sleep 0.5
NF() { sed 's/; *}/\n}/g; s/} *}/}\n}/g; s/}; *chain/}\nchain/g' | X $1 nft -f -; }
C() { local n=$1; shift; X $n python3 $D/16_ports6_cli.py "$@"; }
P6() { local n=$1; shift; X $n python3 $D/20_nat6_ping.py "$@"; }
tdump() { X s timeout 3 tcpdump -l -n -i eth0 ip6 and not icmp6 or 'icmp6[0] < 133' 2>/dev/null & sleep 0.5; }

sec "0: no NAT: c -> s has no route back (s has no route to 2001:db8:1::/64)"
C c tcp 2001:db8:2::20 80; P6 c 2001:db8:2::20 700

sec "A1: ip6 masquerade on r (oifname l2): echo, tcp, udp from c to s; s sees which source?"
NF r <<'NFT'
table ip6 n { chain post { type nat hook postrouting priority 100; oifname "l2" masquerade; } }
NFT
tdump
P6 c 2001:db8:2::20 700; C c tcp 2001:db8:2::20 80; C c udp 2001:db8:2::20 80; sleep 2.5
echo "(s's addresses are on l2's 2001:db8:2::/64: the source is the one ipv6_dev_get_saddr picks for the destination)"
sec "A2: masquerade to a destination outside both of l2's prefixes: s gets 2001:db8:5::20 (added), r routes 2001:db8:5::/64 via s"
X s ip addr add 2001:db8:5::20/64 dev eth0; X r ip -6 route add 2001:db8:5::/64 via 2001:db8:2::20; sleep 0.3
C c tcp 2001:db8:5::20 80
X s ip addr add 2001:db8:9::20/64 dev eth0; sleep 0.3
C c tcp 2001:db8:9::20 80
echo "(the label / longest common prefix rule: 2001:db8:9::20 gets 2001:db8:9::1)"
sec "A3: the same masquerade in an inet table"
X r nft flush ruleset
NF r <<'NFT'
table inet n { chain post { type nat hook postrouting priority 100; oifname "l2" masquerade; } }
NFT
C c tcp 2001:db8:2::20 80; P6 c 2001:db8:2::20 701
sec "A4: masquerade with a port (tcp sport -> 3000): inet table"
X r nft flush ruleset
NF r <<'NFT'
table inet n { chain post { type nat hook postrouting priority 100; oifname "l2" meta l4proto tcp masquerade to :3000; oifname "l2" masquerade; } }
NFT
C c tcp 2001:db8:2::20 80; C c udp 2001:db8:2::20 80
X r nft -j list ruleset | python3 -c 'import json,sys; [print("  json:", json.dumps(r["rule"]["expr"][-1])) for r in json.load(sys.stdin)["nftables"] if "rule" in r]'

sec "B1: ip6 snat to a fixed address (2001:db8:9::1, r's other l2 address), and with a port"
X r nft flush ruleset
NF r <<'NFT'
table ip6 n { chain post { type nat hook postrouting priority 100; oifname "l2" tcp dport 80 snat to [2001:db8:9::1]:4000; oifname "l2" snat to 2001:db8:9::1; } }
NFT
X s ip -6 route add 2001:db8:9::1 via 2001:db8:2::1 2>/dev/null
C c tcp 2001:db8:2::20 80; C c udp 2001:db8:2::20 80; P6 c 2001:db8:2::20 702
sec "B2: inet snat ip6 to an address r does not own (2001:db8:2::99; s routes it? no: on-link, no neighbour)"
X r nft flush ruleset
NF r <<'NFT'
table inet n { chain post { type nat hook postrouting priority 100; oifname "l2" snat ip6 to 2001:db8:2::99; } }
NFT
C c tcp 2001:db8:2::20 80
echo "(s answers 2001:db8:2::99 on link: r does not answer its NS, so no reply)"
sec "B3: inet snat ip to (an IPv4 statement) in a chain IPv6 packets pass; then masquerade"
X r nft flush ruleset
NF r <<'NFT'
table inet n { chain post { type nat hook postrouting priority 100; oifname "l2" snat ip to 192.0.2.1; oifname "l2" masquerade; } }
NFT
X r nft --debug=netlink list ruleset 2>/dev/null | grep -i -A8 "snat\|nat" | head -20 | sed 's/^/  /'
C c tcp 2001:db8:2::20 80

sec "C1: ip6 DNAT port forward on r: s -> [2001:db8:2::1]:8080 to [2001:db8:1::10]:80 (answered_by c), tcp and udp"
X r nft flush ruleset
NF r <<'NFT'
table ip6 n { chain pre { type nat hook prerouting priority -100; iifname "l2" ip6 daddr 2001:db8:2::1 meta l4proto { tcp, udp } th dport 8080 dnat to [2001:db8:1::10]:80; } }
NFT
C s tcp 2001:db8:2::1 8080; C s udp 2001:db8:2::1 8080; C s tcp 2001:db8:2::1 80
sec "C2: inet DNAT without a port, of a whole address: s -> 2001:db8:8::5 (routed to r) to 2001:db8:1::10 (tcp 80, echo)"
X r nft flush ruleset
NF r <<'NFT'
table inet n { chain pre { type nat hook prerouting priority -100; ip6 daddr 2001:db8:8::5 dnat ip6 to 2001:db8:1::10; } }
NFT
C s tcp 2001:db8:8::5 80; P6 s 2001:db8:8::5 703
sec "C3: inet DNAT port forward, written 'dnat to' with an ip6 daddr context"
X r nft flush ruleset
NF r <<'NFT'
table inet n { chain pre { type nat hook prerouting priority -100; ip6 daddr 2001:db8:2::1 tcp dport 8080 dnat to [2001:db8:1::10]:80; } }
NFT
X r nft -j list ruleset | python3 -c 'import json,sys; [print("  json:", json.dumps(r["rule"]["expr"][-1])) for r in json.load(sys.stdin)["nftables"] if "rule" in r]'
C s tcp 2001:db8:2::1 8080

sec "D1: redirect in prerouting on r (iif l1: 2001:db8:1::1, ::2 and its link-local): c -> [2001:db8:2::20]:81 to :80"
X r nft flush ruleset
NF r <<'NFT'
table ip6 n { chain pre { type nat hook prerouting priority -100; iifname "l1" tcp dport 81 redirect to :80; iifname "l1" udp dport 81 redirect to :80; } }
NFT
C c tcp 2001:db8:2::20 81; C c udp 2001:db8:2::20 81
sec "D2: redirect without a port: c -> [2001:db8:2::20]:80, c's echo to s"
X r nft flush ruleset
NF r <<'NFT'
table ip6 n { chain pre { type nat hook prerouting priority -100; iifname "l1" meta l4proto { tcp, icmpv6 } redirect; } }
NFT
C c tcp 2001:db8:2::20 80; P6 c 2001:db8:2::20 704
sec "D3: redirect in output on c: c -> [2001:db8:2::20]:81 to :80 (c's own listener)"
X r nft flush ruleset
NF c <<'NFT'
table inet n { chain out { type nat hook output priority -100; tcp dport 81 redirect to :80; } }
NFT
C c tcp 2001:db8:2::20 81; C c tcp 2001:db8:1::10 81
X c nft flush ruleset
sec "D4: redirect in prerouting when the input device has only a link-local address: s -> r via l2 with l2's globals removed? (kept: instead, a device l3 with only fe80)"
vpair r l3 s eth1; X r ip link set l3 up; X s ip link set eth1 up; sleep 1
RLL=$(X r ip -6 -o addr show dev l3 | awk '{print $4}' | cut -d/ -f1)
X s ip -6 route add 2001:db8:7::/64 via $RLL dev eth1
NF r <<'NFT'
table ip6 n { chain pre { type nat hook prerouting priority -100; iifname "l3" tcp dport 81 redirect to :80; } }
NFT
echo "  r l3: $(X r ip -6 -o addr show dev l3 | awk '{print $4}')"
C s tcp 2001:db8:7::9 81

sec "E: echo ids under masquerade: c and d both ping s with id 800"
X r nft flush ruleset
NF r <<'NFT'
table ip6 n { chain post { type nat hook postrouting priority 100; oifname "l2" masquerade; } }
NFT
tdump
X c python3 -c "
import socket,struct,select,time
s=socket.socket(socket.AF_INET6,socket.SOCK_DGRAM,socket.IPPROTO_ICMPV6); s.bind(('::',800))
s.sendto(struct.pack('!BBHHH',128,0,0,800,1)+b'x',('2001:db8:2::20',0)); time.sleep(1.5)
" & sleep 0.3
P6 d 2001:db8:2::20 800; wait $!; sleep 1.5

sec "F: hairpin: d -> [2001:db8:2::1]:8080 DNATed to c:80 (same LAN); broken, then with masquerade of the LAN to c"
X r nft flush ruleset
NF r <<'NFT'
table inet n { chain pre { type nat hook prerouting priority -100; ip6 daddr 2001:db8:2::1 tcp dport 8080 dnat to [2001:db8:1::10]:80; } }
NFT
C d tcp 2001:db8:2::1 8080; C s tcp 2001:db8:2::1 8080
X r nft add chain inet n post '{ type nat hook postrouting priority 100; }'
X r nft add rule inet n post ip6 saddr 2001:db8:1::/64 ip6 daddr 2001:db8:1::10 tcp dport 80 masquerade
C d tcp 2001:db8:2::1 8080; C c tcp 2001:db8:2::1 8080
echo "(c to itself through r: DNATed back to c, masqueraded to r's l1 address)"

sec "G: what the nat chains see: counters by ICMPv6 type on all four nat hooks of r, after echo and ND through it"
X r nft flush ruleset
X r ip -6 neigh flush all; X c ip -6 neigh flush all; X s ip -6 neigh flush all
NF r <<'NFT'
table ip6 n {
  chain pre { type nat hook prerouting priority -100; icmpv6 type nd-neighbor-solicit counter; icmpv6 type nd-neighbor-advert counter; icmpv6 type echo-request counter; icmpv6 type echo-reply counter; }
  chain in { type nat hook input priority 100; icmpv6 type nd-neighbor-solicit counter; icmpv6 type nd-neighbor-advert counter; icmpv6 type echo-request counter; icmpv6 type echo-reply counter; }
  chain out { type nat hook output priority -100; icmpv6 type nd-neighbor-solicit counter; icmpv6 type nd-neighbor-advert counter; icmpv6 type echo-request counter; icmpv6 type echo-reply counter; }
  chain post { type nat hook postrouting priority 100; icmpv6 type nd-neighbor-solicit counter; icmpv6 type nd-neighbor-advert counter; icmpv6 type echo-request counter; icmpv6 type echo-reply counter; oifname "l2" masquerade; }
}
table ip6 f {
  chain pre { type filter hook prerouting priority 0; icmpv6 type nd-neighbor-solicit counter; icmpv6 type nd-neighbor-advert counter; }
  chain out { type filter hook output priority 0; icmpv6 type nd-neighbor-solicit counter; icmpv6 type nd-neighbor-advert counter; }
}
NFT
P6 c 2001:db8:2::20 705; P6 c 2001:db8:2::20 706; P6 c 2001:db8:1::1 707; P6 r 2001:db8:1::10 708; P6 r 2001:db8:1::1 709
X r nft list ruleset | grep -E "chain|counter" | sed 's/^ */  /'
sec "G2: a DNAT rule for ND in prerouting (icmpv6 type nd-neighbor-solicit dnat to ...): ND still works?"
X r nft flush ruleset; X r ip -6 neigh flush all; X c ip -6 neigh flush all
NF r <<'NFT'
table ip6 n { chain pre { type nat hook prerouting priority -100; icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } counter dnat to 2001:db8:1::99; } }
NFT
P6 c 2001:db8:1::1 710
X r nft list ruleset | grep counter | sed 's/^ */  /'
sec "H: an ICMPv6 error to a masqueraded client is un-NATed: c -> udp s:81 (closed) through masquerade"
X r nft flush ruleset
NF r <<'NFT'
table ip6 n { chain post { type nat hook postrouting priority 100; oifname "l2" masquerade; } }
NFT
C c udp 2001:db8:2::20 81
sec "I: a nat chain drops: ip6 nat prerouting policy drop; c -> s"
X r nft flush ruleset
NF r <<'NFT'
table ip6 n { chain pre { type nat hook prerouting priority -100; policy drop; }; chain post { type nat hook postrouting priority 100; oifname "l2" masquerade; } }
NFT
C c tcp 2001:db8:2::20 80; P6 c 2001:db8:2::20 711
sec "J: masquerade of a node's packets to itself (through lo): c's postrouting masquerades everything; c -> its own address, ::1"
X r nft flush ruleset
NF c <<'NFT'
table ip6 n { chain post { type nat hook postrouting priority 100; masquerade; } }
NFT
C c tcp 2001:db8:1::10 80; C c tcp ::1 80; P6 c 2001:db8:1::10 712; P6 c ::1 713
C c tcp 2001:db8:2::20 80
X c nft flush ruleset
