#!/bin/sh
# lab nftnames, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down nftnames`)
set -e
ip netns add nftnames-hub
ip netns exec nftnames-hub sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftnames-hub sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftnames-hub link set lo alias vnetlab:nftnames:hub
ip netns add nftnames-h1
ip netns exec nftnames-h1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftnames-h1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftnames-h1 link set lo alias vnetlab:nftnames:h1
ip netns add nftnames-h2
ip netns exec nftnames-h2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftnames-h2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftnames-h2 link set lo alias vnetlab:nftnames:h2
ip netns add nftnames-h3
ip netns exec nftnames-h3 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftnames-h3 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftnames-h3 link set lo alias vnetlab:nftnames:h3
ip -n nftnames-hub -batch - <<'EOF'
link add name br0 address da:6c:47:a8:b0:22 type bridge stp_state 0
link add name p1 address 62:33:7b:ba:c9:92 type veth peer name eth0 address 22:2c:b4:9b:82:cb netns nftnames-h1
link add name p2 address 12:fd:0d:0a:e5:e7 type veth peer name eth0 address 82:a6:e0:d8:6b:64 netns nftnames-h2
link add name up address 02:00:00:00:0c:01 type veth peer name eth0 address ee:e8:5b:5a:a6:00 netns nftnames-h3
link add name mv link up address 22:14:c7:78:ea:9c type macvlan mode bridge
link set dev p1 master br0
link set dev p2 master br0
EOF
ip netns exec nftnames-hub sysctl -qw net.ipv4.ip_forward=1
ip -n nftnames-hub -batch - <<'EOF'
address add 192.0.2.1/24 dev br0
address add 198.51.100.1/24 dev up
address add 198.51.100.5/24 dev mv
EOF
ip -n nftnames-h1 -batch - <<'EOF'
address add 192.0.2.11/24 dev eth0
EOF
ip -n nftnames-h2 -batch - <<'EOF'
address add 192.0.2.12/24 dev eth0
EOF
ip -n nftnames-h3 -batch - <<'EOF'
address add 198.51.100.10/24 dev eth0
EOF
ip -n nftnames-hub -batch - <<'EOF'
link set dev br0 up
EOF
ip -n nftnames-h1 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftnames-hub -batch - <<'EOF'
link set dev p1 up
EOF
ip -n nftnames-h2 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftnames-hub -batch - <<'EOF'
link set dev p2 up
EOF
ip -n nftnames-h3 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftnames-hub -batch - <<'EOF'
link set dev up up
link set dev mv up
link set dev lo up
EOF
ip -n nftnames-h1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftnames-h2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftnames-h3 -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftnames-h1 -batch - <<'EOF'
route add default via 192.0.2.1 proto static
EOF
ip -n nftnames-h2 -batch - <<'EOF'
route add default via 192.0.2.1 proto static
EOF
ip -n nftnames-h3 -batch - <<'EOF'
route add default via 198.51.100.1 proto static
neigh add 198.51.100.5 lladdr 02:00:00:00:0c:01 dev eth0 nud permanent
neigh add 198.51.100.1 lladdr 02:00:00:00:0c:01 dev eth0 nud permanent
EOF
printf '%s\n' 'table inet t {
  chain input {
    type filter hook input priority 0; policy accept;
    iifname "p1" drop
    iifname "br0" ip saddr 192.0.2.12 drop
    iifname "mv" ip saddr 198.51.100.10 icmp type echo-request drop
  }
  chain forward {
    type filter hook forward priority 0; policy accept;
    iifname "up" oifname "br0" ip daddr 192.0.2.11 drop
  }
}
' | ip netns exec nftnames-hub nft -f -
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
vnetlab_wait nftnames-hub nftnames-h1 nftnames-h2 nftnames-h3
