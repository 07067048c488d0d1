#!/bin/sh
# lab nftasym, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down nftasym`)
set -e
ip netns add nftasym-sa
ip netns exec nftasym-sa sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftasym-sa sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftasym-sa link set lo alias vnetlab:nftasym:sa
ip netns add nftasym-sb
ip netns exec nftasym-sb sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftasym-sb sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftasym-sb link set lo alias vnetlab:nftasym:sb
ip netns add nftasym-a
ip netns exec nftasym-a sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftasym-a sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftasym-a link set lo alias vnetlab:nftasym:a
ip netns add nftasym-r1
ip netns exec nftasym-r1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftasym-r1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftasym-r1 link set lo alias vnetlab:nftasym:r1
ip netns add nftasym-r2
ip netns exec nftasym-r2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftasym-r2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftasym-r2 link set lo alias vnetlab:nftasym:r2
ip netns add nftasym-b
ip netns exec nftasym-b sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftasym-b sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftasym-b link set lo alias vnetlab:nftasym:b
ip -n nftasym-sa -batch - <<'EOF'
link add name sw address 62:23:40:2b:a0:ac type bridge stp_state 0
EOF
ip -n nftasym-sb -batch - <<'EOF'
link add name sw address c6:0c:00:a2:e2:e5 type bridge stp_state 0
EOF
ip -n nftasym-a -batch - <<'EOF'
link add name eth0 address 92:2c:15:8b:da:48 type veth peer name p0 address ea:59:83:0d:95:2c netns nftasym-sa
EOF
ip -n nftasym-r1 -batch - <<'EOF'
link add name ea address 1e:03:6d:a6:c6:84 type veth peer name p1 address b2:a7:db:ce:8a:f1 netns nftasym-sa
link add name eb address 66:b6:88:dd:99:09 type veth peer name p0 address 4e:48:f7:a6:83:c5 netns nftasym-sb
EOF
ip -n nftasym-r2 -batch - <<'EOF'
link add name ea address 72:42:a5:88:df:9e type veth peer name p2 address 86:c8:6d:10:84:c1 netns nftasym-sa
link add name eb address c2:ed:71:61:fc:dc type veth peer name p1 address d2:fc:0d:1c:6a:65 netns nftasym-sb
EOF
ip -n nftasym-b -batch - <<'EOF'
link add name eth0 address 4a:58:05:98:cc:8f type veth peer name p2 address 36:51:82:3c:1e:6e netns nftasym-sb
EOF
ip -n nftasym-sa -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
link set dev p2 master sw
EOF
ip -n nftasym-sb -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
link set dev p2 master sw
EOF
ip -n nftasym-a -batch - <<'EOF'
address add 192.0.2.10/24 dev eth0
EOF
ip netns exec nftasym-r1 sysctl -qw net.ipv4.ip_forward=1
ip -n nftasym-r1 -batch - <<'EOF'
address add 192.0.2.1/24 dev ea
address add 198.51.100.1/24 dev eb
EOF
ip netns exec nftasym-r2 sysctl -qw net.ipv4.ip_forward=1
ip -n nftasym-r2 -batch - <<'EOF'
address add 192.0.2.2/24 dev ea
address add 198.51.100.2/24 dev eb
EOF
ip -n nftasym-b -batch - <<'EOF'
address add 198.51.100.10/24 dev eth0
EOF
ip -n nftasym-sa -batch - <<'EOF'
link set dev sw up
EOF
ip -n nftasym-sb -batch - <<'EOF'
link set dev sw up
EOF
ip -n nftasym-a -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftasym-sa -batch - <<'EOF'
link set dev p0 up
EOF
ip -n nftasym-r1 -batch - <<'EOF'
link set dev ea up
EOF
ip -n nftasym-sa -batch - <<'EOF'
link set dev p1 up
EOF
ip -n nftasym-r1 -batch - <<'EOF'
link set dev eb up
EOF
ip -n nftasym-sb -batch - <<'EOF'
link set dev p0 up
EOF
ip -n nftasym-r2 -batch - <<'EOF'
link set dev ea up
EOF
ip -n nftasym-sa -batch - <<'EOF'
link set dev p2 up
EOF
ip -n nftasym-r2 -batch - <<'EOF'
link set dev eb up
EOF
ip -n nftasym-sb -batch - <<'EOF'
link set dev p1 up
EOF
ip -n nftasym-b -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftasym-sb -batch - <<'EOF'
link set dev p2 up
EOF
ip -n nftasym-sa -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftasym-sb -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftasym-a -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftasym-r1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftasym-r2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftasym-b -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftasym-a -batch - <<'EOF'
route add default via 192.0.2.1 proto static
EOF
ip -n nftasym-b -batch - <<'EOF'
route add default via 198.51.100.2 proto static
EOF
printf '%s\n' 'table inet filter {
  chain forward {
    type filter hook forward priority filter; policy accept;
    ct state invalid counter drop
  }
}
' | ip netns exec nftasym-r2 nft -f -
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
vnetlab_wait nftasym-sa nftasym-sb nftasym-a nftasym-r1 nftasym-r2 nftasym-b
