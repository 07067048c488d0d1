#!/bin/sh
# lab brhair, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down brhair`)
set -e
ip netns add brhair-sw
ip netns exec brhair-sw sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec brhair-sw sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n brhair-sw link set lo alias vnetlab:brhair:sw
ip netns add brhair-h1
ip netns exec brhair-h1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec brhair-h1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n brhair-h1 link set lo alias vnetlab:brhair:h1
ip netns add brhair-h2
ip netns exec brhair-h2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec brhair-h2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n brhair-h2 link set lo alias vnetlab:brhair:h2
ip netns add brhair-a1
ip netns exec brhair-a1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec brhair-a1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n brhair-a1 link set lo alias vnetlab:brhair:a1
ip netns add brhair-a2
ip netns exec brhair-a2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec brhair-a2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n brhair-a2 link set lo alias vnetlab:brhair:a2
ip netns add brhair-b1
ip netns exec brhair-b1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec brhair-b1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n brhair-b1 link set lo alias vnetlab:brhair:b1
ip netns add brhair-b2
ip netns exec brhair-b2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec brhair-b2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n brhair-b2 link set lo alias vnetlab:brhair:b2
ip -n brhair-sw -batch - <<'EOF'
link add name br0 address b6:f7:7e:dc:bc:b1 type bridge stp_state 0
link add name p1 address b2:59:d5:28:a9:82 type veth peer name eth0 address d6:46:51:b7:c2:3e netns brhair-h1
link add name p2 address 1e:20:04:e6:aa:fa type veth peer name eth0 address f2:ee:45:13:e8:39 netns brhair-h2
EOF
ip -n brhair-h1 -batch - <<'EOF'
link add name mv0 link eth0 address d2:4c:67:43:6f:38 netns brhair-a1 type macvlan mode vepa
link add name mv0 link eth0 address 8e:1f:06:d4:11:d6 netns brhair-a2 type macvlan mode vepa
EOF
ip -n brhair-h2 -batch - <<'EOF'
link add name mv0 link eth0 address e2:4d:40:3c:19:2c netns brhair-b1 type macvlan mode vepa
link add name mv0 link eth0 address f6:9d:82:a2:d2:68 netns brhair-b2 type macvlan mode vepa
EOF
ip -n brhair-sw -batch - <<'EOF'
link set dev p1 master br0
link set dev p1 type bridge_slave hairpin on
link set dev p2 master br0
EOF
ip -n brhair-a1 -batch - <<'EOF'
address add 203.0.113.11/24 dev mv0
EOF
ip -n brhair-a2 -batch - <<'EOF'
address add 203.0.113.12/24 dev mv0
EOF
ip -n brhair-b1 -batch - <<'EOF'
address add 203.0.113.21/24 dev mv0
EOF
ip -n brhair-b2 -batch - <<'EOF'
address add 203.0.113.22/24 dev mv0
EOF
ip -n brhair-sw -batch - <<'EOF'
link set dev br0 up
EOF
ip -n brhair-h1 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n brhair-sw -batch - <<'EOF'
link set dev p1 up
EOF
ip -n brhair-h2 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n brhair-sw -batch - <<'EOF'
link set dev p2 up
EOF
ip -n brhair-a1 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n brhair-a2 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n brhair-b1 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n brhair-b2 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n brhair-sw -batch - <<'EOF'
link set dev lo up
EOF
ip -n brhair-h1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n brhair-h2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n brhair-a1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n brhair-a2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n brhair-b1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n brhair-b2 -batch - <<'EOF'
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
vnetlab_wait brhair-sw brhair-h1 brhair-h2 brhair-a1 brhair-a2 brhair-b1 brhair-b2
