#!/bin/bash
# br_netfilter and bridged IPv6 (net.bridge.bridge-nf-call-ip6tables): which ip6/inet hooks a bridged
# IPv6 packet crosses, with which devices and conntrack states, neighbour discovery / MLD / DAD included.
# Run in a sandbox: /work/shared/tools/sandbox.sh bash br_netfilter6.sh > br_netfilter6.out 2>&1
#
#   h1 (fd00::11) --veth-- p1 [hub: br0 fd00::1] p2 --veth-- h2 (fd00::12)
#                          hub: wan fd01::1 --veth-- h3 (fd01::10)
set -u
X() { local n=$1; shift; ip netns exec "$n" "$@"; }
for n in hub h1 h2 h3; do ip netns add $n; X $n ip link set lo up; done
echo "== a new namespace's br_netfilter switches:"
for k in iptables ip6tables arptables; do echo "  bridge-nf-call-$k=$(X hub cat /proc/sys/net/bridge/bridge-nf-call-$k)"; done
for n in h1 h2 h3; do for k in iptables ip6tables arptables; do X $n sysctl -qw net.bridge.bridge-nf-call-$k=0; done; done
X hub ip link add br0 type bridge
ip -n hub link add p1 type veth peer name eth0 netns h1
ip -n hub link add p2 type veth peer name eth0 netns h2
ip -n hub link add wan type veth peer name eth0 netns h3
for p in p1 p2; do X hub ip link set $p master br0; X hub ip link set $p up; done
X hub ip link set br0 up; X hub ip link set wan up
X hub ip -6 addr add fd00::1/64 dev br0 nodad
X hub ip -6 addr add fd01::1/64 dev wan nodad
i=11; for n in h1 h2; do
  X $n ip -6 addr add fd00::$i/64 dev eth0 nodad; X $n ip link set eth0 up; X $n ip -6 route add default via fd00::1; i=$((i + 1))
done
X h3 ip -6 addr add fd01::10/64 dev eth0 nodad; X h3 ip link set eth0 up; X h3 ip -6 route add default via fd01::1
sleep 2

# the probe table: per hook, one counter per device name, ICMPv6 type, L4 protocol and conntrack state (IPv6 only)
rules() {
  echo "meta nfproto ipv6 counter comment \"all\""
  for d in p1 p2 br0 wan lo; do echo "meta nfproto ipv6 iifname \"$d\" counter"; done
  for d in p1 p2 br0 wan lo; do echo "meta nfproto ipv6 oifname \"$d\" counter"; done
  echo "meta nfproto ipv6 iif \"br0\" counter"; echo "meta nfproto ipv6 oif \"br0\" counter"
  for t in echo-request echo-reply nd-neighbor-solicit nd-neighbor-advert mld-listener-report mld2-listener-report nd-router-solicit; do
    echo "icmpv6 type $t counter"
  done
  echo "ip6 saddr :: counter comment \"unspecified source (DAD)\""
  echo "meta l4proto tcp counter"; echo "meta l4proto udp counter"
  for s in new established related invalid untracked; do echo "meta nfproto ipv6 ct state $s counter"; done
}
M=/tmp/brnf6-m.nft
{
  echo "table inet m {"
  for h in prerouting input forward output postrouting; do
    echo "  chain $h { type filter hook $h priority 0; policy accept;"
    rules | sed 's/^/    /'
    echo "  }"
  done
  echo "}"
} > $M
X hub nft -f $M
show() {
  X hub nft list table inet m | awk '/chain /{c=$2} /counter packets [1-9]/{sub(/^[ \t]+/,""); sub(/ bytes.*/,""); sub(/meta nfproto ipv6 /,""); print "    " c ": " $0}'
  X hub nft delete table inet m; X hub nft -f $M
}
ping1() { if X "$1" ping -6 -c1 -W1 -q "$2" >/dev/null 2>&1; then echo "  ping $1 -> $2: reach"; else echo "  ping $1 -> $2: NO reach"; fi; }
tcp1() { if X "$1" timeout 2 bash -c "exec 3<>/dev/tcp/$2/$3" 2>/dev/null; then echo "  tcp $1 -> [$2]:$3: connected"; else echo "  tcp $1 -> [$2]:$3: not connected"; fi; }
setnf() { X hub sysctl -qw net.bridge.bridge-nf-call-iptables="$1" net.bridge.bridge-nf-call-ip6tables="$2" net.bridge.bridge-nf-call-arptables=0; }
flush() { for n in hub h1 h2 h3; do X $n ip -6 neigh flush all; done; echo f > /dev/null; }
ctshow() { X hub cat /proc/net/nf_conntrack 2>/dev/null | grep ipv6 | sed 's/^/    /'; }
listen() { # a TCP listener on port $2 in namespace $1 (python; killed at the end by the sandbox)
  X "$1" python3 -c "
import socket
s = socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('::', $2)); s.listen(8)
while True:
    c, _ = s.accept(); c.close()" &
}
listen h2 80; sleep 0.3

