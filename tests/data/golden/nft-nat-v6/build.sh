#!/bin/sh
# lab natv6, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down natv6`)
set -e
ip netns add natv6-lan
[ ! -d /proc/sys/net/bridge ] || ip netns exec natv6-lan sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n natv6-lan link set lo alias vnetlab:natv6:lan
ip netns add natv6-client
[ ! -d /proc/sys/net/bridge ] || ip netns exec natv6-client sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n natv6-client link set lo alias vnetlab:natv6:client
ip netns add natv6-server
[ ! -d /proc/sys/net/bridge ] || ip netns exec natv6-server sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n natv6-server link set lo alias vnetlab:natv6:server
ip netns add natv6-r
[ ! -d /proc/sys/net/bridge ] || ip netns exec natv6-r sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n natv6-r link set lo alias vnetlab:natv6:r
ip netns add natv6-outside
[ ! -d /proc/sys/net/bridge ] || ip netns exec natv6-outside sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n natv6-outside link set lo alias vnetlab:natv6:outside
ip -n natv6-lan -batch - <<'EOF'
link add name sw address 62:64:a0:7c:99:56 type bridge stp_state 0
EOF
ip -n natv6-client -batch - <<'EOF'
link add name eth0 address 9a:13:ef:e4:f0:4a type veth peer name p0 address 56:15:57:88:a2:74 netns natv6-lan
EOF
ip -n natv6-server -batch - <<'EOF'
link add name eth0 address 62:a1:72:2e:a8:95 type veth peer name p1 address 6e:6c:fc:fc:71:fb netns natv6-lan
EOF
ip -n natv6-r -batch - <<'EOF'
link add name lan address 76:8a:f8:c0:02:2f type veth peer name p2 address 8a:ec:db:fc:9c:1d netns natv6-lan
link add name wan address 16:01:7d:89:3c:1d type veth peer name eth0 address 06:78:85:55:b9:fa netns natv6-outside
EOF
ip -n natv6-lan -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
link set dev p2 master sw
EOF
ip -n natv6-client -batch - <<'EOF'
address add 192.0.2.10/24 dev eth0
address add 2001:db8:1::10/64 dev eth0
EOF
ip -n natv6-server -batch - <<'EOF'
address add 192.0.2.20/24 dev eth0
address add 2001:db8:1::20/64 dev eth0
EOF
ip netns exec natv6-r sysctl -qw net.ipv4.ip_forward=1
ip netns exec natv6-r sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n natv6-r -batch - <<'EOF'
address add 192.0.2.1/24 dev lan
address add 2001:db8:1::1/64 dev lan
address add 198.51.100.1/24 dev wan
address add 2001:db8:2::1/64 dev wan
EOF
ip -n natv6-outside -batch - <<'EOF'
address add 198.51.100.30/24 dev eth0
address add 2001:db8:2::30/64 dev eth0
EOF
ip -n natv6-lan -batch - <<'EOF'
link set dev sw up
EOF
ip -n natv6-client -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n natv6-lan -batch - <<'EOF'
link set dev p0 up
EOF
ip -n natv6-server -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n natv6-lan -batch - <<'EOF'
link set dev p1 up
EOF
ip -n natv6-r -batch - <<'EOF'
link set dev lan up
EOF
ip -n natv6-lan -batch - <<'EOF'
link set dev p2 up
EOF
ip -n natv6-outside -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n natv6-r -batch - <<'EOF'
link set dev wan up
EOF
ip -n natv6-lan -batch - <<'EOF'
link set dev lo up
EOF
ip -n natv6-client -batch - <<'EOF'
link set dev lo up
EOF
ip -n natv6-server -batch - <<'EOF'
link set dev lo up
EOF
ip -n natv6-r -batch - <<'EOF'
link set dev lo up
EOF
ip -n natv6-outside -batch - <<'EOF'
link set dev lo up
EOF
ip -n natv6-client -batch - <<'EOF'
route add default via 192.0.2.1 proto static
route add default via 2001:db8:1::1 proto static
EOF
ip -n natv6-server -batch - <<'EOF'
route add default via 192.0.2.1 proto static
route add default via 2001:db8:1::1 proto static
EOF
printf '%s\n' 'table inet nat {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    ip6 daddr 2001:db8:2::1 tcp dport 80 dnat ip6 to [2001:db8:1::20]:8080
    ip6 daddr 2001:db8:2::1 udp dport 53 dnat ip6 to [2001:db8:1::20]:5353
    ip daddr 198.51.100.1 tcp dport 80 dnat ip to 192.0.2.20:8080
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "wan" masquerade
    oifname "lan" ip6 saddr 2001:db8:1::/64 ip6 daddr 2001:db8:1::20 tcp dport 8080 masquerade
  }
}
table inet filter {
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    iifname "lan" accept
    iifname "wan" ip6 daddr 2001:db8:1::20 tcp dport 8080 accept
    iifname "wan" ip6 daddr 2001:db8:1::20 udp dport 5353 accept
    iifname "wan" ip daddr 192.0.2.20 tcp dport 8080 accept
  }
}
' | ip netns exec natv6-r nft -f -
# wait (at most 4 s) for carrier and IPv6 DAD, as `vnetlab up` does; report addresses that failed DAD
vnetlab_now() { awk '{ printf "%d\n", $1 * 100 }' /proc/uptime; }
vnetlab_awk='$0 == "--" { addrs = 1; next }; !addrs { dev = $2; sub(/@.*/, "", dev); sub(/:$/, "", dev); name[$1] = dev; st = ""; for (k = 4; k < NF; k++) if ($k == "state") st = $(k + 1); up = $3 ~ /[<,]UP[,>]/; carrier = $3 ~ /[<,]LOWER_UP[,>]/ }; !addrs && up && carrier && (st == "DOWN" || st == "LOWERLAYERDOWN") { print "carrier not yet in effect on " dev }; !addrs && up && !carrier && (st == "UP" || st == "UNKNOWN") { print "carrier loss not yet in effect on " dev }; !addrs && up && carrier { ready[$1] = 1 }; addrs && ($1 in ready) { print "IPv6 address still tentative: " name[$1] " " $4 }'
vnetlab_busy() {
  { ip -n "$1" -o link show; echo --; ip -n "$1" -o -6 address show tentative -dadfailed 2>/dev/null; } | awk "$vnetlab_awk"
}
vnetlab_wait() {
  end=$(($(vnetlab_now) + 400))
  while :; do
    busy=
    for ns in "$@"; do
      left=$(vnetlab_busy "$ns")
      [ -z "$left" ] || { busy=$ns; break; }
    done
    [ -n "$busy" ] || break
    if [ "$(vnetlab_now)" -ge "$end" ]; then
      for ns in "$@"; do
        vnetlab_busy "$ns" | while read -r what; do
          printf '%s\n' "after the wait, in $ns: $what" >&2
        done
      done
      break
    fi
    sleep 0.05
  done
  for ns in "$@"; do
    ip -n "$ns" -o -6 address show dadfailed 2>/dev/null | while read -r _ dev _ addr _; do
      printf '%s\n' "IPv6 duplicate address detection failed: $ns/$dev $addr" >&2
    done
  done
}
vnetlab_wait natv6-lan natv6-client natv6-server natv6-r natv6-outside
