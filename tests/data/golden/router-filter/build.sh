#!/bin/sh
# lab rfilter, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down rfilter`)
set -e
ip netns add rfilter-a
ip netns exec rfilter-a sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec rfilter-a sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n rfilter-a link set lo alias vnetlab:rfilter:a
ip netns add rfilter-r
ip netns exec rfilter-r sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec rfilter-r sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n rfilter-r link set lo alias vnetlab:rfilter:r
ip netns add rfilter-b
ip netns exec rfilter-b sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec rfilter-b sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n rfilter-b link set lo alias vnetlab:rfilter:b
ip -n rfilter-a -batch - <<'EOF'
link add name eth0 address 0a:df:bf:0d:95:45 type veth peer name a address 82:1a:6f:ae:14:44 netns rfilter-r
EOF
ip -n rfilter-r -batch - <<'EOF'
link add name b address 0e:e3:98:5b:74:b0 type veth peer name eth0 address 02:07:c9:65:d9:83 netns rfilter-b
EOF
ip -n rfilter-a -batch - <<'EOF'
address add 192.0.2.10/24 dev eth0
EOF
ip netns exec rfilter-r sysctl -qw net.ipv4.conf.a.forwarding=1
ip netns exec rfilter-r sysctl -qw net.ipv4.conf.b.forwarding=1
ip -n rfilter-r -batch - <<'EOF'
address add 192.0.2.1/24 dev a
address add 198.51.100.1/24 dev b
EOF
ip -n rfilter-b -batch - <<'EOF'
address add 198.51.100.10/24 dev eth0
EOF
ip -n rfilter-r -batch - <<'EOF'
link set dev a up
EOF
ip -n rfilter-a -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n rfilter-b -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n rfilter-r -batch - <<'EOF'
link set dev b up
EOF
ip -n rfilter-a -batch - <<'EOF'
link set dev lo up
EOF
ip -n rfilter-r -batch - <<'EOF'
link set dev lo up
EOF
ip -n rfilter-b -batch - <<'EOF'
link set dev lo up
EOF
ip -n rfilter-a -batch - <<'EOF'
route add default via 192.0.2.1
EOF
ip -n rfilter-b -batch - <<'EOF'
route add default via 198.51.100.1
EOF
printf '%s\n' 'table inet filter {
  chain input {
    type filter hook input priority filter; policy accept;
    iifname "b" icmp type echo-request drop
  }
  chain forward {
    type filter hook forward priority filter; policy accept;
    ip saddr 198.51.100.0/24 ip daddr 192.0.2.0/24 icmp type echo-request drop
  }
}
' | ip netns exec rfilter-r nft -f -
