#!/bin/bash
# br_netfilter: which ip/inet hooks see a bridged IPv4 (and IPv6) packet, and with which devices.
# Run in a sandbox: /work/shared/tools/sandbox.sh bash br_netfilter.sh > br_netfilter.out 2>&1
# (net.bridge.* exists in a namespace only while the br_netfilter module is loaded.)
#
#   h1 (192.0.2.11, fd00::11) --veth-- p1 [br0 192.0.2.1 fd00::1] p2 --veth-- h2 (192.0.2.12, fd00::12)
#                                       hub: wan (198.51.100.1) --veth-- h3 (198.51.100.10)
set -u
X() { local n=$1; shift; ip netns exec "$n" "$@"; }
for n in hub h1 h2 h3; do ip netns add $n; X $n ip link set lo up; done
echo "== a new namespace's br_netfilter switches (module loaded):"
for k in iptables ip6tables arptables; do echo "  bridge-nf-call-$k=$(X hub cat /proc/sys/net/bridge/bridge-nf-call-$k)"; done
for n in h1 h2 h3; do for k in iptables ip6tables arptables; do X $n sysctl -qw net.bridge.bridge-nf-call-$k=0; done; done
X hub ip link add br0 type bridge
ip -n hub link add p1 type veth peer name eth0 netns h1
ip -n hub link add p2 type veth peer name eth0 netns h2
ip -n hub link add wan type veth peer name eth0 netns h3
for p in p1 p2; do X hub ip link set $p master br0; X hub ip link set $p up; done
X hub ip link set br0 up; X hub ip link set wan up
X hub ip addr add 192.0.2.1/24 dev br0
X hub ip -6 addr add fd00::1/64 dev br0 nodad
X hub ip addr add 198.51.100.1/24 dev wan
i=11; for n in h1 h2; do
  X $n ip addr add 192.0.2.$i/24 dev eth0; X $n ip -6 addr add fd00::$i/64 dev eth0 nodad
  X $n ip link set eth0 up; X $n ip route add default via 192.0.2.1; i=$((i + 1))
done
X h3 ip addr add 198.51.100.10/24 dev eth0; X h3 ip link set eth0 up; X h3 ip route add default via 198.51.100.1
sleep 1

# the probe table: in every hook, one counter per device name and conntrack state it may read, for one
# family only ($1: ipv4 or ipv6; the other family's own traffic of hub, MLD and ND, would blur the counts)
rules() {
  echo "meta nfproto $1 counter comment \"all\""
  for d in p1 p2 br0 wan lo; do echo "meta nfproto $1 iifname \"$d\" counter"; done
  for d in p1 p2 br0 wan lo; do echo "meta nfproto $1 oifname \"$d\" counter"; done
  echo "meta nfproto $1 iif \"br0\" counter"; echo "meta nfproto $1 iif \"p1\" counter"
  echo "meta nfproto $1 oif \"br0\" counter"; echo "meta nfproto $1 oif \"p2\" counter"
  for s in new established invalid untracked; do echo "meta nfproto $1 ct state $s counter"; done
}
for fam in ipv4 ipv6; do
  {
    echo "table inet m {"
    for h in prerouting input forward output postrouting; do
      echo "  chain $h { type filter hook $h priority 0; policy accept;"
      rules $fam | sed 's/^/    /'
      echo "  }"
    done
    echo "}"
  } > /tmp/brnf-m-$fam.nft
done
M=/tmp/brnf-m-ipv4.nft
X hub nft -f $M
show() { # the counters that counted, per chain (all minus the named ones: no device, "")
  X hub nft list table inet m | awk '/chain /{c=$2} /counter packets [1-9]/{sub(/^[ \t]+/,""); sub(/ bytes.*/,""); sub(/meta nfproto ipv[46] /,""); print "    " c ": " $0}'
  X hub nft delete table inet m; X hub nft -f $M  # (nft 1.0.6 resets no rule counters)
}
ping1() { if X "$1" ping -c1 -W1 -q "$2" >/dev/null 2>&1; then echo "  ping $1 -> $2: reach"; else echo "  ping $1 -> $2: NO reach"; fi; }
setnf() { X hub sysctl -qw net.bridge.bridge-nf-call-iptables="$1" net.bridge.bridge-nf-call-ip6tables="$2" net.bridge.bridge-nf-call-arptables=0; }
flush() { for n in hub h1 h2 h3; do X $n ip neigh flush all; done; X hub conntrack -F 2>/dev/null; }

