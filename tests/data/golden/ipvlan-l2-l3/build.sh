#!/bin/sh
# lab ipvlan, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down ipvlan`)
set -e
ip netns add ipvlan-lan
ip netns exec ipvlan-lan sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec ipvlan-lan sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n ipvlan-lan link set lo alias vnetlab:ipvlan:lan
ip netns add ipvlan-hostl2
ip netns exec ipvlan-hostl2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec ipvlan-hostl2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n ipvlan-hostl2 link set lo alias vnetlab:ipvlan:hostl2
ip netns add ipvlan-l2a
ip netns exec ipvlan-l2a sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec ipvlan-l2a sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n ipvlan-l2a link set lo alias vnetlab:ipvlan:l2a
ip netns add ipvlan-l2b
ip netns exec ipvlan-l2b sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec ipvlan-l2b sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n ipvlan-l2b link set lo alias vnetlab:ipvlan:l2b
ip netns add ipvlan-hostl3
ip netns exec ipvlan-hostl3 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec ipvlan-hostl3 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n ipvlan-hostl3 link set lo alias vnetlab:ipvlan:hostl3
ip netns add ipvlan-l3a
ip netns exec ipvlan-l3a sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec ipvlan-l3a sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n ipvlan-l3a link set lo alias vnetlab:ipvlan:l3a
ip netns add ipvlan-l3b
ip netns exec ipvlan-l3b sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec ipvlan-l3b sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n ipvlan-l3b link set lo alias vnetlab:ipvlan:l3b
ip netns add ipvlan-peer
ip netns exec ipvlan-peer sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec ipvlan-peer sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n ipvlan-peer link set lo alias vnetlab:ipvlan:peer
ip -n ipvlan-lan -batch - <<'EOF'
link add name sw address c6:5e:a0:29:a5:25 type bridge stp_state 0
EOF
ip -n ipvlan-hostl2 -batch - <<'EOF'
link add name eth0 address 76:a7:39:d0:33:0e type veth peer name p0 address 5e:3a:85:2b:4c:f4 netns ipvlan-lan
link add name ipv0 link eth0 netns ipvlan-l2a type ipvlan mode l2 bridge
link add name ipv0 link eth0 netns ipvlan-l2b type ipvlan mode l2 bridge
EOF
ip -n ipvlan-hostl3 -batch - <<'EOF'
link add name eth0 address fa:d6:2e:aa:67:99 type veth peer name p1 address 4a:15:79:5c:54:a5 netns ipvlan-lan
link add name ipv0 link eth0 netns ipvlan-l3a type ipvlan mode l3 bridge
link add name ipv0 link eth0 netns ipvlan-l3b type ipvlan mode l3 bridge
EOF
ip -n ipvlan-peer -batch - <<'EOF'
link add name eth0 address 26:47:c9:e8:40:c4 type veth peer name p2 address 76:04:75:fa:f7:31 netns ipvlan-lan
EOF
ip -n ipvlan-lan -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
link set dev p2 master sw
EOF
ip -n ipvlan-hostl2 -batch - <<'EOF'
address add 198.18.0.10/24 dev eth0
EOF
ip -n ipvlan-l2a -batch - <<'EOF'
address add 198.18.0.11/24 dev ipv0
EOF
ip -n ipvlan-l2b -batch - <<'EOF'
address add 198.18.0.12/24 dev ipv0
EOF
ip -n ipvlan-hostl3 -batch - <<'EOF'
address add 198.18.0.20/24 dev eth0
EOF
ip -n ipvlan-l3a -batch - <<'EOF'
address add 198.18.5.1/24 dev ipv0
EOF
ip -n ipvlan-l3b -batch - <<'EOF'
address add 198.18.5.2/24 dev ipv0
EOF
ip -n ipvlan-peer -batch - <<'EOF'
address add 198.18.0.66/24 dev eth0
EOF
ip -n ipvlan-lan -batch - <<'EOF'
link set dev sw up
EOF
ip -n ipvlan-hostl2 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n ipvlan-lan -batch - <<'EOF'
link set dev p0 up
EOF
ip -n ipvlan-l2a -batch - <<'EOF'
link set dev ipv0 up
EOF
ip -n ipvlan-l2b -batch - <<'EOF'
link set dev ipv0 up
EOF
ip -n ipvlan-hostl3 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n ipvlan-lan -batch - <<'EOF'
link set dev p1 up
EOF
ip -n ipvlan-l3a -batch - <<'EOF'
link set dev ipv0 up
EOF
ip -n ipvlan-l3b -batch - <<'EOF'
link set dev ipv0 up
EOF
ip -n ipvlan-peer -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n ipvlan-lan -batch - <<'EOF'
link set dev p2 up
link set dev lo up
EOF
ip -n ipvlan-hostl2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n ipvlan-l2a -batch - <<'EOF'
link set dev lo up
EOF
ip -n ipvlan-l2b -batch - <<'EOF'
link set dev lo up
EOF
ip -n ipvlan-hostl3 -batch - <<'EOF'
link set dev lo up
EOF
ip -n ipvlan-l3a -batch - <<'EOF'
link set dev lo up
EOF
ip -n ipvlan-l3b -batch - <<'EOF'
link set dev lo up
EOF
ip -n ipvlan-peer -batch - <<'EOF'
link set dev lo up
EOF
ip -n ipvlan-l3a -batch - <<'EOF'
route add default dev ipv0 proto static
EOF
ip -n ipvlan-l3b -batch - <<'EOF'
route add default dev ipv0 proto static
EOF
ip -n ipvlan-peer -batch - <<'EOF'
route add 198.18.5.0/24 via 198.18.0.20 proto static
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
vnetlab_wait ipvlan-lan ipvlan-hostl2 ipvlan-l2a ipvlan-l2b ipvlan-hostl3 ipvlan-l3a ipvlan-l3b ipvlan-peer
