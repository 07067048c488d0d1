#!/bin/sh
# lab nftinput, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down nftinput`)
set -e
ip netns add nftinput-a
ip netns exec nftinput-a sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftinput-a sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftinput-a link set lo alias vnetlab:nftinput:a
ip netns add nftinput-r
ip netns exec nftinput-r sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftinput-r sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftinput-r link set lo alias vnetlab:nftinput:r
ip netns add nftinput-b
ip netns exec nftinput-b sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftinput-b sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftinput-b link set lo alias vnetlab:nftinput:b
ip -n nftinput-a -batch - <<'EOF'
link add name eth0 address d6:c6:a2:55:7c:ce type veth peer name a address be:a1:df:4d:3a:49 netns nftinput-r
EOF
ip -n nftinput-r -batch - <<'EOF'
link add name b address de:b5:7a:a5:37:49 type veth peer name eth0 address e6:a7:cd:13:ea:95 netns nftinput-b
EOF
ip -n nftinput-a -batch - <<'EOF'
address add 192.0.2.10/24 dev eth0
EOF
ip netns exec nftinput-r sysctl -qw net.ipv4.ip_forward=1
ip -n nftinput-r -batch - <<'EOF'
address add 192.0.2.1/24 dev a
address add 198.51.100.1/24 dev b
EOF
ip -n nftinput-b -batch - <<'EOF'
address add 198.51.100.10/24 dev eth0
EOF
ip -n nftinput-r -batch - <<'EOF'
link set dev a up
EOF
ip -n nftinput-a -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftinput-b -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftinput-r -batch - <<'EOF'
link set dev b up
EOF
ip -n nftinput-a -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftinput-r -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftinput-b -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftinput-a -batch - <<'EOF'
route add default via 192.0.2.1
EOF
ip -n nftinput-b -batch - <<'EOF'
route add default via 198.51.100.1
EOF
printf '%s\n' 'table ip filter {
  chain input {
    type filter hook input priority 0; policy drop;
    ct state established accept
  }
  chain forward {
    type filter hook forward priority 0; policy accept;
  }
}
' | ip netns exec nftinput-r nft -f -
