#!/bin/sh
# lab mixed, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down mixed`)
set -e
ip netns add mixed-lan
ip netns exec mixed-lan sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mixed-lan sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mixed-lan link set lo alias vnetlab:mixed:lan
ip netns add mixed-host
ip netns exec mixed-host sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mixed-host sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mixed-host link set lo alias vnetlab:mixed:host
ip netns add mixed-br
ip netns exec mixed-br sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mixed-br sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mixed-br link set lo alias vnetlab:mixed:br
ip netns add mixed-ve
ip netns exec mixed-ve sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mixed-ve sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mixed-ve link set lo alias vnetlab:mixed:ve
ip netns add mixed-pr
ip netns exec mixed-pr sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mixed-pr sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mixed-pr link set lo alias vnetlab:mixed:pr
ip -n mixed-lan -batch - <<'EOF'
link add name sw address ea:07:9a:d8:06:e9 type bridge stp_state 0
EOF
ip -n mixed-host -batch - <<'EOF'
link add name eth0 address 56:b7:9f:17:1c:ac type veth peer name p0 address 6a:a3:21:ff:26:87 netns mixed-lan
link add name mv0 link eth0 address b6:52:13:6d:fa:d4 netns mixed-br type macvlan mode bridge
link add name mv0 link eth0 address 02:dc:7d:cd:b7:74 netns mixed-ve type macvlan mode vepa
link add name mv0 link eth0 address 86:29:a0:47:d8:cb netns mixed-pr type macvlan mode private
EOF
ip -n mixed-lan -batch - <<'EOF'
link set dev p0 master sw
link set dev p0 type bridge_slave hairpin on
EOF
ip -n mixed-br -batch - <<'EOF'
address add 198.51.100.11/24 dev mv0
EOF
ip -n mixed-ve -batch - <<'EOF'
address add 198.51.100.12/24 dev mv0
EOF
ip -n mixed-pr -batch - <<'EOF'
address add 198.51.100.13/24 dev mv0
EOF
ip -n mixed-lan -batch - <<'EOF'
link set dev sw up
EOF
ip -n mixed-host -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n mixed-lan -batch - <<'EOF'
link set dev p0 up
EOF
ip -n mixed-br -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n mixed-ve -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n mixed-pr -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n mixed-lan -batch - <<'EOF'
link set dev lo up
EOF
ip -n mixed-host -batch - <<'EOF'
link set dev lo up
EOF
ip -n mixed-br -batch - <<'EOF'
link set dev lo up
EOF
ip -n mixed-ve -batch - <<'EOF'
link set dev lo up
EOF
ip -n mixed-pr -batch - <<'EOF'
link set dev lo up
EOF
