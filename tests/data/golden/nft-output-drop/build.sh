#!/bin/sh
# lab nftoutput, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down nftoutput`)
set -e
ip netns add nftoutput-lan
ip netns exec nftoutput-lan sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftoutput-lan sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftoutput-lan link set lo alias vnetlab:nftoutput:lan
ip netns add nftoutput-h1
ip netns exec nftoutput-h1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftoutput-h1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftoutput-h1 link set lo alias vnetlab:nftoutput:h1
ip netns add nftoutput-h2
ip netns exec nftoutput-h2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftoutput-h2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftoutput-h2 link set lo alias vnetlab:nftoutput:h2
ip netns add nftoutput-h3
ip netns exec nftoutput-h3 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftoutput-h3 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftoutput-h3 link set lo alias vnetlab:nftoutput:h3
ip -n nftoutput-lan -batch - <<'EOF'
link add name sw address e6:02:d3:3a:d3:c1 type bridge stp_state 0
EOF
ip -n nftoutput-h1 -batch - <<'EOF'
link add name eth0 address ca:24:f2:56:bb:ba type veth peer name p0 address 06:01:94:e3:fa:58 netns nftoutput-lan
EOF
ip -n nftoutput-h2 -batch - <<'EOF'
link add name eth0 address 62:3f:68:73:de:3d type veth peer name p1 address da:45:0b:97:e2:6e netns nftoutput-lan
EOF
ip -n nftoutput-h3 -batch - <<'EOF'
link add name eth0 address fe:d7:0f:d8:b9:a3 type veth peer name p2 address ba:d6:aa:99:fa:5b netns nftoutput-lan
EOF
ip -n nftoutput-lan -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
link set dev p2 master sw
EOF
ip -n nftoutput-h1 -batch - <<'EOF'
address add 192.0.2.1/24 dev eth0
EOF
ip -n nftoutput-h2 -batch - <<'EOF'
address add 192.0.2.2/24 dev eth0
EOF
ip -n nftoutput-h3 -batch - <<'EOF'
address add 192.0.2.3/24 dev eth0
EOF
ip -n nftoutput-lan -batch - <<'EOF'
link set dev sw up
EOF
ip -n nftoutput-h1 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftoutput-lan -batch - <<'EOF'
link set dev p0 up
EOF
ip -n nftoutput-h2 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftoutput-lan -batch - <<'EOF'
link set dev p1 up
EOF
ip -n nftoutput-h3 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftoutput-lan -batch - <<'EOF'
link set dev p2 up
link set dev lo up
EOF
ip -n nftoutput-h1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftoutput-h2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftoutput-h3 -batch - <<'EOF'
link set dev lo up
EOF
printf '%s\n' 'table ip early {
  chain output {
    type filter hook output priority -10; policy accept;
    counter accept
  }
}
table inet out {
  chain output {
    type filter hook output priority 0; policy accept;
    oifname "eth0" ip daddr 192.0.2.3 icmp type echo-request log prefix "blocked " drop
  }
}
table ip6 v6 {
  chain output {
    type filter hook output priority 0; policy drop;
  }
}
' | ip netns exec nftoutput-h1 nft -f -
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
vnetlab_wait nftoutput-lan nftoutput-h1 nftoutput-h2 nftoutput-h3
