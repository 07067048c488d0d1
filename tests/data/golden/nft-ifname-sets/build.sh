#!/bin/sh
# lab nftifname, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down nftifname`)
set -e
ip netns add nftifname-dmzsw
ip netns exec nftifname-dmzsw sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftifname-dmzsw sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftifname-dmzsw link set lo alias vnetlab:nftifname:dmzsw
ip netns add nftifname-l1
ip netns exec nftifname-l1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftifname-l1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftifname-l1 link set lo alias vnetlab:nftifname:l1
ip netns add nftifname-l2
ip netns exec nftifname-l2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftifname-l2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftifname-l2 link set lo alias vnetlab:nftifname:l2
ip netns add nftifname-r
ip netns exec nftifname-r sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftifname-r sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftifname-r link set lo alias vnetlab:nftifname:r
ip netns add nftifname-web
ip netns exec nftifname-web sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftifname-web sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftifname-web link set lo alias vnetlab:nftifname:web
ip netns add nftifname-db
ip netns exec nftifname-db sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftifname-db sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftifname-db link set lo alias vnetlab:nftifname:db
ip -n nftifname-dmzsw -batch - <<'EOF'
link add name sw address 0e:59:63:6f:68:35 type bridge stp_state 0
EOF
ip -n nftifname-l1 -batch - <<'EOF'
link add name eth0 address 92:30:57:1c:95:d7 type veth peer name lan1 address 76:42:eb:03:57:18 netns nftifname-r
EOF
ip -n nftifname-l2 -batch - <<'EOF'
link add name eth0 address 2e:c0:6a:08:ff:b4 type veth peer name lan2 address 5a:20:5f:ad:b9:de netns nftifname-r
EOF
ip -n nftifname-r -batch - <<'EOF'
link add name dmz address 42:e4:3c:58:9e:95 type veth peer name p0 address fe:3c:84:ac:ef:6d netns nftifname-dmzsw
EOF
ip -n nftifname-web -batch - <<'EOF'
link add name eth0 address da:44:c6:27:91:be type veth peer name p1 address 36:d4:b5:56:26:2e netns nftifname-dmzsw
EOF
ip -n nftifname-db -batch - <<'EOF'
link add name eth0 address d6:41:a5:c9:3a:5b type veth peer name p2 address 76:16:76:a2:2a:8d netns nftifname-dmzsw
EOF
ip -n nftifname-dmzsw -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
link set dev p2 master sw
EOF
ip -n nftifname-l1 -batch - <<'EOF'
address add 192.0.2.10/25 dev eth0
EOF
ip -n nftifname-l2 -batch - <<'EOF'
address add 192.0.2.130/25 dev eth0
EOF
ip netns exec nftifname-r sysctl -qw net.ipv4.ip_forward=1
ip -n nftifname-r -batch - <<'EOF'
address add 192.0.2.1/25 dev lan1
address add 192.0.2.129/25 dev lan2
address add 203.0.113.1/24 dev dmz
EOF
ip -n nftifname-web -batch - <<'EOF'
address add 203.0.113.80/24 dev eth0
EOF
ip -n nftifname-db -batch - <<'EOF'
address add 203.0.113.20/24 dev eth0
EOF
ip -n nftifname-dmzsw -batch - <<'EOF'
link set dev sw up
EOF
ip -n nftifname-r -batch - <<'EOF'
link set dev lan1 up
EOF
ip -n nftifname-l1 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftifname-r -batch - <<'EOF'
link set dev lan2 up
EOF
ip -n nftifname-l2 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftifname-r -batch - <<'EOF'
link set dev dmz up
EOF
ip -n nftifname-dmzsw -batch - <<'EOF'
link set dev p0 up
EOF
ip -n nftifname-web -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftifname-dmzsw -batch - <<'EOF'
link set dev p1 up
EOF
ip -n nftifname-db -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftifname-dmzsw -batch - <<'EOF'
link set dev p2 up
link set dev lo up
EOF
ip -n nftifname-l1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftifname-l2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftifname-r -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftifname-web -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftifname-db -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftifname-l1 -batch - <<'EOF'
route add default via 192.0.2.1 proto static
EOF
ip -n nftifname-l2 -batch - <<'EOF'
route add default via 192.0.2.129 proto static
EOF
ip -n nftifname-web -batch - <<'EOF'
route add default via 203.0.113.1 proto static
EOF
ip -n nftifname-db -batch - <<'EOF'
route add default via 203.0.113.1 proto static
EOF
printf '%s\n' 'table inet filter {
  chain to_dmz {
    ip daddr { 203.0.113.80, 203.0.113.90-203.0.113.99 } accept
    return
  }
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established accept
    iifname "lan*" oifname "dmz" jump to_dmz
    iifname { "lan1", "lan2" } oifname { "lan1", "lan2" } accept
    iifname "dmz" counter drop
  }
}
' | ip netns exec nftifname-r nft -f -
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
vnetlab_wait nftifname-dmzsw nftifname-l1 nftifname-l2 nftifname-r nftifname-web nftifname-db
