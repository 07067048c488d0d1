#!/bin/sh
# lab tapcar, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down tapcar`)
set -e
ip netns add tapcar-host
ip netns exec tapcar-host sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec tapcar-host sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n tapcar-host link set lo alias vnetlab:tapcar:host
ip netns add tapcar-c
ip netns exec tapcar-c sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec tapcar-c sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n tapcar-c link set lo alias vnetlab:tapcar:c
ip -n tapcar-host -batch - <<'EOF'
link add name br0 address 56:1d:27:92:86:70 type bridge stp_state 0
tuntap add dev tap0 mode tap
link set dev tap0 address 52:97:6d:bd:78:46
link add name ve address de:64:aa:df:cd:08 type veth peer name eth0 address 3e:fe:69:37:14:a9 netns tapcar-c
link add name br1 address 52:03:ea:6d:b0:56 type bridge stp_state 0
tuntap add dev tap1 mode tap
link set dev tap1 address 92:4d:90:41:06:4f
tuntap add dev tap2 mode tap
link set dev tap2 address 3e:34:5f:51:8e:8b
link set dev tap0 master br0
link set dev ve master br0
link set dev tap1 master br1
address add 203.0.113.1/24 dev br0
address add 198.51.100.1/24 dev br1
address add 192.0.2.1/24 dev tap2
EOF
ip -n tapcar-c -batch - <<'EOF'
address add 203.0.113.10/24 dev eth0
EOF
ip -n tapcar-host -batch - <<'EOF'
link set dev br0 up
link set dev tap0 up
EOF
ip -n tapcar-c -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n tapcar-host -batch - <<'EOF'
link set dev ve up
link set dev br1 up
link set dev tap1 up
link set dev tap2 up
link set dev lo up
EOF
ip -n tapcar-c -batch - <<'EOF'
link set dev lo up
EOF
