#!/bin/sh
# lab parent, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down parent`)
set -e
ip netns add parent-lan
ip netns exec parent-lan sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec parent-lan sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n parent-lan link set lo alias vnetlab:parent:lan
ip netns add parent-hb
ip netns exec parent-hb sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec parent-hb sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n parent-hb link set lo alias vnetlab:parent:hb
ip netns add parent-hbc
ip netns exec parent-hbc sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec parent-hbc sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n parent-hbc link set lo alias vnetlab:parent:hbc
ip netns add parent-hh
ip netns exec parent-hh sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec parent-hh sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n parent-hh link set lo alias vnetlab:parent:hh
ip netns add parent-hhb
ip netns exec parent-hhb sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec parent-hhb sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n parent-hhb link set lo alias vnetlab:parent:hhb
ip netns add parent-hp
ip netns exec parent-hp sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec parent-hp sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n parent-hp link set lo alias vnetlab:parent:hp
ip netns add parent-hpc
ip netns exec parent-hpc sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec parent-hpc sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n parent-hpc link set lo alias vnetlab:parent:hpc
ip -n parent-lan -batch - <<'EOF'
link add name sw address 0a:26:e3:f9:39:1c type bridge stp_state 0
EOF
ip -n parent-hb -batch - <<'EOF'
link add name eth0 address 3e:b8:4d:a8:db:c4 type veth peer name p0 address 02:ba:6e:b8:07:6d netns parent-lan
link add name mv0 link eth0 address a2:21:96:bd:b9:b2 netns parent-hbc type macvlan mode bridge
EOF
ip -n parent-hh -batch - <<'EOF'
link add name eth0 address 3e:a6:5d:63:5e:b6 type veth peer name p1 address 82:1b:c8:4d:c9:5d netns parent-lan
link add name mv0 link eth0 address be:7f:6a:c2:1e:45 netns parent-hhb type macvlan mode bridge
EOF
ip -n parent-hp -batch - <<'EOF'
link add name eth0 address e6:b3:a1:71:11:24 type veth peer name p2 address 46:fe:39:64:fc:5e netns parent-lan
link add name mv0 link eth0 address 12:22:df:dd:00:62 netns parent-hpc type macvlan mode private
EOF
ip -n parent-lan -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
link set dev p1 type bridge_slave hairpin on
link set dev p2 master sw
link set dev p2 type bridge_slave hairpin on
EOF
ip -n parent-hb -batch - <<'EOF'
address add 198.51.100.10/24 dev eth0
EOF
ip -n parent-hbc -batch - <<'EOF'
address add 198.51.100.11/24 dev mv0
EOF
ip -n parent-hh -batch - <<'EOF'
address add 198.51.100.20/24 dev eth0
EOF
ip -n parent-hhb -batch - <<'EOF'
address add 198.51.100.21/24 dev mv0
EOF
ip -n parent-hp -batch - <<'EOF'
address add 198.51.100.30/24 dev eth0
EOF
ip -n parent-hpc -batch - <<'EOF'
address add 198.51.100.31/24 dev mv0
EOF
ip -n parent-lan -batch - <<'EOF'
link set dev sw up
EOF
ip -n parent-hb -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n parent-lan -batch - <<'EOF'
link set dev p0 up
EOF
ip -n parent-hbc -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n parent-hh -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n parent-lan -batch - <<'EOF'
link set dev p1 up
EOF
ip -n parent-hhb -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n parent-hp -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n parent-lan -batch - <<'EOF'
link set dev p2 up
EOF
ip -n parent-hpc -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n parent-lan -batch - <<'EOF'
link set dev lo up
EOF
ip -n parent-hb -batch - <<'EOF'
link set dev lo up
EOF
ip -n parent-hbc -batch - <<'EOF'
link set dev lo up
EOF
ip -n parent-hh -batch - <<'EOF'
link set dev lo up
EOF
ip -n parent-hhb -batch - <<'EOF'
link set dev lo up
EOF
ip -n parent-hp -batch - <<'EOF'
link set dev lo up
EOF
ip -n parent-hpc -batch - <<'EOF'
link set dev lo up
EOF
