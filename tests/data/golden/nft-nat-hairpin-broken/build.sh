#!/bin/sh
# lab nathairpin, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down nathairpin`)
set -e
ip netns add nathairpin-lan
ip netns exec nathairpin-lan sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nathairpin-lan sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nathairpin-lan link set lo alias vnetlab:nathairpin:lan
ip netns add nathairpin-client
ip netns exec nathairpin-client sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nathairpin-client sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nathairpin-client link set lo alias vnetlab:nathairpin:client
ip netns add nathairpin-server
ip netns exec nathairpin-server sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nathairpin-server sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nathairpin-server link set lo alias vnetlab:nathairpin:server
ip netns add nathairpin-r
ip netns exec nathairpin-r sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nathairpin-r sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nathairpin-r link set lo alias vnetlab:nathairpin:r
ip netns add nathairpin-outside
ip netns exec nathairpin-outside sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nathairpin-outside sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nathairpin-outside link set lo alias vnetlab:nathairpin:outside
ip -n nathairpin-lan -batch - <<'EOF'
link add name sw address 4a:87:a6:03:dc:4d type bridge stp_state 0
EOF
ip -n nathairpin-client -batch - <<'EOF'
link add name eth0 address 0e:8d:cd:f2:63:6a type veth peer name p0 address 5e:b2:25:fc:de:2f netns nathairpin-lan
EOF
ip -n nathairpin-server -batch - <<'EOF'
link add name eth0 address b6:b3:17:1b:e9:85 type veth peer name p1 address b6:ba:11:b1:a4:c2 netns nathairpin-lan
EOF
ip -n nathairpin-r -batch - <<'EOF'
link add name lan address 5e:16:3a:8d:2a:03 type veth peer name p2 address f2:e6:2d:c4:d2:78 netns nathairpin-lan
link add name wan address 2a:af:18:51:5b:11 type veth peer name eth0 address 8a:f0:8a:ba:49:8a netns nathairpin-outside
EOF
ip -n nathairpin-lan -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
link set dev p2 master sw
EOF
ip -n nathairpin-client -batch - <<'EOF'
address add 192.0.2.10/24 dev eth0
EOF
ip -n nathairpin-server -batch - <<'EOF'
address add 192.0.2.20/24 dev eth0
EOF
ip netns exec nathairpin-r sysctl -qw net.ipv4.ip_forward=1
ip -n nathairpin-r -batch - <<'EOF'
address add 192.0.2.1/24 dev lan
address add 198.51.100.1/24 dev wan
EOF
ip -n nathairpin-outside -batch - <<'EOF'
address add 198.51.100.30/24 dev eth0
EOF
ip -n nathairpin-lan -batch - <<'EOF'
link set dev sw up
EOF
ip -n nathairpin-client -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nathairpin-lan -batch - <<'EOF'
link set dev p0 up
EOF
ip -n nathairpin-server -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nathairpin-lan -batch - <<'EOF'
link set dev p1 up
EOF
ip -n nathairpin-r -batch - <<'EOF'
link set dev lan up
EOF
ip -n nathairpin-lan -batch - <<'EOF'
link set dev p2 up
EOF
ip -n nathairpin-outside -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nathairpin-r -batch - <<'EOF'
link set dev wan up
EOF
ip -n nathairpin-lan -batch - <<'EOF'
link set dev lo up
EOF
ip -n nathairpin-client -batch - <<'EOF'
link set dev lo up
EOF
ip -n nathairpin-server -batch - <<'EOF'
link set dev lo up
EOF
ip -n nathairpin-r -batch - <<'EOF'
link set dev lo up
EOF
ip -n nathairpin-outside -batch - <<'EOF'
link set dev lo up
EOF
ip -n nathairpin-client -batch - <<'EOF'
route add default via 192.0.2.1 proto static
EOF
ip -n nathairpin-server -batch - <<'EOF'
route add default via 192.0.2.1 proto static
EOF
printf '%s\n' 'table ip nat {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    ip daddr 198.51.100.1 icmp type echo-request dnat to 192.0.2.20
  }
}
' | ip netns exec nathairpin-r nft -f -
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
vnetlab_wait nathairpin-lan nathairpin-client nathairpin-server nathairpin-r nathairpin-outside