echo "== A. bridge-nf-call-ip6tables=1 (iptables=0) in hub, forwarding=0: h1 pings h2 (bridged, cold neighbours)"
setnf 0 1; flush
ping1 h1 fd00::12; show
echo "  (conntrack in hub after it, IPv6 entries:)"; ctshow
echo "== A0. the same with bridge-nf-call-ip6tables=0"
setnf 0 0; flush; ping1 h1 fd00::12; show
echo "== A1. iptables=1, ip6tables=0: bridged IPv6 meets no hook"
setnf 1 0; flush; ping1 h1 fd00::12; show

echo "== B. ip6tables=1: TCP h1 -> h2:80 (listening), TCP h1 -> h2:81 (closed, RST), warm neighbours"
setnf 0 1
X h1 ping -6 -c1 -W1 -q fd00::12 >/dev/null; show
tcp1 h1 fd00::12 80; show
tcp1 h1 fd00::12 81; show
echo "== B2. UDP h1 -> h2:53 (closed port: ICMPv6 port unreachable back)"
X h1 bash -c 'echo x > /dev/udp/fd00::12/53'; sleep 0.5; show

echo "== C. ip6tables=1: DAD and MLD of a new address on h1 (fd00::21 without nodad)"
setnf 0 1; show >/dev/null
X h1 ip -6 addr add fd00::21/64 dev eth0; sleep 2.5; show
echo "  h1's fd00::21: $(X h1 ip -6 addr show dev eth0 | grep -o 'fd00::21.*' | sed 's/valid_lft.*//')"
X h1 ip -6 addr del fd00::21/64 dev eth0

echo "== D. ip6tables=1: h1 pings hub's own fd00::1 (bridged to the bridge device, then local)"
setnf 0 1; flush; ping1 h1 fd00::1; show
echo "== D0. the same with 0"
setnf 0 0; flush; ping1 h1 fd00::1; show

echo "== E. forwarding=1, ip6tables=1: h1 pings h3 fd01::10 (bridged in, routed out of wan)"
X hub sysctl -qw net.ipv6.conf.all.forwarding=1
setnf 0 1; flush; ping1 h1 fd01::10; show
echo "== E0. the same with 0"
setnf 0 0; flush; ping1 h1 fd01::10; show
X hub sysctl -qw net.ipv6.conf.all.forwarding=0

X hub nft flush ruleset
echo "== F. the Docker case: inet forward policy drop + 'ct state established,related accept' (ip6tables=1)"
X hub nft -f - <<'EOF'
table inet f {
  chain forward {
    type filter hook forward priority 0; policy drop;
    ct state established,related counter accept
    counter
  }
}
EOF
setnf 0 1; flush; ping1 h1 fd00::12; ping1 h2 fd00::11
echo "  h1's IPv6 neighbours:"; X h1 ip -6 neigh show | sed 's/^/    /'
X hub nft list table inet f | grep counter | sed 's/^\s*/    /'
echo "== F1. + 'iifname \"br0\" ip6 saddr fd00::11 accept' (only h1's packets): NA/NS from h2 still dropped?"
X hub nft add rule inet f forward position 0 iifname br0 ip6 saddr fd00::11 counter accept 2>/dev/null || X hub nft insert rule inet f forward iifname br0 ip6 saddr fd00::11 counter accept
setnf 0 1; flush; ping1 h1 fd00::12; ping1 h2 fd00::11
echo "== F2. + 'icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept': ND passes"
X hub nft insert rule inet f forward icmpv6 type '{ nd-neighbor-solicit, nd-neighbor-advert }' counter accept
setnf 0 1; flush; ping1 h1 fd00::12; ping1 h2 fd00::11
X hub nft list table inet f | grep counter | sed 's/^\s*/    /'
echo "== F3. the same ruleset with ip6tables=0 (iptables=1): both reach"
setnf 1 0; flush; ping1 h1 fd00::12; ping1 h2 fd00::11
echo "== F4. a FORWARD policy drop, 'iifname br0 oifname br0 accept' (Docker's fix): ip6tables=1"
X hub nft flush ruleset
printf 'table inet f {\n chain forward {\n  type filter hook forward priority 0; policy drop;\n  iifname "br0" oifname "br0" accept\n }\n}\n' | X hub nft -f -
setnf 0 1; flush; ping1 h1 fd00::12; tcp1 h1 fd00::12 80

