#!/bin/bash
# Q12: nftables on IPv6 packets (issue #13/#14): which tables see ICMPv6 echo and
# Neighbour Discovery, at which hooks, with which conntrack state; reject of IPv6.
. "$(dirname "$0")/lib6.sh"
uname -r; nft --version
mkns a b
ip link add eth0 netns $P-a address 02:00:00:00:00:0a type veth peer name eth0 netns $P-b address 02:00:00:00:00:0b
X a ip addr add 192.0.2.1/24 dev eth0; X a ip -6 addr add 2001:db8::1/64 dev eth0
X b ip addr add 192.0.2.2/24 dev eth0; X b ip -6 addr add 2001:db8::2/64 dev eth0
X a ip link set eth0 up; X b ip link set eth0 up
echo "dad ms: a=$(waitdad a) b=$(waitdad b)"
ping4t() { if X $1 ping -4 -c1 -W1 -q "$2" >/dev/null 2>&1; then echo OK; else echo FAIL; fi; }
flush() { for n in a b; do X $n ip -6 neigh flush all; X $n ip neigh flush all; X $n nft flush ruleset; done; }
both() { echo "  a->b v6 $(ping6t a 2001:db8::2)  v4 $(ping4t a 192.0.2.2) | b->a v6 $(ping6t b 2001:db8::1)  v4 $(ping4t b 192.0.2.1)"; }
nz() { X $1 nft list ruleset | grep -E 'counter packets [1-9]' | sed 's/^\s*/  /'; }

sec "1. ip table on b, input policy drop: IPv6 is not seen"
flush; X b nft -f - <<'N'
table ip t { chain in { type filter hook input priority 0; policy drop; }; }
N
both

sec "2. ip6 table on b, input policy drop, no ND accept"
flush; X b nft -f - <<'N'
table ip6 t { chain in { type filter hook input priority 0; policy drop; icmpv6 type echo-request accept; }; }
N
both

sec "3. inet table on b, input policy drop, echo and ICMP accepted, no ND accept"
flush; X b nft -f - <<'N'
table inet t { chain in { type filter hook input priority 0; policy drop; ct state established accept; icmpv6 type { echo-request, echo-reply } accept; meta l4proto icmp accept; }; }
N
both
echo "  b's neighbour entry for a: $(X b ip -6 neigh show 2001:db8::1)"

sec "4. same with icmpv6 nd-neighbor-solicit and nd-neighbor-advert accepted"
flush; X b nft -f - <<'N'
table inet t { chain in { type filter hook input priority 0; policy drop; icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept; icmpv6 type echo-request accept; ct state established accept; meta l4proto icmp accept; }; }
N
both

sec "5. only NS accepted (not NA): b answers a's NS, but b's own NS gets an NA it drops"
flush; X b nft -f - <<'N'
table inet t { chain in { type filter hook input priority 0; policy drop; icmpv6 type nd-neighbor-solicit accept; icmpv6 type { echo-request, echo-reply } accept; meta l4proto icmp accept; }; }
N
echo "  a->b v6 $(ping6t a 2001:db8::2)"; X a ip -6 neigh flush all; X b ip -6 neigh flush all
echo "  b->a v6 $(ping6t b 2001:db8::1)"

sec "6. ct state and hooks of each ICMPv6 type on b (counters, inet, every hook; conntrack on)"
flush
rules() { for t in echo-request echo-reply nd-neighbor-solicit nd-neighbor-advert mld-listener-report mld2-listener-report nd-router-solicit; do
  for s in new established related invalid untracked; do echo "icmpv6 type $t ct state $s counter comment \"$1 $t $s\""; done; done; }
{ echo "table inet c {"
  for h in prerouting input output postrouting; do echo " chain $h { type filter hook $h priority 0;"; rules $h; echo " }"; done
  echo " chain early { type filter hook prerouting priority -300;"; rules pre-300; echo " }"
  echo " chain v4 { type filter hook input priority 0; meta nfproto ipv6 counter comment \"input nfproto ipv6\"; meta nfproto ipv4 counter comment \"input nfproto ipv4\"; meta l4proto ipv6-icmp counter comment \"input l4proto ipv6-icmp\"; meta protocol ip6 counter comment \"input protocol ip6\"; ip6 saddr 2001:db8::1 counter comment \"input ip6 saddr a\"; ip6 saddr fe80::/64 counter comment \"input ip6 saddr link-local\"; icmp type echo-request counter comment \"input icmp type echo-request\"; ip saddr 0.0.0.0/0 counter comment \"input ip saddr any\"; iifname eth0 counter comment \"input iifname eth0\"; }"
  echo "}"; } | X b nft -f -
