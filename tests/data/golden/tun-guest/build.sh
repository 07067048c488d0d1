#!/bin/sh
# lab tunl, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down tunl`)
set -e
ip netns add tunl-host
ip netns exec tunl-host sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec tunl-host sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n tunl-host link set lo alias vnetlab:tunl:host
ip -n tunl-host -batch - <<'EOF'
tuntap add dev tun0 mode tun
address add 192.0.2.1/24 dev tun0
link set dev tun0 up
link set dev lo up
EOF
