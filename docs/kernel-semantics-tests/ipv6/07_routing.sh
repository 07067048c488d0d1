#!/bin/bash
# Q7: ICMPv6 echo across a router, forwarding knobs, static ND entries, routes via link-local,
# weak host for IPv6 data, no rp_filter (nft fib as the replacement).
. "$(dirname "$0")/lib6.sh"
uname -r
mkns h1 r h2
ip link add eth0 netns $P-h1 address 02:00:00:00:01:01 type veth peer name e1 netns $P-r address 02:00:00:00:0f:01
ip link add eth0 netns $P-h2 address 02:00:00:00:02:02 type veth peer name e2 netns $P-r address 02:00:00:00:0f:02
X h1 ip -6 addr add 2001:db8:1::1/64 dev eth0; X r ip -6 addr add 2001:db8:1::ff/64 dev e1
X h2 ip -6 addr add 2001:db8:2::2/64 dev eth0; X r ip -6 addr add 2001:db8:2::ff/64 dev e2
for n in h1 h2; do X $n ip link set eth0 up; done; X r ip link set e1 up; X r ip link set e2 up
sleep 2.5
sec "routes: h1 default via a global gateway; h2 default via the router's link-local (needs dev)"
X h1 ip -6 route add default via 2001:db8:1::ff
echo "-- without dev:"; X h2 ip -6 route add default via fe80::ff:fe00:f02 2>&1; echo "rc=$?"
X h2 ip -6 route add default via fe80::ff:fe00:f02 dev eth0; echo "-- with dev: rc=$?"; X h2 ip -6 route show default
sec "forwarding: every combination of all.forwarding and the per-device values on r"
fwd() { X r sysctl -qw net.ipv6.conf.all.forwarding=$1; X r sysctl -qw net.ipv6.conf.e1.forwarding=$2 net.ipv6.conf.e2.forwarding=$3; }
for c in "0 0 0" "0 1 1" "1 1 1" "1 0 0"; do
  fwd $c; for n in h1 h2 r; do X $n ip -6 neigh flush all; done
  echo "all=$(X r sysctl -n net.ipv6.conf.all.forwarding) e1=$(X r sysctl -n net.ipv6.conf.e1.forwarding) e2=$(X r sysctl -n net.ipv6.conf.e2.forwarding): h1->h2 $(ping6t h1 2001:db8:2::2)  h2->h1 $(ping6t h2 2001:db8:1::1)"
done
echo "(note: writing all.forwarding rewrites every device, so set it first; the values above are what was read back)"
sec "forwarding off on r: what does h1 see? (ping output)"
fwd 0 0 0; X h1 ping -6 -c1 -W1 2001:db8:2::2 2>&1 | sed -n '2p;$p'
echo "r's Ip6InAddrErrors / Ip6InNoRoutes: $(X r nstat -az Ip6InAddrErrors Ip6InNoRoutes 2>/dev/null | tail -n +2 | awk '{print $1"="$2}' | tr '\n' ' ')"
sec "weak host: h1 pings r's OTHER interface address 2001:db8:2::ff (forwarding off)"
echo "h1 -> 2001:db8:2::ff: $(ping6t h1 2001:db8:2::ff)"
sec "ICMPv6 error from the router: forwarding on, destination without a route"
fwd 1 1 1; X h1 ping -6 -c1 -W1 2001:db8:99::1 2>&1 | sed -n '2p'
echo "-- hop limit 1 through the router:"; X h1 ping -6 -c1 -W1 -t 1 2001:db8:2::2 2>&1 | sed -n '2p'
sec "static (permanent) neighbour on h1 only; r must resolve h1 itself"
for n in h1 h2 r; do X $n ip -6 neigh flush all; done
X h1 ip -6 neigh replace 2001:db8:1::ff lladdr 02:00:00:00:0f:01 dev eth0 nud permanent
X h1 timeout 2 tcpdump -l -n -i eth0 'icmp6 and (ip6[40]==135 or ip6[40]==136)' 2>/dev/null >/tmp/v6cap.txt & sleep 0.4
echo "h1->h2: $(ping6t h1 2001:db8:2::2)"; wait; echo "ND on h1's link:"; cat /tmp/v6cap.txt
echo "r's entry for h1: $(X r ip -6 neigh show 2001:db8:1::1)"
sec "static entry with a WRONG MAC on h1 for the gateway"
X h1 ip -6 neigh replace 2001:db8:1::ff lladdr 02:00:00:00:0f:99 dev eth0 nud permanent
echo "h1->h2: $(ping6t h1 2001:db8:2::2)"; X h1 ip -6 neigh del 2001:db8:1::ff dev eth0
sec "rp_filter: no IPv6 sysctl"
X r sysctl net.ipv6.conf.all.rp_filter 2>&1
sec "spoofed source: h1 sends from 2001:db8:2::77 (h2's prefix) through r; count echo requests reaching h2"
X h1 ip -6 addr add 2001:db8:2::77/128 dev lo
spoof() { X h2 timeout 2 tcpdump -l -n -i eth0 'icmp6 and ip6[40]==128' 2>/dev/null >/tmp/v6cap.txt & sleep 0.4
  X h1 ping -6 -c1 -W1 -I 2001:db8:2::77 2001:db8:2::2 >/dev/null 2>&1; wait; echo "$1: echo requests reaching h2 = $(grep -c 'echo request' /tmp/v6cap.txt)"; }
spoof "no filter"
X r nft -f - <<'NFT'
table ip6 rpf {
  chain pre {
    type filter hook prerouting priority raw;
    fib saddr . iif oif missing drop
  }
}
NFT
spoof "nft 'fib saddr . iif oif missing drop' on r"
X r nft list ruleset | grep -c fib >/dev/null && echo "(rule present)"