echo "  a->b v6 $(ping6t a 2001:db8::2) (a pings b once: NS, NA, echo, reply)"
X b nft list ruleset | grep -E 'counter packets [1-9]' | sed -E 's/^\s*.*counter packets ([0-9]+) bytes [0-9]+ comment "(.*)"/  \2: \1/'
echo "  -- then b pings a (b's NS out, a's NA in):"; X b nft reset counters >/dev/null; X b ip -6 neigh flush all; X a ip -6 neigh flush all
echo "  b->a v6 $(ping6t b 2001:db8::1)"
X b nft list ruleset | grep -E 'counter packets [1-9]' | sed -E 's/^\s*.*counter packets ([0-9]+) bytes [0-9]+ comment "(.*)"/  \2: \1/'
# (conntrack(8) is not installed here: section 6 counts the states with ct state rules)

sec "7. reject in inet for IPv6: plain reject, with icmpx, with icmp (v4 only?), with icmpv6"
for r in "reject" "reject with icmpx admin-prohibited" "reject with icmp host-unreachable" "reject with icmpv6 admin-prohibited" "reject with tcp reset"; do
  flush
  if ! echo "table inet t { chain in { type filter hook input priority 0; icmpv6 type echo-request $r; icmp type echo-request $r; }; }" | X b nft -f - 2>/tmp/nfterr; then
    echo "  rule '$r': nft refuses it: $(grep -m1 -o 'Error: .*' /tmp/nfterr)"; continue
  fi
  echo "  rule '$r': listed as: $(X b nft list chain inet t in | grep -m1 -E 'icmpv6' | sed 's/^\s*//')"
  echo "    json: $(X b nft -j list chain inet t in | python3 -c 'import json,sys; d=json.load(sys.stdin); print([r["rule"]["expr"] for r in d["nftables"] if "rule" in r][0])')"
  echo "    a->b v6: $(X a ping -6 -c1 -W1 2001:db8::2 2>&1 | sed -n 2p)"
  echo "    a->b v4: $(X a ping -4 -c1 -W1 192.0.2.2 2>&1 | sed -n 2p)"
done
sec "7b. reject in an ip6 table"
flush; echo "table ip6 t { chain in { type filter hook input priority 0; icmpv6 type echo-request reject; }; }" | X b nft -f -
echo "  listed: $(X b nft list chain ip6 t in | grep reject | sed 's/^\s*//')"
echo "  a->b v6: $(X a ping -6 -c1 -W1 2001:db8::2 2>&1 | sed -n 2p)"

sec "8. b pings itself (2001:db8::2) with an ip6 input policy drop (ND accepted): lo crosses input"
flush; X b nft -f - <<'N'
table ip6 t { chain in { type filter hook input priority 0; policy drop; icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept; iifname "eth0" accept; };
              chain out { type filter hook output priority 0; oifname "lo" counter comment "out lo"; }
              chain post { type filter hook postrouting priority 0; oifname "lo" counter comment "post lo"; }; }
N
echo "  b->b v6 $(ping6t b 2001:db8::2)   b->::1 $(ping6t b ::1)"; nz b

