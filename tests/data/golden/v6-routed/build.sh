#!/bin/sh
# lab v6routed, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down v6routed`)
set -e
ip netns add v6routed-h1
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6routed-h1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6routed-h1 link set lo alias vnetlab:v6routed:h1
ip netns add v6routed-r
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6routed-r sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6routed-r link set lo alias vnetlab:v6routed:r
ip netns add v6routed-h2
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6routed-h2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6routed-h2 link set lo alias vnetlab:v6routed:h2
ip netns add v6routed-h3
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6routed-h3 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6routed-h3 link set lo alias vnetlab:v6routed:h3
ip -n v6routed-h1 -batch - <<'EOF'
link add name eth0 address 2e:48:1b:62:fb:0e type veth peer name e1 address 76:4d:0d:6b:7b:33 netns v6routed-r
EOF
ip -n v6routed-r -batch - <<'EOF'
link add name e2 address 02:00:00:00:02:01 type veth peer name eth0 address d6:02:85:e9:c2:4e netns v6routed-h2
link add name e3 address de:9d:42:e8:6a:f8 type veth peer name eth0 address 0a:dc:06:3f:b4:24 netns v6routed-h3
EOF
ip -n v6routed-h1 -batch - <<'EOF'
address add 192.0.2.10/24 dev eth0
address add 2001:db8:1::10/64 dev eth0
EOF
ip netns exec v6routed-r sysctl -qw net.ipv4.ip_forward=1
ip netns exec v6routed-r sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n v6routed-r -batch - <<'EOF'
address add 192.0.2.1/24 dev e1
address add 2001:db8:1::1/64 dev e1
address add 198.51.100.1/24 dev e2
address add 2001:db8:2::1/64 dev e2
address add 203.0.113.1/24 dev e3
address add 2001:db8:3::1/64 dev e3
EOF
ip -n v6routed-h2 -batch - <<'EOF'
address add 198.51.100.10/24 dev eth0
address add 2001:db8:2::10/64 dev eth0
EOF
ip -n v6routed-h3 -batch - <<'EOF'
address add 203.0.113.10/24 dev eth0
address add 2001:db8:3::10/64 dev eth0
EOF
ip -n v6routed-r -batch - <<'EOF'
link set dev e1 up
EOF
ip -n v6routed-h1 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n v6routed-h2 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n v6routed-r -batch - <<'EOF'
link set dev e2 up
EOF
ip -n v6routed-h3 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n v6routed-r -batch - <<'EOF'
link set dev e3 up
EOF
ip -n v6routed-h1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6routed-r -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6routed-h2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6routed-h3 -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6routed-h1 -batch - <<'EOF'
route add default via 192.0.2.1
route add default via 2001:db8:1::1
EOF
ip -n v6routed-h2 -batch - <<'EOF'
route add default via 198.51.100.1
route add default via fe80::ff:fe00:201 dev eth0
EOF
