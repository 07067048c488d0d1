#!/bin/sh
# lab tapkvm, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down tapkvm`)
set -e
ip netns add tapkvm-host
ip netns exec tapkvm-host sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec tapkvm-host sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n tapkvm-host link set lo alias vnetlab:tapkvm:host
ip netns add tapkvm-web
ip netns exec tapkvm-web sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec tapkvm-web sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n tapkvm-web link set lo alias vnetlab:tapkvm:web
ip -n tapkvm-host -batch - <<'EOF'
link add name virbr0 address 06:9c:61:68:62:22 type bridge stp_state 0
tuntap add dev tap0 mode tap
link set dev tap0 address 1e:7e:2f:74:57:79
tuntap add dev tap1 mode tap
link set dev tap1 address 3a:9d:02:99:45:0c
link add name ve-web address 7a:0a:2b:87:58:53 type veth peer name host0 address 72:a6:d8:ef:4f:c8 netns tapkvm-web
link set dev tap0 master virbr0
link set dev tap1 master virbr0
link set dev ve-web master virbr0
address add 203.0.113.1/24 dev virbr0
EOF
ip -n tapkvm-web -batch - <<'EOF'
address add 203.0.113.20/24 dev host0
EOF
ip -n tapkvm-host -batch - <<'EOF'
link set dev virbr0 up
link set dev tap0 up
link set dev tap1 up
EOF
ip -n tapkvm-web -batch - <<'EOF'
link set dev host0 up
EOF
ip -n tapkvm-host -batch - <<'EOF'
link set dev ve-web up
link set dev lo up
EOF
ip -n tapkvm-web -batch - <<'EOF'
link set dev lo up
route add default via 203.0.113.1
EOF
