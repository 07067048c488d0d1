#!/bin/sh
# lab natdnat, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down natdnat`)
set -e
ip netns add natdnat-server
ip netns exec natdnat-server sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec natdnat-server sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n natdnat-server link set lo alias vnetlab:natdnat:server
ip netns add natdnat-r
ip netns exec natdnat-r sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec natdnat-r sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n natdnat-r link set lo alias vnetlab:natdnat:r
ip netns add natdnat-outside
ip netns exec natdnat-outside sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec natdnat-outside sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n natdnat-outside link set lo alias vnetlab:natdnat:outside
ip -n natdnat-server -batch - <<'EOF'
link add name eth0 address 46:92:f1:31:0b:94 type veth peer name lan address 36:f6:fc:1b:98:6f netns natdnat-r
EOF
ip -n natdnat-r -batch - <<'EOF'
link add name wan address 76:fa:20:f7:6b:5b type veth peer name eth0 address ee:01:69:5e:d9:fc netns natdnat-outside
EOF
ip -n natdnat-server -batch - <<'EOF'
address add 192.0.2.20/24 dev eth0
EOF
ip netns exec natdnat-r sysctl -qw net.ipv4.ip_forward=1
ip -n natdnat-r -batch - <<'EOF'
address add 192.0.2.1/24 dev lan
address add 198.51.100.1/24 dev wan
EOF
ip -n natdnat-outside -batch - <<'EOF'
address add 198.51.100.30/24 dev eth0
EOF
ip -n natdnat-r -batch - <<'EOF'
link set dev lan up
EOF
ip -n natdnat-server -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n natdnat-outside -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n natdnat-r -batch - <<'EOF'
link set dev wan up
EOF
ip -n natdnat-server -batch - <<'EOF'
link set dev lo up
EOF
ip -n natdnat-r -batch - <<'EOF'
link set dev lo up
EOF
ip -n natdnat-outside -batch - <<'EOF'
link set dev lo up
EOF
ip -n natdnat-server -batch - <<'EOF'
route add default via 192.0.2.1
EOF
ip -n natdnat-r -batch - <<'EOF'
route add 203.0.113.0/24 via 198.51.100.30
EOF
ip -n natdnat-outside -batch - <<'EOF'
route add default via 198.51.100.1
EOF
printf '%s\n' 'table ip nat {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    iifname "wan" ip daddr 198.51.100.1 icmp type echo-request dnat to 192.0.2.20
    ip daddr 203.0.113.9 redirect
  }
  chain output {
    type nat hook output priority -100; policy accept;
    ip daddr 203.0.113.7 dnat to 192.0.2.20
    ip daddr 203.0.113.8 redirect
  }
}
' | ip netns exec natdnat-r nft -f -
