#!/bin/sh
# lab v6hairpindad, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down v6hairpindad`)
set -e
ip netns add v6hairpindad-lan
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6hairpindad-lan sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6hairpindad-lan link set lo alias vnetlab:v6hairpindad:lan
ip netns add v6hairpindad-a
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6hairpindad-a sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6hairpindad-a link set lo alias vnetlab:v6hairpindad:a
ip netns add v6hairpindad-b
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6hairpindad-b sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6hairpindad-b link set lo alias vnetlab:v6hairpindad:b
ip netns add v6hairpindad-c
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6hairpindad-c sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6hairpindad-c link set lo alias vnetlab:v6hairpindad:c
ip -n v6hairpindad-lan -batch - <<'EOF'
link add name sw address da:ce:3b:96:6e:d4 type bridge stp_state 0
EOF
ip -n v6hairpindad-a -batch - <<'EOF'
link add name eth0 address da:04:81:b3:5c:12 type veth peer name p0 address ee:24:f0:e9:48:96 netns v6hairpindad-lan
EOF
ip -n v6hairpindad-b -batch - <<'EOF'
link add name eth0 address f2:c9:4e:e2:d3:0c type veth peer name p1 address e6:ac:71:99:ce:da netns v6hairpindad-lan
EOF
ip -n v6hairpindad-c -batch - <<'EOF'
link add name eth0 address 22:f4:e9:6a:aa:de type veth peer name p2 address e6:f9:47:f7:44:43 netns v6hairpindad-lan
EOF
ip -n v6hairpindad-lan -batch - <<'EOF'
link set dev p0 master sw
link set dev p0 type bridge_slave hairpin on
link set dev p1 master sw
link set dev p1 type bridge_slave hairpin on
link set dev p2 master sw
link set dev p2 type bridge_slave hairpin on
EOF
ip netns exec v6hairpindad-a sysctl -qw net.ipv6.conf.all.enhanced_dad=0
ip netns exec v6hairpindad-a sysctl -qw net.ipv6.conf.eth0.enhanced_dad=0
ip -n v6hairpindad-a -batch - <<'EOF'
address add 192.0.2.1/24 dev eth0
address add 2001:db8::1/64 dev eth0
EOF
ip -n v6hairpindad-b -batch - <<'EOF'
address add 192.0.2.2/24 dev eth0
address add 2001:db8::2/64 dev eth0
EOF
ip -n v6hairpindad-c -batch - <<'EOF'
address add 192.0.2.3/24 dev eth0
address add 2001:db8::3/64 dev eth0
EOF
ip -n v6hairpindad-lan -batch - <<'EOF'
link set dev sw up
EOF
ip -n v6hairpindad-a -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n v6hairpindad-lan -batch - <<'EOF'
link set dev p0 up
EOF
ip -n v6hairpindad-b -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n v6hairpindad-lan -batch - <<'EOF'
link set dev p1 up
EOF
ip -n v6hairpindad-c -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n v6hairpindad-lan -batch - <<'EOF'
link set dev p2 up
link set dev lo up
EOF
ip -n v6hairpindad-a -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6hairpindad-b -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6hairpindad-c -batch - <<'EOF'
link set dev lo up
EOF
