#!/bin/sh
# lab nftstate, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down nftstate`)
set -e
ip netns add nftstate-lanhost
ip netns exec nftstate-lanhost sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftstate-lanhost sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftstate-lanhost link set lo alias vnetlab:nftstate:lanhost
ip netns add nftstate-r
ip netns exec nftstate-r sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftstate-r sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftstate-r link set lo alias vnetlab:nftstate:r
ip netns add nftstate-wanhost
ip netns exec nftstate-wanhost sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftstate-wanhost sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftstate-wanhost link set lo alias vnetlab:nftstate:wanhost
ip -n nftstate-lanhost -batch - <<'EOF'
link add name eth0 address ee:fc:af:bb:fa:69 type veth peer name lan address 9e:de:8d:0f:67:62 netns nftstate-r
EOF
ip -n nftstate-r -batch - <<'EOF'
link add name wan address e2:58:b0:ae:a9:ca type veth peer name eth0 address 92:e8:d7:7a:4f:74 netns nftstate-wanhost
EOF
ip -n nftstate-lanhost -batch - <<'EOF'
address add 192.0.2.10/24 dev eth0
EOF
ip netns exec nftstate-r sysctl -qw net.ipv4.ip_forward=1
ip -n nftstate-r -batch - <<'EOF'
address add 192.0.2.1/24 dev lan
address add 198.51.100.1/24 dev wan
EOF
ip -n nftstate-wanhost -batch - <<'EOF'
address add 198.51.100.10/24 dev eth0
EOF
ip -n nftstate-r -batch - <<'EOF'
link set dev lan up
EOF
ip -n nftstate-lanhost -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftstate-wanhost -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftstate-r -batch - <<'EOF'
link set dev wan up
EOF
ip -n nftstate-lanhost -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftstate-r -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftstate-wanhost -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftstate-lanhost -batch - <<'EOF'
route add default via 192.0.2.1 proto static
EOF
ip -n nftstate-wanhost -batch - <<'EOF'
route add default via 198.51.100.1 proto static
EOF
printf '%s\n' 'table inet filter {
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state vmap { established : accept, related : accept, invalid : drop }
    iifname "lan" oifname "wan" accept
  }
}
' | ip netns exec nftstate-r nft -f -
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
vnetlab_wait nftstate-lanhost nftstate-r nftstate-wanhost
