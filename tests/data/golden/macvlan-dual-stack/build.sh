#!/bin/sh
# lab mvdual, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down mvdual`)
set -e
ip netns add mvdual-lan
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvdual-lan sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvdual-lan link set lo alias vnetlab:mvdual:lan
ip netns add mvdual-p
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvdual-p sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvdual-p link set lo alias vnetlab:mvdual:p
ip netns add mvdual-s1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvdual-s1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvdual-s1 link set lo alias vnetlab:mvdual:s1
ip netns add mvdual-s2
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvdual-s2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvdual-s2 link set lo alias vnetlab:mvdual:s2
ip netns add mvdual-q1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvdual-q1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvdual-q1 link set lo alias vnetlab:mvdual:q1
ip netns add mvdual-v1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvdual-v1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvdual-v1 link set lo alias vnetlab:mvdual:v1
ip netns add mvdual-peer
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvdual-peer sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvdual-peer link set lo alias vnetlab:mvdual:peer
ip -n mvdual-lan -batch - <<'EOF'
link add name sw address 3e:7b:f7:f4:40:52 type bridge stp_state 0
EOF
ip -n mvdual-p -batch - <<'EOF'
link add name eth0 address 02:00:00:00:d5:01 type veth peer name p0 address 8e:9d:c1:24:09:1d netns mvdual-lan
link add name mv0 link eth0 address 02:00:00:00:d5:11 netns mvdual-s1 type macvlan mode private
link add name mv0 link eth0 address 02:00:00:00:d5:12 netns mvdual-s2 type macvlan mode private
link add name mv0 link eth0 address 02:00:00:00:d5:21 netns mvdual-q1 type macvtap mode private
link add name mv0 link eth0 address 02:00:00:00:d5:31 netns mvdual-v1 type macvlan mode vepa
EOF
ip -n mvdual-peer -batch - <<'EOF'
link add name eth0 address 02:00:00:00:d5:66 type veth peer name p1 address 46:fb:6b:cc:b4:37 netns mvdual-lan
EOF
ip -n mvdual-lan -batch - <<'EOF'
link set dev p0 master sw
link set dev p0 type bridge_slave hairpin on
link set dev p1 master sw
link set dev p1 type bridge_slave hairpin on
EOF
ip -n mvdual-p -batch - <<'EOF'
address add 198.51.100.1/24 dev eth0
address add 2001:db8:5::1/64 dev eth0
EOF
ip -n mvdual-s1 -batch - <<'EOF'
address add 198.51.100.11/24 dev mv0
address add 2001:db8:5::11/64 dev mv0
EOF
ip -n mvdual-s2 -batch - <<'EOF'
address add 198.51.100.12/24 dev mv0
address add 2001:db8:5::12/64 dev mv0
EOF
ip netns exec mvdual-q1 sysctl -qw net.ipv6.conf.all.enhanced_dad=0
ip netns exec mvdual-q1 sysctl -qw net.ipv6.conf.mv0.enhanced_dad=0
ip -n mvdual-q1 -batch - <<'EOF'
address add 198.51.100.21/24 dev mv0
address add 2001:db8:5::21/64 dev mv0
EOF
ip netns exec mvdual-v1 sysctl -qw net.ipv6.conf.all.enhanced_dad=0
ip netns exec mvdual-v1 sysctl -qw net.ipv6.conf.mv0.enhanced_dad=0
ip -n mvdual-v1 -batch - <<'EOF'
address add 198.51.100.31/24 dev mv0
address add 2001:db8:5::31/64 dev mv0
EOF
ip -n mvdual-peer -batch - <<'EOF'
address add 198.51.100.66/24 dev eth0
address add 2001:db8:5::66/64 dev eth0
EOF
ip -n mvdual-lan -batch - <<'EOF'
link set dev sw up
EOF
ip -n mvdual-p -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n mvdual-lan -batch - <<'EOF'
link set dev p0 up
EOF
ip -n mvdual-s1 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n mvdual-s2 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n mvdual-q1 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n mvdual-v1 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n mvdual-peer -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n mvdual-lan -batch - <<'EOF'
link set dev p1 up
link set dev lo up
EOF
ip -n mvdual-p -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvdual-s1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvdual-s2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvdual-q1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvdual-v1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvdual-peer -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvdual-s1 -batch - <<'EOF'
neigh add 198.51.100.12 lladdr 02:00:00:00:d5:12 dev mv0 nud permanent
EOF
ip -n mvdual-s2 -batch - <<'EOF'
neigh add 198.51.100.11 lladdr 02:00:00:00:d5:11 dev mv0 nud permanent
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
vnetlab_wait mvdual-lan mvdual-p mvdual-s1 mvdual-s2 mvdual-q1 mvdual-v1 mvdual-peer
