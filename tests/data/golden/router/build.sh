#!/bin/sh
# lab router, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down router`)
set -e
ip netns add router-a
ip netns exec router-a sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec router-a sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n router-a link set lo alias vnetlab:router:a
ip netns add router-r
ip netns exec router-r sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec router-r sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n router-r link set lo alias vnetlab:router:r
ip netns add router-b
ip netns exec router-b sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec router-b sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n router-b link set lo alias vnetlab:router:b
ip netns add router-c
ip netns exec router-c sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec router-c sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n router-c link set lo alias vnetlab:router:c
ip -n router-a -batch - <<'EOF'
link add name eth0 address 7e:09:2e:70:8b:77 type veth peer name a address 1e:a6:f6:50:dd:85 netns router-r
EOF
ip -n router-r -batch - <<'EOF'
link add name b address aa:91:81:4a:7a:32 type veth peer name eth0 address 12:2b:66:a2:d7:bd netns router-b
link add name c address 22:17:0b:31:96:9c type veth peer name eth0 address ce:ba:ed:8e:76:f7 netns router-c
EOF
ip -n router-a -batch - <<'EOF'
address add 192.0.2.10/24 dev eth0
EOF
ip netns exec router-r sysctl -qw net.ipv4.conf.a.forwarding=1
ip netns exec router-r sysctl -qw net.ipv4.conf.b.forwarding=1
ip -n router-r -batch - <<'EOF'
address add 192.0.2.1/24 dev a
address add 198.51.100.1/24 dev b
address add 203.0.113.1/24 dev c
EOF
ip -n router-b -batch - <<'EOF'
address add 198.51.100.10/24 dev eth0
EOF
ip -n router-c -batch - <<'EOF'
address add 203.0.113.10/24 dev eth0
EOF
ip -n router-r -batch - <<'EOF'
link set dev a up
EOF
ip -n router-a -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n router-b -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n router-r -batch - <<'EOF'
link set dev b up
EOF
ip -n router-c -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n router-r -batch - <<'EOF'
link set dev c up
EOF
ip -n router-a -batch - <<'EOF'
link set dev lo up
EOF
ip -n router-r -batch - <<'EOF'
link set dev lo up
EOF
ip -n router-b -batch - <<'EOF'
link set dev lo up
EOF
ip -n router-c -batch - <<'EOF'
link set dev lo up
EOF
ip -n router-a -batch - <<'EOF'
route add default via 192.0.2.1
EOF
ip -n router-b -batch - <<'EOF'
route add default via 198.51.100.1
EOF
ip -n router-c -batch - <<'EOF'
route add default via 203.0.113.1
EOF
