#!/bin/sh
# lab natnomasq, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down natnomasq`)
set -e
ip netns add natnomasq-lanhost
ip netns exec natnomasq-lanhost sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec natnomasq-lanhost sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n natnomasq-lanhost link set lo alias vnetlab:natnomasq:lanhost
ip netns add natnomasq-r
ip netns exec natnomasq-r sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec natnomasq-r sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n natnomasq-r link set lo alias vnetlab:natnomasq:r
ip netns add natnomasq-inet
ip netns exec natnomasq-inet sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec natnomasq-inet sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n natnomasq-inet link set lo alias vnetlab:natnomasq:inet
ip -n natnomasq-lanhost -batch - <<'EOF'
link add name eth0 address 36:85:64:64:ed:c7 type veth peer name lan address 52:85:ae:b8:e4:72 netns natnomasq-r
EOF
ip -n natnomasq-r -batch - <<'EOF'
link add name wan address 4a:a9:09:97:83:42 type veth peer name eth0 address 8e:a2:3d:0a:06:ab netns natnomasq-inet
EOF
ip -n natnomasq-lanhost -batch - <<'EOF'
address add 192.0.2.10/24 dev eth0
EOF
ip netns exec natnomasq-r sysctl -qw net.ipv4.ip_forward=1
ip -n natnomasq-r -batch - <<'EOF'
address add 192.0.2.1/24 dev lan
address add 198.51.100.1/24 dev wan
EOF
ip -n natnomasq-inet -batch - <<'EOF'
address add 198.51.100.20/24 dev eth0
EOF
ip -n natnomasq-r -batch - <<'EOF'
link set dev lan up
EOF
ip -n natnomasq-lanhost -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n natnomasq-inet -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n natnomasq-r -batch - <<'EOF'
link set dev wan up
EOF
ip -n natnomasq-lanhost -batch - <<'EOF'
link set dev lo up
EOF
ip -n natnomasq-r -batch - <<'EOF'
link set dev lo up
EOF
ip -n natnomasq-inet -batch - <<'EOF'
link set dev lo up
EOF
ip -n natnomasq-lanhost -batch - <<'EOF'
route add default via 192.0.2.1
EOF
