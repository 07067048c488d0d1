#!/bin/sh
# lab natpinfix, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down natpinfix`)
set -e
ip netns add natpinfix-lan
ip netns exec natpinfix-lan sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec natpinfix-lan sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n natpinfix-lan link set lo alias vnetlab:natpinfix:lan
ip netns add natpinfix-client
ip netns exec natpinfix-client sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec natpinfix-client sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n natpinfix-client link set lo alias vnetlab:natpinfix:client
ip netns add natpinfix-server
ip netns exec natpinfix-server sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec natpinfix-server sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n natpinfix-server link set lo alias vnetlab:natpinfix:server
ip netns add natpinfix-r
ip netns exec natpinfix-r sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec natpinfix-r sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n natpinfix-r link set lo alias vnetlab:natpinfix:r
ip netns add natpinfix-outside
ip netns exec natpinfix-outside sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec natpinfix-outside sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n natpinfix-outside link set lo alias vnetlab:natpinfix:outside
ip -n natpinfix-lan -batch - <<'EOF'
link add name sw address 46:f1:12:0f:0a:e6 type bridge stp_state 0
EOF
ip -n natpinfix-client -batch - <<'EOF'
link add name eth0 address 2e:4e:61:6a:a6:f8 type veth peer name p0 address 9e:6b:ec:93:d5:89 netns natpinfix-lan
EOF
ip -n natpinfix-server -batch - <<'EOF'
link add name eth0 address d2:29:1f:00:da:1a type veth peer name p1 address 46:88:0b:8c:5e:d3 netns natpinfix-lan
EOF
ip -n natpinfix-r -batch - <<'EOF'
link add name lan address 8a:83:79:3d:67:49 type veth peer name p2 address f6:83:fe:6e:e3:3b netns natpinfix-lan
link add name wan address 86:1a:80:5c:0b:9f type veth peer name eth0 address ea:38:d0:7b:0e:9f netns natpinfix-outside
EOF
ip -n natpinfix-lan -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
link set dev p2 master sw
EOF
ip -n natpinfix-client -batch - <<'EOF'
address add 192.0.2.10/24 dev eth0
EOF
ip -n natpinfix-server -batch - <<'EOF'
address add 192.0.2.20/24 dev eth0
EOF
ip netns exec natpinfix-r sysctl -qw net.ipv4.ip_forward=1
ip -n natpinfix-r -batch - <<'EOF'
address add 192.0.2.1/24 dev lan
address add 198.51.100.1/24 dev wan
EOF
ip -n natpinfix-outside -batch - <<'EOF'
address add 198.51.100.30/24 dev eth0
EOF
ip -n natpinfix-lan -batch - <<'EOF'
link set dev sw up
EOF
ip -n natpinfix-client -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n natpinfix-lan -batch - <<'EOF'
link set dev p0 up
EOF
ip -n natpinfix-server -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n natpinfix-lan -batch - <<'EOF'
link set dev p1 up
EOF
ip -n natpinfix-r -batch - <<'EOF'
link set dev lan up
EOF
ip -n natpinfix-lan -batch - <<'EOF'
link set dev p2 up
EOF
ip -n natpinfix-outside -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n natpinfix-r -batch - <<'EOF'
link set dev wan up
EOF
ip -n natpinfix-lan -batch - <<'EOF'
link set dev lo up
EOF
ip -n natpinfix-client -batch - <<'EOF'
link set dev lo up
EOF
ip -n natpinfix-server -batch - <<'EOF'
link set dev lo up
EOF
ip -n natpinfix-r -batch - <<'EOF'
link set dev lo up
EOF
ip -n natpinfix-outside -batch - <<'EOF'
link set dev lo up
EOF
ip -n natpinfix-client -batch - <<'EOF'
route add default via 192.0.2.1 proto static
EOF
ip -n natpinfix-server -batch - <<'EOF'
route add default via 192.0.2.1 proto static
EOF
printf '%s\n' 'table ip nat {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    ip daddr 198.51.100.1 icmp type echo-request dnat to 192.0.2.20
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr 192.0.2.0/24 ip daddr 192.0.2.20 oifname "lan" snat to 192.0.2.1
  }
}
' | ip netns exec natpinfix-r nft -f -
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
vnetlab_wait natpinfix-lan natpinfix-client natpinfix-server natpinfix-r natpinfix-outside
