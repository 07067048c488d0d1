#!/bin/sh
# lab v6nftinet, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down v6nftinet`)
set -e
ip netns add v6nftinet-h1
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6nftinet-h1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6nftinet-h1 link set lo alias vnetlab:v6nftinet:h1
ip netns add v6nftinet-h2
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6nftinet-h2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6nftinet-h2 link set lo alias vnetlab:v6nftinet:h2
ip netns add v6nftinet-r
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6nftinet-r sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6nftinet-r link set lo alias vnetlab:v6nftinet:r
ip netns add v6nftinet-srv
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6nftinet-srv sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6nftinet-srv link set lo alias vnetlab:v6nftinet:srv
ip netns add v6nftinet-nd
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6nftinet-nd sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6nftinet-nd link set lo alias vnetlab:v6nftinet:nd
ip -n v6nftinet-h1 -batch - <<'EOF'
link add name eth0 address 06:de:3d:d7:f0:3a type veth peer name e1 address 7e:08:ef:7c:76:de netns v6nftinet-r
EOF
ip -n v6nftinet-h2 -batch - <<'EOF'
link add name eth0 address b2:db:65:a1:45:90 type veth peer name e2 address c6:68:4a:75:52:90 netns v6nftinet-r
EOF
ip -n v6nftinet-r -batch - <<'EOF'
link add name e3 address 1e:33:78:ca:b2:02 type veth peer name eth0 address 7e:38:92:b1:49:e8 netns v6nftinet-srv
link add name e4 address 7a:ee:de:d5:43:b3 type veth peer name eth0 address b2:89:06:26:84:62 netns v6nftinet-nd
EOF
ip -n v6nftinet-h1 -batch - <<'EOF'
address add 192.0.2.10/24 dev eth0
address add 2001:db8:1::10/64 dev eth0
EOF
ip -n v6nftinet-h2 -batch - <<'EOF'
address add 198.51.100.10/24 dev eth0
address add 2001:db8:2::10/64 dev eth0
EOF
ip netns exec v6nftinet-r sysctl -qw net.ipv4.ip_forward=1
ip netns exec v6nftinet-r sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n v6nftinet-r -batch - <<'EOF'
address add 192.0.2.1/24 dev e1
address add 2001:db8:1::1/64 dev e1
address add 198.51.100.1/24 dev e2
address add 2001:db8:2::1/64 dev e2
address add 203.0.113.1/24 dev e3
address add 2001:db8:3::1/64 dev e3
address add 198.18.0.1/24 dev e4
address add 2001:db8:4::1/64 dev e4
EOF
ip -n v6nftinet-srv -batch - <<'EOF'
address add 203.0.113.10/24 dev eth0
address add 2001:db8:3::10/64 dev eth0
EOF
ip -n v6nftinet-nd -batch - <<'EOF'
address add 198.18.0.10/24 dev eth0
address add 2001:db8:4::10/64 dev eth0
EOF
ip -n v6nftinet-r -batch - <<'EOF'
link set dev e1 up
EOF
ip -n v6nftinet-h1 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n v6nftinet-r -batch - <<'EOF'
link set dev e2 up
EOF
ip -n v6nftinet-h2 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n v6nftinet-srv -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n v6nftinet-r -batch - <<'EOF'
link set dev e3 up
EOF
ip -n v6nftinet-nd -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n v6nftinet-r -batch - <<'EOF'
link set dev e4 up
EOF
ip -n v6nftinet-h1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6nftinet-h2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6nftinet-r -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6nftinet-srv -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6nftinet-nd -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6nftinet-h1 -batch - <<'EOF'
route add default via 192.0.2.1 proto static
route add default via 2001:db8:1::1 proto static
EOF
ip -n v6nftinet-h2 -batch - <<'EOF'
route add default via 198.51.100.1 proto static
route add default via 2001:db8:2::1 proto static
EOF
ip -n v6nftinet-srv -batch - <<'EOF'
route add default via 203.0.113.1 proto static
route add default via 2001:db8:3::1 proto static
EOF
ip -n v6nftinet-nd -batch - <<'EOF'
route add default via 198.18.0.1 proto static
route add default via 2001:db8:4::1 proto static
EOF
printf '%s\n' 'table ip legacy {
  chain input {
    type filter hook input priority 0; policy drop;
  }
}
' | ip netns exec v6nftinet-h2 nft -f -
printf '%s\n' 'table inet fw {
  chain forward {
    type filter hook forward priority 0; policy drop;
    ct state established accept
    iifname { "e1", "e2" } accept
  }
}
' | ip netns exec v6nftinet-r nft -f -
printf '%s\n' 'table inet filter {
  chain input {
    type filter hook input priority 0; policy drop;
    ct state established accept
    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept
    ip6 saddr 2001:db8:1::10 icmpv6 type echo-request drop
    meta l4proto { icmp, ipv6-icmp } accept
  }
}
' | ip netns exec v6nftinet-srv nft -f -
printf '%s\n' 'table inet filter {
  chain input {
    type filter hook input priority 0; policy drop;
    ct state established accept
    icmp type echo-request accept
    icmpv6 type echo-request accept
  }
}
' | ip netns exec v6nftinet-nd nft -f -
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
vnetlab_wait v6nftinet-h1 v6nftinet-h2 v6nftinet-r v6nftinet-srv v6nftinet-nd