echo "== A. bridge-nf-call-iptables=1 in hub (ip_forward=0), h1 pings h2 (bridged): hooks and devices"
setnf 1 0; flush
ping1 h1 192.0.2.12; show
echo "  (conntrack in hub after it:)"; X hub cat /proc/net/nf_conntrack | sed 's/^/    /'

echo "== B. bridge-nf-call-iptables=0 in hub (1 in h1 and h2): h1 pings h2"
setnf 0 0; for n in h1 h2; do X $n sysctl -qw net.bridge.bridge-nf-call-iptables=1; done; flush
ping1 h1 192.0.2.12; show
for n in h1 h2; do X $n sysctl -qw net.bridge.bridge-nf-call-iptables=0; done

echo "== C. bridge-nf-call-iptables=1: h1 pings hub's own br0 address 192.0.2.1"
setnf 1 0; flush
ping1 h1 192.0.2.1; show
echo "== C0. the same with bridge-nf-call-iptables=0"
setnf 0 0; flush
ping1 h1 192.0.2.1; show

echo "== D. bridge-nf-call-iptables=1, ip_forward=1: h1 pings h3 (bridged in, routed out of 'wan')"
X hub sysctl -qw net.ipv4.ip_forward=1
setnf 1 0; flush
ping1 h1 198.51.100.10; show
echo "== D'. h3 pings h1 (routed in from 'wan', out of br0 to p1)"
flush; ping1 h3 192.0.2.11; show
echo "== D0. the same two with bridge-nf-call-iptables=0"
setnf 0 0; flush; ping1 h1 198.51.100.10; show; flush; ping1 h3 192.0.2.11; show

echo "== E. hub pings h1 (locally made, out of br0), nf=1"
setnf 1 0; flush; ping1 hub 192.0.2.11; show

X hub nft flush ruleset
echo "== F. stateful forward: policy drop, 'ct state established accept', 'iifname br0 ip saddr 192.0.2.11 accept'; nf=1"
X hub nft -f - <<'EOF'
table inet f {
  chain forward {
    type filter hook forward priority 0; policy drop;
    ct state established counter accept
    iifname "br0" ip saddr 192.0.2.11 counter accept
    counter
  }
}
EOF
setnf 1 0; flush
ping1 h1 192.0.2.12; ping1 h2 192.0.2.11
echo "  (h1's neighbours: ARP is not dropped by the forward policy)"; X h1 ip -4 neigh show | sed 's/^/    /'
X hub nft list table inet f | grep counter | sed 's/^\s*/    /'
echo "== F0. the same with bridge-nf-call-iptables=0"
setnf 0 0; flush; ping1 h1 192.0.2.12; ping1 h2 192.0.2.11

X hub nft flush ruleset
echo "== G. forward chain 'iifname \"p1\" drop' vs 'oifname \"p2\" drop' vs 'iifname \"br0\" oifname \"br0\" drop' (nf=1)"
for r in 'iifname "p1" drop' 'oifname "p2" drop' 'iif "br0" oif "br0" drop' 'meta iifname "br0" ip daddr 192.0.2.12 drop'; do
  X hub nft flush ruleset
  printf 'table ip g {\n chain c {\n  type filter hook forward priority 0; policy accept;\n  %s\n }\n}\n' "$r" | X hub nft -f -
  setnf 1 0; flush; echo "  rule: $r"; ping1 h1 192.0.2.12
done
X hub nft flush ruleset
echo "== G2. prerouting 'iifname \"p1\" drop' vs 'iifname \"br0\" ip saddr 192.0.2.11 drop' (nf=1): h1 -> h2 and h1 -> hub"
for r in 'iifname "p1" drop' 'iifname "br0" ip saddr 192.0.2.11 drop'; do
  X hub nft flush ruleset
  printf 'table ip g {\n chain c {\n  type filter hook prerouting priority 0; policy accept;\n  %s\n }\n}\n' "$r" | X hub nft -f -
  setnf 1 0; flush; echo "  rule: $r"; ping1 h1 192.0.2.12; ping1 h1 192.0.2.1
