#!/bin/sh
# lab vethdown, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down vethdown`)
set -e
ip netns add vethdown-a
ip netns exec vethdown-a sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec vethdown-a sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vethdown-a link set lo alias vnetlab:vethdown:a
ip netns add vethdown-b
ip netns exec vethdown-b sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec vethdown-b sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vethdown-b link set lo alias vnetlab:vethdown:b
ip netns add vethdown-c
ip netns exec vethdown-c sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec vethdown-c sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vethdown-c link set lo alias vnetlab:vethdown:c
ip -n vethdown-a -batch - <<'EOF'
link add name v0 address a2:8f:dc:ac:95:ec type veth peer name v0 address 66:28:7d:6f:74:c2 netns vethdown-b
link add name v1 address 76:a4:dd:c0:3b:c0 type veth peer name v0 address fe:9f:24:20:f6:a3 netns vethdown-c
address add 192.0.2.1/30 dev v0
address add 192.0.2.5/30 dev v1
EOF
ip -n vethdown-b -batch - <<'EOF'
address add 192.0.2.2/30 dev v0
EOF
ip -n vethdown-c -batch - <<'EOF'
address add 192.0.2.6/30 dev v0
EOF
ip -n vethdown-a -batch - <<'EOF'
link set dev v0 up
EOF
ip -n vethdown-c -batch - <<'EOF'
link set dev v0 up
EOF
ip -n vethdown-a -batch - <<'EOF'
link set dev v1 up
link set dev lo up
EOF
ip -n vethdown-b -batch - <<'EOF'
link set dev lo up
EOF
ip -n vethdown-c -batch - <<'EOF'
link set dev lo up
EOF
