#!/bin/sh
# lab source, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down source`)
set -e
ip netns add source-lan
ip netns exec source-lan sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec source-lan sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n source-lan link set lo alias vnetlab:source:lan
ip netns add source-host
ip netns exec source-host sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec source-host sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n source-host link set lo alias vnetlab:source:host
ip netns add source-s1
ip netns exec source-s1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec source-s1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n source-s1 link set lo alias vnetlab:source:s1
ip netns add source-s2
ip netns exec source-s2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec source-s2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n source-s2 link set lo alias vnetlab:source:s2
ip netns add source-pa1
ip netns exec source-pa1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec source-pa1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n source-pa1 link set lo alias vnetlab:source:pa1
ip netns add source-pa2
ip netns exec source-pa2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec source-pa2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n source-pa2 link set lo alias vnetlab:source:pa2
ip netns add source-pa3
ip netns exec source-pa3 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec source-pa3 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n source-pa3 link set lo alias vnetlab:source:pa3
ip -n source-lan -batch - <<'EOF'
link add name sw address ce:4b:90:9c:af:e6 type bridge stp_state 0
EOF
ip -n source-host -batch - <<'EOF'
link add name eth0 address 76:2c:34:f5:59:fe type veth peer name p0 address be:94:e9:8b:84:5b netns source-lan
link add name mv0 link eth0 address ee:5b:95:4a:3a:cd netns source-s1 type macvlan mode source
EOF
ip -n source-s1 -batch - <<'EOF'
link set dev mv0 type macvlan macaddr add 02:00:00:00:00:a1
link set dev mv0 type macvlan macaddr add 02:00:00:00:00:a2
EOF
ip -n source-host -batch - <<'EOF'
link add name mv0 link eth0 address 0a:a5:36:6b:b8:f1 netns source-s2 type macvlan mode source
EOF
ip -n source-s2 -batch - <<'EOF'
link set dev mv0 type macvlan macaddr add 02:00:00:00:00:a2
EOF
ip -n source-pa1 -batch - <<'EOF'
link add name eth0 address 02:00:00:00:00:a1 type veth peer name p1 address 9e:ca:53:70:de:81 netns source-lan
EOF
ip -n source-pa2 -batch - <<'EOF'
link add name eth0 address 02:00:00:00:00:a2 type veth peer name p2 address 32:75:39:4a:b7:50 netns source-lan
EOF
ip -n source-pa3 -batch - <<'EOF'
link add name eth0 address 02:00:00:00:00:a3 type veth peer name p3 address 0a:5a:2f:42:a8:fa netns source-lan
EOF
ip -n source-lan -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
link set dev p2 master sw
link set dev p3 master sw
EOF
ip -n source-s1 -batch - <<'EOF'
address add 203.0.113.11/24 dev mv0
EOF
ip -n source-s2 -batch - <<'EOF'
address add 203.0.113.12/24 dev mv0
EOF
ip -n source-pa1 -batch - <<'EOF'
address add 203.0.113.101/24 dev eth0
EOF
ip -n source-pa2 -batch - <<'EOF'
address add 203.0.113.102/24 dev eth0
EOF
ip -n source-pa3 -batch - <<'EOF'
address add 203.0.113.103/24 dev eth0
EOF
ip -n source-lan -batch - <<'EOF'
link set dev sw up
EOF
ip -n source-host -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n source-lan -batch - <<'EOF'
link set dev p0 up
EOF
ip -n source-s1 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n source-s2 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n source-pa1 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n source-lan -batch - <<'EOF'
link set dev p1 up
EOF
ip -n source-pa2 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n source-lan -batch - <<'EOF'
link set dev p2 up
EOF
ip -n source-pa3 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n source-lan -batch - <<'EOF'
link set dev p3 up
link set dev lo up
EOF
ip -n source-host -batch - <<'EOF'
link set dev lo up
EOF
ip -n source-s1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n source-s2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n source-pa1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n source-pa2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n source-pa3 -batch - <<'EOF'
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
vnetlab_wait source-lan source-host source-s1 source-s2 source-pa1 source-pa2 source-pa3
