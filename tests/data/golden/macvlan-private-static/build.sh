#!/bin/sh
# lab mvpriv, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down mvpriv`)
set -e
ip netns add mvpriv-lan
ip netns exec mvpriv-lan sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvpriv-lan sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvpriv-lan link set lo alias vnetlab:mvpriv:lan
ip netns add mvpriv-a
ip netns exec mvpriv-a sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvpriv-a sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvpriv-a link set lo alias vnetlab:mvpriv:a
ip netns add mvpriv-a1
ip netns exec mvpriv-a1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvpriv-a1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvpriv-a1 link set lo alias vnetlab:mvpriv:a1
ip netns add mvpriv-a2
ip netns exec mvpriv-a2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvpriv-a2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvpriv-a2 link set lo alias vnetlab:mvpriv:a2
ip netns add mvpriv-b
ip netns exec mvpriv-b sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvpriv-b sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvpriv-b link set lo alias vnetlab:mvpriv:b
ip netns add mvpriv-b1
ip netns exec mvpriv-b1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvpriv-b1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvpriv-b1 link set lo alias vnetlab:mvpriv:b1
ip netns add mvpriv-b2
ip netns exec mvpriv-b2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvpriv-b2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvpriv-b2 link set lo alias vnetlab:mvpriv:b2
ip netns add mvpriv-peer
ip netns exec mvpriv-peer sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvpriv-peer sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvpriv-peer link set lo alias vnetlab:mvpriv:peer
ip -n mvpriv-lan -batch - <<'EOF'
link add name sw address a2:38:b3:d5:41:41 type bridge stp_state 0
EOF
ip -n mvpriv-a -batch - <<'EOF'
link add name eth0 address f6:2a:89:30:2b:44 type veth peer name p0 address 86:19:36:aa:25:58 netns mvpriv-lan
link add name mv0 link eth0 address fa:c6:47:3e:8f:0e netns mvpriv-a1 type macvlan mode private
link add name mv0 link eth0 address 5a:aa:cd:7a:41:bc netns mvpriv-a2 type macvlan mode private
EOF
ip -n mvpriv-b -batch - <<'EOF'
link add name eth0 address 2a:a8:b5:50:d6:14 type veth peer name p1 address ca:73:a6:60:3c:f3 netns mvpriv-lan
link add name mv0 link eth0 address 02:00:00:00:b1:01 netns mvpriv-b1 type macvlan mode private
link add name mv0 link eth0 address 02:00:00:00:b2:01 netns mvpriv-b2 type macvlan mode private
EOF
ip -n mvpriv-peer -batch - <<'EOF'
link add name eth0 address 62:ea:32:99:c0:b2 type veth peer name p2 address 32:da:25:a7:ac:45 netns mvpriv-lan
EOF
ip -n mvpriv-lan -batch - <<'EOF'
link set dev p0 master sw
link set dev p0 type bridge_slave hairpin on
link set dev p1 master sw
link set dev p1 type bridge_slave hairpin on
link set dev p2 master sw
link set dev p2 type bridge_slave hairpin on
EOF
ip -n mvpriv-a -batch - <<'EOF'
address add 198.51.100.10/24 dev eth0
EOF
ip -n mvpriv-a1 -batch - <<'EOF'
address add 198.51.100.11/24 dev mv0
EOF
ip -n mvpriv-a2 -batch - <<'EOF'
address add 198.51.100.12/24 dev mv0
EOF
ip -n mvpriv-b -batch - <<'EOF'
address add 198.51.100.20/24 dev eth0
EOF
ip -n mvpriv-b1 -batch - <<'EOF'
address add 198.51.100.21/24 dev mv0
EOF
ip -n mvpriv-b2 -batch - <<'EOF'
address add 198.51.100.22/24 dev mv0
EOF
ip -n mvpriv-peer -batch - <<'EOF'
address add 198.51.100.66/24 dev eth0
EOF
ip -n mvpriv-lan -batch - <<'EOF'
link set dev sw up
EOF
ip -n mvpriv-a -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n mvpriv-lan -batch - <<'EOF'
link set dev p0 up
EOF
ip -n mvpriv-a1 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n mvpriv-a2 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n mvpriv-b -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n mvpriv-lan -batch - <<'EOF'
link set dev p1 up
EOF
ip -n mvpriv-b1 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n mvpriv-b2 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n mvpriv-peer -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n mvpriv-lan -batch - <<'EOF'
link set dev p2 up
link set dev lo up
EOF
ip -n mvpriv-a -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvpriv-a1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvpriv-a2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvpriv-b -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvpriv-b1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvpriv-b2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvpriv-peer -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvpriv-b1 -batch - <<'EOF'
neigh add 198.51.100.22 lladdr 02:00:00:00:b2:01 dev mv0 nud permanent
EOF
ip -n mvpriv-b2 -batch - <<'EOF'
neigh add 198.51.100.21 lladdr 02:00:00:00:b1:01 dev mv0 nud permanent
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
vnetlab_wait mvpriv-lan mvpriv-a mvpriv-a1 mvpriv-a2 mvpriv-b mvpriv-b1 mvpriv-b2 mvpriv-peer
