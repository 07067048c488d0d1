#!/bin/sh
# lab nspawn, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down nspawn`)
set -e
ip netns add nspawn-host
ip netns exec nspawn-host sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nspawn-host sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nspawn-host link set lo alias vnetlab:nspawn:host
ip netns add nspawn-web
ip netns exec nspawn-web sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nspawn-web sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nspawn-web link set lo alias vnetlab:nspawn:web
ip -n nspawn-host -batch - <<'EOF'
link add name ve-web address 0e:8b:3f:1e:8d:08 type veth peer name host0 address d6:ca:56:7e:49:63 netns nspawn-web
address add 192.0.2.1/30 dev ve-web
EOF
ip -n nspawn-web -batch - <<'EOF'
address add 192.0.2.2/30 dev host0
link set dev host0 up
EOF
ip -n nspawn-host -batch - <<'EOF'
link set dev ve-web up
link set dev lo up
EOF
ip -n nspawn-web -batch - <<'EOF'
link set dev lo up
route add default via 192.0.2.1
EOF
