#!/bin/sh
# lab nftdns, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down nftdns`)
set -e
ip netns add nftdns-lan
ip netns exec nftdns-lan sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftdns-lan sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftdns-lan link set lo alias vnetlab:nftdns:lan
ip netns add nftdns-srv
ip netns exec nftdns-srv sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftdns-srv sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftdns-srv link set lo alias vnetlab:nftdns:srv
ip netns add nftdns-client
ip netns exec nftdns-client sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftdns-client sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftdns-client link set lo alias vnetlab:nftdns:client
ip netns add nftdns-router
ip netns exec nftdns-router sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftdns-router sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftdns-router link set lo alias vnetlab:nftdns:router
ip netns add nftdns-dns
ip netns exec nftdns-dns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftdns-dns sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftdns-dns link set lo alias vnetlab:nftdns:dns
ip -n nftdns-lan -batch - <<'EOF'
link add name sw address 3e:22:6e:70:53:69 type bridge stp_state 0
EOF
ip -n nftdns-srv -batch - <<'EOF'
link add name sw address 7a:6c:a2:2c:24:ef type bridge stp_state 0
EOF
ip -n nftdns-client -batch - <<'EOF'
link add name eth0 address 36:09:c7:d6:b7:89 type veth peer name p0 address 62:62:39:49:34:92 netns nftdns-lan
EOF
ip -n nftdns-router -batch - <<'EOF'
link add name lan address aa:74:93:45:40:04 type veth peer name p1 address 42:ad:d7:6d:89:0d netns nftdns-lan
link add name srv address 66:2e:54:10:58:a7 type veth peer name p0 address aa:8a:3e:c7:c8:07 netns nftdns-srv
EOF
ip -n nftdns-dns -batch - <<'EOF'
link add name eth0 address 22:e5:a2:20:a8:a9 type veth peer name p1 address fe:17:0d:e9:be:92 netns nftdns-srv
EOF
ip -n nftdns-lan -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
EOF
ip -n nftdns-srv -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
EOF
ip -n nftdns-client -batch - <<'EOF'
address add 192.0.2.10/24 dev eth0
EOF
ip netns exec nftdns-router sysctl -qw net.ipv4.ip_forward=1
ip -n nftdns-router -batch - <<'EOF'
address add 192.0.2.1/24 dev lan
address add 203.0.113.1/24 dev srv
EOF
ip -n nftdns-dns -batch - <<'EOF'
address add 203.0.113.53/24 dev eth0
EOF
ip -n nftdns-lan -batch - <<'EOF'
link set dev sw up
EOF
ip -n nftdns-srv -batch - <<'EOF'
link set dev sw up
EOF
ip -n nftdns-client -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftdns-lan -batch - <<'EOF'
link set dev p0 up
EOF
ip -n nftdns-router -batch - <<'EOF'
link set dev lan up
EOF
ip -n nftdns-lan -batch - <<'EOF'
link set dev p1 up
EOF
ip -n nftdns-router -batch - <<'EOF'
link set dev srv up
EOF
ip -n nftdns-srv -batch - <<'EOF'
link set dev p0 up
EOF
ip -n nftdns-dns -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftdns-srv -batch - <<'EOF'
link set dev p1 up
EOF
ip -n nftdns-lan -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftdns-srv -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftdns-client -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftdns-router -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftdns-dns -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftdns-client -batch - <<'EOF'
route add default via 192.0.2.1 proto static
EOF
ip -n nftdns-dns -batch - <<'EOF'
route add default via 203.0.113.1 proto static
EOF
printf '%s\n' 'table ip filter {
  chain input {
    type filter hook input priority 0; policy accept;
    meta l4proto udp udp dport != 123 drop
  }
}
' | ip netns exec nftdns-router nft -f -
printf '%s\n' 'table inet filter {
  chain input {
    type filter hook input priority filter; policy accept;
    udp dport 53 accept
    meta l4proto udp reject
    tcp dport != 53 reject with tcp reset
  }
}
' | ip netns exec nftdns-dns nft -f -
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
vnetlab_wait nftdns-lan nftdns-srv nftdns-client nftdns-router nftdns-dns