sec "9. output policy drop on b with ND accepted vs not (b's own NS and NA)"
flush; X b nft -f - <<'N'
table inet t { chain out { type filter hook output priority 0; policy drop; icmpv6 type echo-reply accept; icmpv6 type echo-request accept; meta l4proto icmp accept; }; }
N
both
flush; X b nft -f - <<'N'
table inet t { chain out { type filter hook output priority 0; policy drop; icmpv6 type { echo-reply, echo-request, nd-neighbor-solicit, nd-neighbor-advert } accept; meta l4proto icmp accept; }; }
N
both
sec "10. postrouting policy drop on b with only echo accepted (ND leaves through postrouting too)"
flush; X b nft -f - <<'N'
table ip6 t { chain post { type filter hook postrouting priority 0; policy drop; icmpv6 type { echo-reply, echo-request } accept; }; }
N
both
flush; X b nft -f - <<'N'
table ip6 t { chain pre { type filter hook prerouting priority 0; policy drop; icmpv6 type { echo-reply, echo-request } accept; }; }
N
echo "  (prerouting policy drop, echo only)"; both

sec "11. postrouting iifname of locally made packets (ND from ndisc_send_skb, echo from a socket)"
flush; X b nft -f - <<'N'
table ip6 t {
 chain post { type filter hook postrouting priority 0;
  icmpv6 type nd-neighbor-solicit iifname "eth0" counter comment "post NS iifname eth0"
  icmpv6 type nd-neighbor-solicit iifname != "eth0" counter comment "post NS iifname not eth0"
  icmpv6 type nd-neighbor-advert iifname "eth0" counter comment "post NA iifname eth0"
  icmpv6 type nd-neighbor-advert iifname != "eth0" counter comment "post NA iifname not eth0"
  icmpv6 type echo-request iifname != "eth0" counter comment "post echo-request iifname not eth0"
  icmpv6 type echo-reply iifname != "eth0" counter comment "post echo-reply iifname not eth0"
  icmpv6 type echo-reply iifname "eth0" counter comment "post echo-reply iifname eth0"
 }
 chain out { type filter hook output priority 0;
  icmpv6 type nd-neighbor-solicit iifname != "eth0" oifname "eth0" counter comment "out NS iifname not eth0, oifname eth0"
  icmpv6 type nd-neighbor-advert iifname != "eth0" oifname "eth0" counter comment "out NA iifname not eth0, oifname eth0"
 }
}
N
echo "  a->b v6 $(ping6t a 2001:db8::2)"; X a ip -6 neigh flush all; X b ip -6 neigh flush all
echo "  b->a v6 $(ping6t b 2001:db8::1)"
X b nft list ruleset | grep -E 'counter packets [1-9]' | sed -E 's/^\s*.*counter packets ([0-9]+) bytes [0-9]+ comment "(.*)"/  \2: \1/'

sec "12. the same for NA alone (section 11 lists only the non-zero counters): postrouting iif of ND is the device"
flush; X b nft -f - <<'N'
table ip6 t {
 chain post { type filter hook postrouting priority 0;
  icmpv6 type nd-neighbor-advert counter comment "post NA any"
  icmpv6 type nd-neighbor-advert iifname "eth0" counter comment "post NA iifname eth0"
  icmpv6 type nd-neighbor-advert iifname != "eth0" counter comment "post NA iifname not eth0"
  icmpv6 type nd-neighbor-solicit counter comment "post NS any"
  icmpv6 type nd-neighbor-solicit iifname "eth0" counter comment "post NS iifname eth0"
  icmpv6 type nd-neighbor-solicit iifname != "eth0" counter comment "post NS iifname not eth0"
 }
}
N
echo "  a->b v6 $(ping6t a 2001:db8::2)"; X b nft list ruleset | grep -E 'counter packets [1-9]' | sed -E 's/^\s*.*counter packets ([0-9]+) bytes [0-9]+ comment "(.*)"/  \2: \1/'
X b nft reset counters >/dev/null; for n in a b; do X $n ip -6 neigh flush all; done
echo "  b->a v6 $(ping6t b 2001:db8::1)"; X b nft list ruleset | grep -E 'counter packets [1-9]' | sed -E 's/^\s*.*counter packets ([0-9]+) bytes [0-9]+ comment "(.*)"/  \2: \1/'
