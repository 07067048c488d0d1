#!/bin/sh
# lab v6ipvlan, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down v6ipvlan`)
set -e
ip netns add v6ipvlan-lan
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6ipvlan-lan sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6ipvlan-lan link set lo alias vnetlab:v6ipvlan:lan
ip netns add v6ipvlan-hostl2
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6ipvlan-hostl2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6ipvlan-hostl2 link set lo alias vnetlab:v6ipvlan:hostl2
ip netns add v6ipvlan-l2a
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6ipvlan-l2a sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6ipvlan-l2a link set lo alias vnetlab:v6ipvlan:l2a
ip netns add v6ipvlan-l2b
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6ipvlan-l2b sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6ipvlan-l2b link set lo alias vnetlab:v6ipvlan:l2b
ip netns add v6ipvlan-hostl3
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6ipvlan-hostl3 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6ipvlan-hostl3 link set lo alias vnetlab:v6ipvlan:hostl3
ip netns add v6ipvlan-l3a
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6ipvlan-l3a sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6ipvlan-l3a link set lo alias vnetlab:v6ipvlan:l3a
ip netns add v6ipvlan-l3b
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6ipvlan-l3b sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6ipvlan-l3b link set lo alias vnetlab:v6ipvlan:l3b
ip netns add v6ipvlan-peer
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6ipvlan-peer sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6ipvlan-peer link set lo alias vnetlab:v6ipvlan:peer
ip -n v6ipvlan-lan -batch - <<'EOF'
link add name sw address da:5f:11:12:d9:ba type bridge stp_state 0
EOF
ip -n v6ipvlan-hostl2 -batch - <<'EOF'
link add name eth0 address e2:76:35:71:d9:eb type veth peer name p0 address 9e:ef:3c:2c:75:93 netns v6ipvlan-lan
link add name ipv0 link eth0 netns v6ipvlan-l2a type ipvlan mode l2 bridge
link add name ipv0 link eth0 netns v6ipvlan-l2b type ipvlan mode l2 bridge
EOF
ip -n v6ipvlan-hostl3 -batch - <<'EOF'
link add name eth0 address 76:ff:2b:aa:59:cf type veth peer name p1 address 4a:f9:d3:f1:06:be netns v6ipvlan-lan
link add name ipv0 link eth0 netns v6ipvlan-l3a type ipvlan mode l3s bridge
link add name ipv0 link eth0 netns v6ipvlan-l3b type ipvlan mode l3s bridge
EOF
ip -n v6ipvlan-peer -batch - <<'EOF'
link add name eth0 address de:1b:38:27:eb:fb type veth peer name p2 address 06:d6:9c:4b:eb:b4 netns v6ipvlan-lan
EOF
ip -n v6ipvlan-lan -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
link set dev p2 master sw
EOF
ip -n v6ipvlan-hostl2 -batch - <<'EOF'
address add 198.18.0.10/24 dev eth0
address add 2001:db8::10/64 dev eth0
EOF
ip -n v6ipvlan-l2a -batch - <<'EOF'
address add 198.18.0.11/24 dev ipv0
address add 2001:db8::11/64 dev ipv0
EOF
ip -n v6ipvlan-l2b -batch - <<'EOF'
address add 198.18.0.12/24 dev ipv0
address add 2001:db8::12/64 dev ipv0
EOF
ip -n v6ipvlan-hostl3 -batch - <<'EOF'
address add 198.18.0.20/24 dev eth0
address add 2001:db8::20/64 dev eth0
EOF
ip -n v6ipvlan-l3a -batch - <<'EOF'
address add 198.18.5.1/24 dev ipv0
address add 2001:db8:5::1/64 dev ipv0
EOF
ip -n v6ipvlan-l3b -batch - <<'EOF'
address add 198.18.5.2/24 dev ipv0
address add 2001:db8:5::2/64 dev ipv0
EOF
ip -n v6ipvlan-peer -batch - <<'EOF'
address add 198.18.0.66/24 dev eth0
address add 2001:db8::66/64 dev eth0
EOF
ip -n v6ipvlan-lan -batch - <<'EOF'
link set dev sw up
EOF
ip -n v6ipvlan-hostl2 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n v6ipvlan-lan -batch - <<'EOF'
link set dev p0 up
EOF
ip -n v6ipvlan-l2a -batch - <<'EOF'
link set dev ipv0 up
EOF
ip -n v6ipvlan-l2b -batch - <<'EOF'
link set dev ipv0 up
EOF
ip -n v6ipvlan-hostl3 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n v6ipvlan-lan -batch - <<'EOF'
link set dev p1 up
EOF
ip -n v6ipvlan-l3a -batch - <<'EOF'
link set dev ipv0 up
EOF
ip -n v6ipvlan-l3b -batch - <<'EOF'
link set dev ipv0 up
EOF
ip -n v6ipvlan-peer -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n v6ipvlan-lan -batch - <<'EOF'
link set dev p2 up
link set dev lo up
EOF
ip -n v6ipvlan-hostl2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6ipvlan-l2a -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6ipvlan-l2b -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6ipvlan-hostl3 -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6ipvlan-l3a -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6ipvlan-l3b -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6ipvlan-peer -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6ipvlan-l3a -batch - <<'EOF'
route add default dev ipv0 proto static
route add 2001:db8::/64 dev ipv0 proto static
EOF
ip -n v6ipvlan-l3b -batch - <<'EOF'
route add default dev ipv0 proto static
route add 2001:db8::/64 dev ipv0 proto static
EOF
ip -n v6ipvlan-peer -batch - <<'EOF'
route add 198.18.5.0/24 via 198.18.0.20 proto static
route add 2001:db8:5::/64 via 2001:db8::20 proto static
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
vnetlab_wait v6ipvlan-lan v6ipvlan-hostl2 v6ipvlan-l2a v6ipvlan-l2b v6ipvlan-hostl3 v6ipvlan-l3a v6ipvlan-l3b v6ipvlan-peer