echo "== G. family: 'table ip' forward policy drop, ip6tables=1 iptables=1: IPv6 not filtered"
X hub nft flush ruleset
printf 'table ip g {\n chain c {\n  type filter hook forward priority 0; policy drop;\n }\n}\n' | X hub nft -f -
setnf 1 1; flush; ping1 h1 fd00::12
echo "== G2. 'table ip6' forward policy drop, iptables=1 ip6tables=0: IPv6 not filtered"
X hub nft flush ruleset
printf 'table ip6 g {\n chain c {\n  type filter hook forward priority 0; policy drop;\n }\n}\n' | X hub nft -f -
setnf 1 0; flush; ping1 h1 fd00::12
echo "   and ip6tables=1: filtered"
setnf 0 1; flush; ping1 h1 fd00::12

echo "== H. prerouting 'iifname \"p1\" drop' vs 'iifname \"br0\" ip6 saddr fd00::11 drop' (ip6tables=1)"
for r in 'iifname "p1" drop' 'iifname "br0" ip6 saddr fd00::11 drop'; do
  X hub nft flush ruleset
  printf 'table ip6 g {\n chain c {\n  type filter hook prerouting priority 0; policy accept;\n  %s\n }\n}\n' "$r" | X hub nft -f -
  setnf 0 1; flush; echo "  rule: $r"; ping1 h1 fd00::12; ping1 h1 fd00::1
done
echo "== H2. postrouting 'iifname \"br0\" drop' (POSTROUTING has no input device) vs 'oifname \"br0\" ip6 daddr fd00::12 drop'"
for r in 'iifname "br0" drop' 'oifname "br0" ip6 daddr fd00::12 drop'; do
  X hub nft flush ruleset
  printf 'table ip6 g {\n chain c {\n  type filter hook postrouting priority 0; policy accept;\n  %s\n }\n}\n' "$r" | X hub nft -f -
  setnf 0 1; flush; echo "  rule: $r"; ping1 h1 fd00::12; ping1 h2 fd00::11
done

echo "== I. multicast snooping under a forward policy drop (ip6tables=1): does br0 still learn h2's group?"
X hub nft flush ruleset
printf 'table inet f {\n chain forward {\n  type filter hook forward priority 0; policy drop;\n }\n}\n' | X hub nft -f -
setnf 0 1
X h2 ip -6 addr add fd00::22/64 dev eth0; sleep 2.5
echo "  br0 mdb:"; X hub bridge mdb show dev br0 | sed 's/^/    /'
echo "   h2's fd00::22: $(X h2 ip -6 addr show dev eth0 | grep -o 'fd00::22.*' | sed 's/valid_lft.*//')"
echo "  and with a prerouting drop of ICMPv6 from h2's port (ip6 saddr fd00::/16 and :: both) for a new address fd00::23:"
X hub nft flush ruleset
printf 'table inet f {\n chain c {\n  type filter hook prerouting priority 0; policy accept;\n  meta l4proto ipv6-icmp drop\n }\n}\n' | X hub nft -f -
X hub bridge mdb show dev br0 | grep -c ff02::1:ff00:23 | sed 's/^/   mdb entries for ff02::1:ff00:23 before: /'
X h2 ip -6 addr add fd00::23/64 dev eth0; sleep 2.5
X hub bridge mdb show dev br0 | grep -c ff02::1:ff00:23 | sed 's/^/   mdb entries for ff02::1:ff00:23 after: /'
echo done
