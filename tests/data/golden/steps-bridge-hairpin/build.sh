#!/bin/sh
# lab stbrhair, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down stbrhair`)
set -e
ip netns add stbrhair-sw
ip netns exec stbrhair-sw sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec stbrhair-sw sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n stbrhair-sw link set lo alias vnetlab:stbrhair:sw
ip netns add stbrhair-h1
ip netns exec stbrhair-h1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec stbrhair-h1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n stbrhair-h1 link set lo alias vnetlab:stbrhair:h1
ip netns add stbrhair-h2
ip netns exec stbrhair-h2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec stbrhair-h2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n stbrhair-h2 link set lo alias vnetlab:stbrhair:h2
ip netns add stbrhair-a1
ip netns exec stbrhair-a1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec stbrhair-a1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n stbrhair-a1 link set lo alias vnetlab:stbrhair:a1
ip netns add stbrhair-a2
ip netns exec stbrhair-a2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec stbrhair-a2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n stbrhair-a2 link set lo alias vnetlab:stbrhair:a2
ip netns add stbrhair-b1
ip netns exec stbrhair-b1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec stbrhair-b1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n stbrhair-b1 link set lo alias vnetlab:stbrhair:b1
ip -n stbrhair-sw -batch - <<'EOF'
link add name br0 address 56:ad:9a:54:3c:1e type bridge stp_state 0
link add name p1 address 46:de:05:ae:2b:2f type veth peer name eth0 address aa:03:0e:45:ed:69 netns stbrhair-h1
link add name p2 address be:f0:4a:ee:25:91 type veth peer name eth0 address fa:c7:07:76:70:bd netns stbrhair-h2
EOF
ip -n stbrhair-h1 -batch - <<'EOF'
link add name mv0 link eth0 address d2:53:8e:8f:26:79 netns stbrhair-a1 type macvlan mode vepa
link add name mv0 link eth0 address 32:e7:7a:40:22:3b netns stbrhair-a2 type macvlan mode vepa
EOF
ip -n stbrhair-h2 -batch - <<'EOF'
link add name mv0 link eth0 address 76:6f:3e:9d:a5:29 netns stbrhair-b1 type macvlan mode vepa
EOF
ip -n stbrhair-sw -batch - <<'EOF'
link set dev p1 master br0
link set dev p2 master br0
EOF
ip -n stbrhair-a1 -batch - <<'EOF'
address add 203.0.113.11/24 dev mv0
EOF
ip -n stbrhair-a2 -batch - <<'EOF'
address add 203.0.113.12/24 dev mv0
EOF
ip -n stbrhair-b1 -batch - <<'EOF'
address add 203.0.113.21/24 dev mv0
EOF
ip -n stbrhair-sw -batch - <<'EOF'
link set dev br0 up
EOF
ip -n stbrhair-h1 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n stbrhair-sw -batch - <<'EOF'
link set dev p1 up
EOF
ip -n stbrhair-h2 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n stbrhair-sw -batch - <<'EOF'
link set dev p2 up
EOF
ip -n stbrhair-a1 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n stbrhair-a2 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n stbrhair-b1 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n stbrhair-sw -batch - <<'EOF'
link set dev lo up
EOF
ip -n stbrhair-h1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n stbrhair-h2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n stbrhair-a1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n stbrhair-a2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n stbrhair-b1 -batch - <<'EOF'
link set dev lo up
EOF
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
vnetlab_wait stbrhair-sw stbrhair-h1 stbrhair-h2 stbrhair-a1 stbrhair-a2 stbrhair-b1
