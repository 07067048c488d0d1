#!/bin/sh
# lab mvbr, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down mvbr`)
set -e
ip netns add mvbr-host
ip netns exec mvbr-host sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvbr-host sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvbr-host link set lo alias vnetlab:mvbr:host
ip netns add mvbr-web
ip netns exec mvbr-web sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvbr-web sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvbr-web link set lo alias vnetlab:mvbr:web
ip netns add mvbr-db
ip netns exec mvbr-db sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvbr-db sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvbr-db link set lo alias vnetlab:mvbr:db
ip netns add mvbr-ct
ip netns exec mvbr-ct sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvbr-ct sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvbr-ct link set lo alias vnetlab:mvbr:ct
ip -n mvbr-host -batch - <<'EOF'
link add name br0 address 36:33:ae:ca:23:b9 type bridge stp_state 0
link add name p1 address ae:51:40:a1:79:50 type veth peer name eth0 address 3a:a3:c6:27:eb:4a netns mvbr-web
link add name p2 address ca:d3:bd:1f:e6:19 type veth peer name eth0 address fe:2e:3c:38:54:2f netns mvbr-db
link add name mv0 link br0 address ca:75:35:e7:fb:b3 netns mvbr-ct type macvlan mode bridge
link set dev p1 master br0
link set dev p2 master br0
address add 192.0.2.1/24 dev br0
EOF
ip -n mvbr-web -batch - <<'EOF'
address add 192.0.2.10/24 dev eth0
EOF
ip -n mvbr-db -batch - <<'EOF'
address add 192.0.2.20/24 dev eth0
EOF
ip -n mvbr-ct -batch - <<'EOF'
address add 192.0.2.30/24 dev mv0
EOF
ip -n mvbr-host -batch - <<'EOF'
link set dev br0 up
EOF
ip -n mvbr-web -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n mvbr-host -batch - <<'EOF'
link set dev p1 up
EOF
ip -n mvbr-db -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n mvbr-host -batch - <<'EOF'
link set dev p2 up
EOF
ip -n mvbr-ct -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n mvbr-host -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvbr-web -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvbr-db -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvbr-ct -batch - <<'EOF'
link set dev lo up
EOF