done
X hub nft flush ruleset
echo "== H. postrouting drop of bridged packets, and an output-hook rule: 'oifname br0 ip daddr 192.0.2.12 drop' in postrouting (nf=1)"
printf 'table ip g {\n chain c {\n  type filter hook postrouting priority 0; policy accept;\n  oifname "br0" ip daddr 192.0.2.12 drop\n }\n}\n' | X hub nft -f -
setnf 1 0; flush; ping1 h1 192.0.2.12; ping1 h2 192.0.2.11
echo "  nf=0:"; setnf 0 0; flush; ping1 h1 192.0.2.12

X hub nft flush ruleset
echo "== I. an ip table only (no inet), forward policy drop, nf=1: bridged h1 -> h2"
printf 'table ip g {\n chain c {\n  type filter hook forward priority 0; policy drop;\n }\n}\n' | X hub nft -f -
setnf 1 0; flush; ping1 h1 192.0.2.12
echo "  with a bridge vlan_filtering 1 (untagged ports, PVID 1):"
if X hub ip link set br0 type bridge vlan_filtering 1; then flush; ping1 h1 192.0.2.12; X hub ip link set br0 type bridge vlan_filtering 0
else echo "  (this kernel has no CONFIG_BRIDGE_VLAN_FILTERING)"; fi

X hub nft flush ruleset
M=/tmp/brnf-m-ipv6.nft; X hub nft -f $M
echo "== J. IPv6: bridge-nf-call-ip6tables=1 (iptables=0), h1 pings h2 fd00::12: hooks (ND included)"
setnf 0 1; flush; ping1 h1 fd00::12; show
echo "== J0. bridge-nf-call-ip6tables=0"
setnf 0 0; flush; ping1 h1 fd00::12; show
X hub nft flush ruleset
echo "== J1. ip6tables=1 with an inet forward chain 'policy drop; ct state established accept; ip6 saddr fd00::11 accept'"
X hub nft -f - <<'EOF'
table inet f {
  chain forward {
    type filter hook forward priority 0; policy drop;
    ct state established counter accept
    ip6 saddr fd00::11 counter accept
    counter
  }
}
EOF
setnf 0 1; flush; ping1 h1 fd00::12; ping1 h2 fd00::11
X hub nft list table inet f | grep counter | sed 's/^\s*/    /'
echo "  h2's IPv6 neighbours:"; X h2 ip -6 neigh show | sed 's/^/    /'
echo "== K. arptables=1 with no arp table: nothing changes (h1 -> h2 with iptables=0)"
X hub nft flush ruleset; X hub sysctl -qw net.bridge.bridge-nf-call-arptables=1 net.bridge.bridge-nf-call-iptables=0
flush; ping1 h1 192.0.2.12
echo "== L. after a prerouting drop of h1's only frames, does br0's FDB know h1's MAC? (IPv6 off in h1: no ND/MLD; a static neighbour: no ARP)"
X h1 sysctl -qw net.ipv6.conf.eth0.disable_ipv6=1
setnf 1 0
X hub nft flush ruleset
printf 'table ip g {\n chain c {\n  type filter hook prerouting priority 0; policy accept;\n  ip saddr 192.0.2.11 drop\n }\n}\n' | X hub nft -f -
flush; X hub ip link set dev p1 type bridge_slave fdb_flush; X hub ip link set dev p2 type bridge_slave fdb_flush
X h1 ip neigh replace 192.0.2.12 lladdr "$(X h2 cat /sys/class/net/eth0/address)" dev eth0 nud permanent
ping1 h1 192.0.2.12
echo "  h1's MAC $(X h1 cat /sys/class/net/eth0/address); br0 FDB dynamic entries:"; X hub bridge fdb show br br0 | grep -v permanent | sed 's/^/    /'
X h1 ip neigh del 192.0.2.12 dev eth0

echo "  and without the drop:"
X hub nft flush ruleset; flush; X hub ip link set dev p1 type bridge_slave fdb_flush; X hub ip link set dev p2 type bridge_slave fdb_flush; X h1 ip neigh replace 192.0.2.12 lladdr "$(X h2 cat /sys/class/net/eth0/address)" dev eth0 nud permanent
ping1 h1 192.0.2.12; X hub bridge fdb show br br0 | grep -v permanent | sed 's/^/    /'
echo done
