#!/bin/sh
# lab nftreject, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down nftreject`)
set -e
ip netns add nftreject-lan
ip netns exec nftreject-lan sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftreject-lan sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftreject-lan link set lo alias vnetlab:nftreject:lan
ip netns add nftreject-srv
ip netns exec nftreject-srv sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftreject-srv sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftreject-srv link set lo alias vnetlab:nftreject:srv
ip netns add nftreject-c1
ip netns exec nftreject-c1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftreject-c1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftreject-c1 link set lo alias vnetlab:nftreject:c1
ip netns add nftreject-c2
ip netns exec nftreject-c2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftreject-c2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftreject-c2 link set lo alias vnetlab:nftreject:c2
ip netns add nftreject-c3
ip netns exec nftreject-c3 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftreject-c3 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftreject-c3 link set lo alias vnetlab:nftreject:c3
ip netns add nftreject-c4
ip netns exec nftreject-c4 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftreject-c4 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftreject-c4 link set lo alias vnetlab:nftreject:c4
ip -n nftreject-lan -batch - <<'EOF'
link add name sw address 1a:bb:62:ca:31:79 type bridge stp_state 0
EOF
ip -n nftreject-srv -batch - <<'EOF'
link add name eth0 address de:0d:b2:dc:9e:f1 type veth peer name p0 address 6e:19:57:75:49:03 netns nftreject-lan
EOF
ip -n nftreject-c1 -batch - <<'EOF'
link add name eth0 address 1a:b0:aa:7f:44:11 type veth peer name p1 address a6:70:03:fb:14:4c netns nftreject-lan
EOF
ip -n nftreject-c2 -batch - <<'EOF'
link add name eth0 address 52:57:c5:2d:43:47 type veth peer name p2 address ee:d4:e1:92:74:53 netns nftreject-lan
EOF
ip -n nftreject-c3 -batch - <<'EOF'
link add name eth0 address e6:91:35:1a:a2:81 type veth peer name p3 address 26:d7:9e:a6:e4:cc netns nftreject-lan
EOF
ip -n nftreject-c4 -batch - <<'EOF'
link add name eth0 address b2:01:ad:4b:75:bc type veth peer name p4 address c6:aa:74:0f:55:79 netns nftreject-lan
EOF
ip -n nftreject-lan -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
link set dev p2 master sw
link set dev p3 master sw
link set dev p4 master sw
EOF
ip -n nftreject-srv -batch - <<'EOF'
address add 192.0.2.100/24 dev eth0
EOF
ip -n nftreject-c1 -batch - <<'EOF'
address add 192.0.2.1/24 dev eth0
EOF
ip -n nftreject-c2 -batch - <<'EOF'
address add 192.0.2.2/24 dev eth0
EOF
ip -n nftreject-c3 -batch - <<'EOF'
address add 192.0.2.3/24 dev eth0
EOF
ip -n nftreject-c4 -batch - <<'EOF'
address add 192.0.2.4/24 dev eth0
EOF
ip -n nftreject-lan -batch - <<'EOF'
link set dev sw up
EOF
ip -n nftreject-srv -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftreject-lan -batch - <<'EOF'
link set dev p0 up
EOF
ip -n nftreject-c1 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftreject-lan -batch - <<'EOF'
link set dev p1 up
EOF
ip -n nftreject-c2 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftreject-lan -batch - <<'EOF'
link set dev p2 up
EOF
ip -n nftreject-c3 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftreject-lan -batch - <<'EOF'
link set dev p3 up
EOF
ip -n nftreject-c4 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftreject-lan -batch - <<'EOF'
link set dev p4 up
link set dev lo up
EOF
ip -n nftreject-srv -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftreject-c1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftreject-c2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftreject-c3 -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftreject-c4 -batch - <<'EOF'
link set dev lo up
EOF
printf '%s\n' 'table inet filter {
  chain input {
    type filter hook input priority filter; policy accept;
    ip saddr 192.0.2.1 icmp type echo-request reject
    ip saddr 192.0.2.2 icmp type echo-request drop
    ip saddr 192.0.2.3 icmp type echo-request reject with icmpx type admin-prohibited
  }
}
' | ip netns exec nftreject-srv nft -f -
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
vnetlab_wait nftreject-lan nftreject-srv nftreject-c1 nftreject-c2 nftreject-c3 nftreject-c4
