#!/bin/sh
# lab ipvlanflags, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down ipvlanflags`)
set -e
ip netns add ipvlanflags-lan
ip netns exec ipvlanflags-lan sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec ipvlanflags-lan sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n ipvlanflags-lan link set lo alias vnetlab:ipvlanflags:lan
ip netns add ipvlanflags-hp
ip netns exec ipvlanflags-hp sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec ipvlanflags-hp sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n ipvlanflags-hp link set lo alias vnetlab:ipvlanflags:hp
ip netns add ipvlanflags-peer-lan
ip netns exec ipvlanflags-peer-lan sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec ipvlanflags-peer-lan sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n ipvlanflags-peer-lan link set lo alias vnetlab:ipvlanflags:peer-lan
ip netns add ipvlanflags-br-lan
ip netns exec ipvlanflags-br-lan sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec ipvlanflags-br-lan sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n ipvlanflags-br-lan link set lo alias vnetlab:ipvlanflags:br-lan
ip netns add ipvlanflags-br-lan-1
ip netns exec ipvlanflags-br-lan-1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec ipvlanflags-br-lan-1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n ipvlanflags-br-lan-1 link set lo alias vnetlab:ipvlanflags:br-lan-1
ip netns add ipvlanflags-br-lan-2
ip netns exec ipvlanflags-br-lan-2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec ipvlanflags-br-lan-2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n ipvlanflags-br-lan-2 link set lo alias vnetlab:ipvlanflags:br-lan-2
ip netns add ipvlanflags-pv-lan
ip netns exec ipvlanflags-pv-lan sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec ipvlanflags-pv-lan sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n ipvlanflags-pv-lan link set lo alias vnetlab:ipvlanflags:pv-lan
ip netns add ipvlanflags-pv-lan-1
ip netns exec ipvlanflags-pv-lan-1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec ipvlanflags-pv-lan-1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n ipvlanflags-pv-lan-1 link set lo alias vnetlab:ipvlanflags:pv-lan-1
ip netns add ipvlanflags-pv-lan-2
ip netns exec ipvlanflags-pv-lan-2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec ipvlanflags-pv-lan-2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n ipvlanflags-pv-lan-2 link set lo alias vnetlab:ipvlanflags:pv-lan-2
ip netns add ipvlanflags-ve-lan
ip netns exec ipvlanflags-ve-lan sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec ipvlanflags-ve-lan sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n ipvlanflags-ve-lan link set lo alias vnetlab:ipvlanflags:ve-lan
ip netns add ipvlanflags-ve-lan-1
ip netns exec ipvlanflags-ve-lan-1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec ipvlanflags-ve-lan-1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n ipvlanflags-ve-lan-1 link set lo alias vnetlab:ipvlanflags:ve-lan-1
ip netns add ipvlanflags-ve-lan-2
ip netns exec ipvlanflags-ve-lan-2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec ipvlanflags-ve-lan-2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n ipvlanflags-ve-lan-2 link set lo alias vnetlab:ipvlanflags:ve-lan-2
ip netns add ipvlanflags-peer-hp
ip netns exec ipvlanflags-peer-hp sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec ipvlanflags-peer-hp sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n ipvlanflags-peer-hp link set lo alias vnetlab:ipvlanflags:peer-hp
ip netns add ipvlanflags-br-hp
ip netns exec ipvlanflags-br-hp sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec ipvlanflags-br-hp sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n ipvlanflags-br-hp link set lo alias vnetlab:ipvlanflags:br-hp
ip netns add ipvlanflags-br-hp-1
ip netns exec ipvlanflags-br-hp-1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec ipvlanflags-br-hp-1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n ipvlanflags-br-hp-1 link set lo alias vnetlab:ipvlanflags:br-hp-1
ip netns add ipvlanflags-br-hp-2
ip netns exec ipvlanflags-br-hp-2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec ipvlanflags-br-hp-2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n ipvlanflags-br-hp-2 link set lo alias vnetlab:ipvlanflags:br-hp-2
ip netns add ipvlanflags-pv-hp
ip netns exec ipvlanflags-pv-hp sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec ipvlanflags-pv-hp sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n ipvlanflags-pv-hp link set lo alias vnetlab:ipvlanflags:pv-hp
ip netns add ipvlanflags-pv-hp-1
ip netns exec ipvlanflags-pv-hp-1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec ipvlanflags-pv-hp-1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n ipvlanflags-pv-hp-1 link set lo alias vnetlab:ipvlanflags:pv-hp-1
ip netns add ipvlanflags-pv-hp-2
ip netns exec ipvlanflags-pv-hp-2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec ipvlanflags-pv-hp-2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n ipvlanflags-pv-hp-2 link set lo alias vnetlab:ipvlanflags:pv-hp-2
ip netns add ipvlanflags-ve-hp
ip netns exec ipvlanflags-ve-hp sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec ipvlanflags-ve-hp sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n ipvlanflags-ve-hp link set lo alias vnetlab:ipvlanflags:ve-hp
ip netns add ipvlanflags-ve-hp-1
ip netns exec ipvlanflags-ve-hp-1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec ipvlanflags-ve-hp-1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n ipvlanflags-ve-hp-1 link set lo alias vnetlab:ipvlanflags:ve-hp-1
ip netns add ipvlanflags-ve-hp-2
ip netns exec ipvlanflags-ve-hp-2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec ipvlanflags-ve-hp-2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n ipvlanflags-ve-hp-2 link set lo alias vnetlab:ipvlanflags:ve-hp-2
ip netns add ipvlanflags-l3s
ip netns exec ipvlanflags-l3s sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec ipvlanflags-l3s sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n ipvlanflags-l3s link set lo alias vnetlab:ipvlanflags:l3s
ip netns add ipvlanflags-l3s-1
ip netns exec ipvlanflags-l3s-1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec ipvlanflags-l3s-1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n ipvlanflags-l3s-1 link set lo alias vnetlab:ipvlanflags:l3s-1
ip netns add ipvlanflags-l3s-2
ip netns exec ipvlanflags-l3s-2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec ipvlanflags-l3s-2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n ipvlanflags-l3s-2 link set lo alias vnetlab:ipvlanflags:l3s-2
ip -n ipvlanflags-lan -batch - <<'EOF'
link add name sw address 8e:1f:1f:02:81:3d type bridge stp_state 0
EOF
ip -n ipvlanflags-hp -batch - <<'EOF'
link add name sw address 4e:a8:02:38:23:18 type bridge stp_state 0
EOF
ip -n ipvlanflags-peer-lan -batch - <<'EOF'
link add name eth0 address 52:ec:30:85:77:63 type veth peer name p0 address aa:e7:49:d5:5a:96 netns ipvlanflags-lan
EOF
ip -n ipvlanflags-br-lan -batch - <<'EOF'
link add name eth0 address 96:c7:a9:6c:16:78 type veth peer name p1 address aa:70:87:72:17:2e netns ipvlanflags-lan
link add name ipv0 link eth0 netns ipvlanflags-br-lan-1 type ipvlan mode l2 bridge
link add name ipv0 link eth0 netns ipvlanflags-br-lan-2 type ipvlan mode l2 bridge
EOF
ip -n ipvlanflags-pv-lan -batch - <<'EOF'
link add name eth0 address 4a:2c:eb:de:b9:ae type veth peer name p2 address d6:2f:17:25:6f:59 netns ipvlanflags-lan
link add name ipv0 link eth0 netns ipvlanflags-pv-lan-1 type ipvlan mode l2 private
link add name ipv0 link eth0 netns ipvlanflags-pv-lan-2 type ipvlan mode l2 private
EOF
ip -n ipvlanflags-ve-lan -batch - <<'EOF'
link add name eth0 address f2:08:d9:bb:df:3c type veth peer name p3 address 0a:8b:eb:24:38:f8 netns ipvlanflags-lan
link add name ipv0 link eth0 netns ipvlanflags-ve-lan-1 type ipvlan mode l2 vepa
link add name ipv0 link eth0 netns ipvlanflags-ve-lan-2 type ipvlan mode l2 vepa
EOF
ip -n ipvlanflags-peer-hp -batch - <<'EOF'
link add name eth0 address 56:cd:14:f7:b5:ad type veth peer name p0 address 86:4c:93:f8:cf:4f netns ipvlanflags-hp
EOF
ip -n ipvlanflags-br-hp -batch - <<'EOF'
link add name eth0 address d2:8b:e2:64:36:40 type veth peer name p1 address c6:b5:04:50:1b:26 netns ipvlanflags-hp
link add name ipv0 link eth0 netns ipvlanflags-br-hp-1 type ipvlan mode l2 bridge
link add name ipv0 link eth0 netns ipvlanflags-br-hp-2 type ipvlan mode l2 bridge
EOF
ip -n ipvlanflags-pv-hp -batch - <<'EOF'
link add name eth0 address 22:38:21:04:f8:96 type veth peer name p2 address 6e:e6:92:56:cc:4a netns ipvlanflags-hp
link add name ipv0 link eth0 netns ipvlanflags-pv-hp-1 type ipvlan mode l2 private
link add name ipv0 link eth0 netns ipvlanflags-pv-hp-2 type ipvlan mode l2 private
EOF
ip -n ipvlanflags-ve-hp -batch - <<'EOF'
link add name eth0 address 5a:cf:a7:f8:20:8b type veth peer name p3 address b6:dc:bb:98:5e:41 netns ipvlanflags-hp
link add name ipv0 link eth0 netns ipvlanflags-ve-hp-1 type ipvlan mode l2 vepa
link add name ipv0 link eth0 netns ipvlanflags-ve-hp-2 type ipvlan mode l2 vepa
EOF
ip -n ipvlanflags-l3s -batch - <<'EOF'
link add name eth0 address fe:88:ee:43:d9:90 type veth peer name p4 address 92:08:e7:fb:0a:34 netns ipvlanflags-lan
link add name ipv0 link eth0 netns ipvlanflags-l3s-1 type ipvlan mode l3s bridge
link add name ipv0 link eth0 netns ipvlanflags-l3s-2 type ipvlan mode l3s bridge
EOF
ip -n ipvlanflags-lan -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
link set dev p2 master sw
link set dev p3 master sw
link set dev p4 master sw
EOF
ip -n ipvlanflags-hp -batch - <<'EOF'
link set dev p0 master sw
link set dev p0 type bridge_slave hairpin on
link set dev p1 master sw
link set dev p1 type bridge_slave hairpin on
link set dev p2 master sw
link set dev p2 type bridge_slave hairpin on
link set dev p3 master sw
link set dev p3 type bridge_slave hairpin on
EOF
ip -n ipvlanflags-peer-lan -batch - <<'EOF'
address add 198.18.0.100/24 dev eth0
EOF
ip -n ipvlanflags-br-lan -batch - <<'EOF'
address add 198.18.0.10/24 dev eth0
EOF
ip -n ipvlanflags-br-lan-1 -batch - <<'EOF'
address add 198.18.0.11/24 dev ipv0
EOF
ip -n ipvlanflags-br-lan-2 -batch - <<'EOF'
address add 198.18.0.12/24 dev ipv0
EOF
ip -n ipvlanflags-pv-lan -batch - <<'EOF'
address add 198.18.0.20/24 dev eth0
EOF
ip -n ipvlanflags-pv-lan-1 -batch - <<'EOF'
address add 198.18.0.21/24 dev ipv0
EOF
ip -n ipvlanflags-pv-lan-2 -batch - <<'EOF'
address add 198.18.0.22/24 dev ipv0
EOF
ip -n ipvlanflags-ve-lan -batch - <<'EOF'
address add 198.18.0.30/24 dev eth0
EOF
ip -n ipvlanflags-ve-lan-1 -batch - <<'EOF'
address add 198.18.0.31/24 dev ipv0
EOF
ip -n ipvlanflags-ve-lan-2 -batch - <<'EOF'
address add 198.18.0.32/24 dev ipv0
EOF
ip -n ipvlanflags-peer-hp -batch - <<'EOF'
address add 198.18.1.100/24 dev eth0
EOF
ip -n ipvlanflags-br-hp -batch - <<'EOF'
address add 198.18.1.10/24 dev eth0
EOF
ip -n ipvlanflags-br-hp-1 -batch - <<'EOF'
address add 198.18.1.11/24 dev ipv0
EOF
ip -n ipvlanflags-br-hp-2 -batch - <<'EOF'
address add 198.18.1.12/24 dev ipv0
EOF
ip -n ipvlanflags-pv-hp -batch - <<'EOF'
address add 198.18.1.20/24 dev eth0
EOF
ip -n ipvlanflags-pv-hp-1 -batch - <<'EOF'
address add 198.18.1.21/24 dev ipv0
EOF
ip -n ipvlanflags-pv-hp-2 -batch - <<'EOF'
address add 198.18.1.22/24 dev ipv0
EOF
ip -n ipvlanflags-ve-hp -batch - <<'EOF'
address add 198.18.1.30/24 dev eth0
EOF
ip -n ipvlanflags-ve-hp-1 -batch - <<'EOF'
address add 198.18.1.31/24 dev ipv0
EOF
ip -n ipvlanflags-ve-hp-2 -batch - <<'EOF'
address add 198.18.1.32/24 dev ipv0
EOF
ip -n ipvlanflags-l3s -batch - <<'EOF'
address add 198.18.0.70/24 dev eth0
EOF
ip -n ipvlanflags-l3s-1 -batch - <<'EOF'
address add 198.18.7.1/24 dev ipv0
EOF
ip -n ipvlanflags-l3s-2 -batch - <<'EOF'
address add 198.18.7.2/24 dev ipv0
EOF
ip -n ipvlanflags-lan -batch - <<'EOF'
link set dev sw up
EOF
ip -n ipvlanflags-hp -batch - <<'EOF'
link set dev sw up
EOF
ip -n ipvlanflags-peer-lan -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n ipvlanflags-lan -batch - <<'EOF'
link set dev p0 up
EOF
ip -n ipvlanflags-br-lan -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n ipvlanflags-lan -batch - <<'EOF'
link set dev p1 up
EOF
ip -n ipvlanflags-br-lan-1 -batch - <<'EOF'
link set dev ipv0 up
EOF
ip -n ipvlanflags-br-lan-2 -batch - <<'EOF'
link set dev ipv0 up
EOF
ip -n ipvlanflags-pv-lan -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n ipvlanflags-lan -batch - <<'EOF'
link set dev p2 up
EOF
ip -n ipvlanflags-pv-lan-1 -batch - <<'EOF'
link set dev ipv0 up
EOF
ip -n ipvlanflags-pv-lan-2 -batch - <<'EOF'
link set dev ipv0 up
EOF
ip -n ipvlanflags-ve-lan -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n ipvlanflags-lan -batch - <<'EOF'
link set dev p3 up
EOF
ip -n ipvlanflags-ve-lan-1 -batch - <<'EOF'
link set dev ipv0 up
EOF
ip -n ipvlanflags-ve-lan-2 -batch - <<'EOF'
link set dev ipv0 up
EOF
ip -n ipvlanflags-peer-hp -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n ipvlanflags-hp -batch - <<'EOF'
link set dev p0 up
EOF
ip -n ipvlanflags-br-hp -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n ipvlanflags-hp -batch - <<'EOF'
link set dev p1 up
EOF
ip -n ipvlanflags-br-hp-1 -batch - <<'EOF'
link set dev ipv0 up
EOF
ip -n ipvlanflags-br-hp-2 -batch - <<'EOF'
link set dev ipv0 up
EOF
ip -n ipvlanflags-pv-hp -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n ipvlanflags-hp -batch - <<'EOF'
link set dev p2 up
EOF
ip -n ipvlanflags-pv-hp-1 -batch - <<'EOF'
link set dev ipv0 up
EOF
ip -n ipvlanflags-pv-hp-2 -batch - <<'EOF'
link set dev ipv0 up
EOF
ip -n ipvlanflags-ve-hp -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n ipvlanflags-hp -batch - <<'EOF'
link set dev p3 up
EOF
ip -n ipvlanflags-ve-hp-1 -batch - <<'EOF'
link set dev ipv0 up
EOF
ip -n ipvlanflags-ve-hp-2 -batch - <<'EOF'
link set dev ipv0 up
EOF
ip -n ipvlanflags-l3s -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n ipvlanflags-lan -batch - <<'EOF'
link set dev p4 up
EOF
ip -n ipvlanflags-l3s-1 -batch - <<'EOF'
link set dev ipv0 up
EOF
ip -n ipvlanflags-l3s-2 -batch - <<'EOF'
link set dev ipv0 up
EOF
ip -n ipvlanflags-lan -batch - <<'EOF'
link set dev lo up
EOF
ip -n ipvlanflags-hp -batch - <<'EOF'
link set dev lo up
EOF
ip -n ipvlanflags-peer-lan -batch - <<'EOF'
link set dev lo up
EOF
ip -n ipvlanflags-br-lan -batch - <<'EOF'
link set dev lo up
EOF
ip -n ipvlanflags-br-lan-1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n ipvlanflags-br-lan-2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n ipvlanflags-pv-lan -batch - <<'EOF'
link set dev lo up
EOF
ip -n ipvlanflags-pv-lan-1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n ipvlanflags-pv-lan-2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n ipvlanflags-ve-lan -batch - <<'EOF'
link set dev lo up
EOF
ip -n ipvlanflags-ve-lan-1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n ipvlanflags-ve-lan-2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n ipvlanflags-peer-hp -batch - <<'EOF'
link set dev lo up
EOF
ip -n ipvlanflags-br-hp -batch - <<'EOF'
link set dev lo up
EOF
ip -n ipvlanflags-br-hp-1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n ipvlanflags-br-hp-2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n ipvlanflags-pv-hp -batch - <<'EOF'
link set dev lo up
EOF
ip -n ipvlanflags-pv-hp-1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n ipvlanflags-pv-hp-2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n ipvlanflags-ve-hp -batch - <<'EOF'
link set dev lo up
EOF
ip -n ipvlanflags-ve-hp-1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n ipvlanflags-ve-hp-2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n ipvlanflags-l3s -batch - <<'EOF'
link set dev lo up
EOF
ip -n ipvlanflags-l3s-1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n ipvlanflags-l3s-2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n ipvlanflags-peer-lan -batch - <<'EOF'
route add 198.18.7.0/24 via 198.18.0.70 proto static
EOF
ip -n ipvlanflags-l3s-1 -batch - <<'EOF'
route add default dev ipv0 proto static
EOF
ip -n ipvlanflags-l3s-2 -batch - <<'EOF'
route add default dev ipv0 proto static
EOF
# wait (at most 4 s) for carrier and IPv6 DAD, as `vnetlab up` does; report addresses that failed DAD
vnetlab_now() { awk '{ printf "%d\n", $1 * 100 }' /proc/uptime; }
vnetlab_awk='$0 == "--" { addrs = 1; next }; !addrs { dev = $2; sub(/@.*/, "", dev); sub(/:$/, "", dev); name[$1] = dev; st = ""; for (k = 4; k < NF; k++) if ($k == "state") st = $(k + 1); up = $3 ~ /[<,]UP[,>]/; carrier = $3 ~ /[<,]LOWER_UP[,>]/ }; !addrs && up && carrier && (st == "DOWN" || st == "LOWERLAYERDOWN") { print "carrier not yet in effect on " dev }; !addrs && up && !carrier && (st == "UP" || st == "UNKNOWN") { print "carrier loss not yet in effect on " dev }; !addrs && up && carrier { ready[$1] = 1 }; addrs && ($1 in ready) { print "IPv6 address still tentative: " name[$1] " " $4 }'
vnetlab_busy() {
  { ip -n "$1" -o link show; echo --; ip -n "$1" -o -6 address show tentative -dadfailed 2>/dev/null; } | awk "$vnetlab_awk"
}
vnetlab_wait() {
  end=$(($(vnetlab_now) + 400))
  while :; do
    busy=
    for ns in "$@"; do
      left=$(vnetlab_busy "$ns")
      [ -z "$left" ] || { busy=$ns; break; }
    done
    [ -n "$busy" ] || break
    if [ "$(vnetlab_now)" -ge "$end" ]; then
      for ns in "$@"; do
        vnetlab_busy "$ns" | while read -r what; do
          printf '%s\n' "after the wait, in $ns: $what" >&2
        done
      done
      break
    fi
    sleep 0.05
  done
  for ns in "$@"; do
    ip -n "$ns" -o -6 address show dadfailed 2>/dev/null | while read -r _ dev _ addr _; do
      printf '%s\n' "IPv6 duplicate address detection failed: $ns/$dev $addr" >&2
    done
  done
}
vnetlab_wait ipvlanflags-lan ipvlanflags-hp ipvlanflags-peer-lan ipvlanflags-br-lan ipvlanflags-br-lan-1 ipvlanflags-br-lan-2 ipvlanflags-pv-lan ipvlanflags-pv-lan-1 ipvlanflags-pv-lan-2 ipvlanflags-ve-lan ipvlanflags-ve-lan-1 ipvlanflags-ve-lan-2 ipvlanflags-peer-hp ipvlanflags-br-hp ipvlanflags-br-hp-1 ipvlanflags-br-hp-2 ipvlanflags-pv-hp ipvlanflags-pv-hp-1 ipvlanflags-pv-hp-2 ipvlanflags-ve-hp ipvlanflags-ve-hp-1 ipvlanflags-ve-hp-2 ipvlanflags-l3s ipvlanflags-l3s-1 ipvlanflags-l3s-2
