#!/bin/sh
# lab v6bridge, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down v6bridge`)
set -e
ip netns add v6bridge-s1
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6bridge-s1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6bridge-s1 link set lo alias vnetlab:v6bridge:s1
ip netns add v6bridge-a
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6bridge-a sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6bridge-a link set lo alias vnetlab:v6bridge:a
ip netns add v6bridge-b
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6bridge-b sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6bridge-b link set lo alias vnetlab:v6bridge:b
ip netns add v6bridge-hub
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6bridge-hub sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6bridge-hub link set lo alias vnetlab:v6bridge:hub
ip netns add v6bridge-c
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6bridge-c sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6bridge-c link set lo alias vnetlab:v6bridge:c
ip netns add v6bridge-d
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6bridge-d sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6bridge-d link set lo alias vnetlab:v6bridge:d
ip -n v6bridge-s1 -batch - <<'EOF'
link add name sw address 72:40:a4:6a:f7:f3 type bridge stp_state 0
EOF
ip -n v6bridge-a -batch - <<'EOF'
link add name eth0 address de:7f:4d:bc:1b:7a type veth peer name p0 address fe:2b:ce:5f:1f:a9 netns v6bridge-s1
EOF
ip -n v6bridge-b -batch - <<'EOF'
link add name eth0 address 0e:ee:79:a1:c8:08 type veth peer name p1 address ae:a0:f3:f3:53:0b netns v6bridge-s1
EOF
ip -n v6bridge-hub -batch - <<'EOF'
link add name e0 address fa:53:cb:e4:26:4a type veth peer name p2 address 76:56:30:0f:ac:72 netns v6bridge-s1
link add name br0 address f2:a7:3b:6c:eb:09 type bridge stp_state 0
link add name p1 address a6:a0:70:be:e3:c6 type veth peer name eth0 address 6a:84:62:f2:ee:dc netns v6bridge-c
link add name p2 address fe:3a:7b:69:b6:43 type veth peer name eth0 address aa:45:1c:70:79:71 netns v6bridge-d
EOF
ip -n v6bridge-s1 -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
link set dev p2 master sw
EOF
ip -n v6bridge-hub -batch - <<'EOF'
link set dev p1 master br0
link set dev p2 master br0
link set dev p2 type bridge_slave learning off flood off
EOF
ip -n v6bridge-a -batch - <<'EOF'
address add 192.0.2.1/24 dev eth0
address add 2001:db8:1::1/64 dev eth0
EOF
ip -n v6bridge-b -batch - <<'EOF'
address add 192.0.2.2/24 dev eth0
address add 2001:db8:1::2/64 dev eth0
EOF
ip -n v6bridge-hub -batch - <<'EOF'
address add 192.0.2.10/24 dev e0
address add 2001:db8:1::10/64 dev e0
address add 198.18.2.10/24 dev br0
address add 2001:db8:2::10/64 dev br0
EOF
ip -n v6bridge-c -batch - <<'EOF'
address add 198.18.2.1/24 dev eth0
address add 2001:db8:2::1/64 dev eth0
EOF
ip -n v6bridge-d -batch - <<'EOF'
address add 198.18.2.2/24 dev eth0
address add 2001:db8:2::2/64 dev eth0
EOF
ip -n v6bridge-s1 -batch - <<'EOF'
link set dev sw up
EOF
ip -n v6bridge-a -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n v6bridge-s1 -batch - <<'EOF'
link set dev p0 up
EOF
ip -n v6bridge-b -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n v6bridge-s1 -batch - <<'EOF'
link set dev p1 up
EOF
ip -n v6bridge-hub -batch - <<'EOF'
link set dev e0 up
EOF
ip -n v6bridge-s1 -batch - <<'EOF'
link set dev p2 up
EOF
ip -n v6bridge-hub -batch - <<'EOF'
link set dev br0 up
EOF
ip -n v6bridge-c -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n v6bridge-hub -batch - <<'EOF'
link set dev p1 up
EOF
ip -n v6bridge-d -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n v6bridge-hub -batch - <<'EOF'
link set dev p2 up
EOF
ip -n v6bridge-s1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6bridge-a -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6bridge-b -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6bridge-hub -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6bridge-c -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6bridge-d -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6bridge-a -batch - <<'EOF'
route add 198.18.2.0/24 via 192.0.2.10 proto static
route add 2001:db8:2::/64 via 2001:db8:1::10 proto static
EOF
ip -n v6bridge-c -batch - <<'EOF'
route add default via 198.18.2.10 proto static
route add default via 2001:db8:2::10 proto static
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
vnetlab_wait v6bridge-s1 v6bridge-a v6bridge-b v6bridge-hub v6bridge-c v6bridge-d
