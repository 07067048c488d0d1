#!/bin/sh
# lab v6ndstrict, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down v6ndstrict`)
set -e
ip netns add v6ndstrict-s1
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6ndstrict-s1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6ndstrict-s1 link set lo alias vnetlab:v6ndstrict:s1
ip netns add v6ndstrict-s2
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6ndstrict-s2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6ndstrict-s2 link set lo alias vnetlab:v6ndstrict:s2
ip netns add v6ndstrict-b
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6ndstrict-b sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6ndstrict-b link set lo alias vnetlab:v6ndstrict:b
ip netns add v6ndstrict-d
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6ndstrict-d sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6ndstrict-d link set lo alias vnetlab:v6ndstrict:d
ip netns add v6ndstrict-e
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6ndstrict-e sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6ndstrict-e link set lo alias vnetlab:v6ndstrict:e
ip -n v6ndstrict-s1 -batch - <<'EOF'
link add name sw address 4e:8b:d2:ff:e8:9e type bridge stp_state 0
EOF
ip -n v6ndstrict-s2 -batch - <<'EOF'
link add name sw address ba:9b:b5:6a:88:27 type bridge stp_state 0
EOF
ip -n v6ndstrict-b -batch - <<'EOF'
link add name eth0 address 4e:c6:7b:ff:ba:dd type veth peer name p0 address ba:93:5e:15:03:38 netns v6ndstrict-s1
EOF
ip -n v6ndstrict-d -batch - <<'EOF'
link add name e0 address 0a:69:1a:ea:a5:9f type veth peer name p1 address f2:a0:dc:c4:f2:6b netns v6ndstrict-s1
link add name e1 address 36:a8:3b:b2:10:c1 type veth peer name p0 address e2:85:51:f9:1b:7f netns v6ndstrict-s2
EOF
ip -n v6ndstrict-e -batch - <<'EOF'
link add name eth0 address 2a:f3:05:a8:b0:d6 type veth peer name p1 address 5a:7c:ff:96:d9:e9 netns v6ndstrict-s2
EOF
ip -n v6ndstrict-s1 -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
EOF
ip -n v6ndstrict-s2 -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
EOF
ip -n v6ndstrict-b -batch - <<'EOF'
address add 192.0.2.2/24 dev eth0
address add 2001:db8:1::2/64 dev eth0
EOF
ip -n v6ndstrict-d -batch - <<'EOF'
address add 192.0.2.4/24 dev e0
address add 2001:db8:1::4/64 dev e0
address add 198.51.100.4/24 dev e1
address add 2001:db8:2::4/64 dev e1
EOF
ip -n v6ndstrict-e -batch - <<'EOF'
address add 198.51.100.5/24 dev eth0
address add 2001:db8:2::5/64 dev eth0
EOF
ip -n v6ndstrict-s1 -batch - <<'EOF'
link set dev sw up
EOF
ip -n v6ndstrict-s2 -batch - <<'EOF'
link set dev sw up
EOF
ip -n v6ndstrict-b -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n v6ndstrict-s1 -batch - <<'EOF'
link set dev p0 up
EOF
ip -n v6ndstrict-d -batch - <<'EOF'
link set dev e0 up
EOF
ip -n v6ndstrict-s1 -batch - <<'EOF'
link set dev p1 up
EOF
ip -n v6ndstrict-d -batch - <<'EOF'
link set dev e1 up
EOF
ip -n v6ndstrict-s2 -batch - <<'EOF'
link set dev p0 up
EOF
ip -n v6ndstrict-e -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n v6ndstrict-s2 -batch - <<'EOF'
link set dev p1 up
EOF
ip -n v6ndstrict-s1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6ndstrict-s2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6ndstrict-b -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6ndstrict-d -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6ndstrict-e -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6ndstrict-b -batch - <<'EOF'
route add 198.51.100.0/24 dev eth0 proto static
route add 2001:db8:2::/64 dev eth0 proto static
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
vnetlab_wait v6ndstrict-s1 v6ndstrict-s2 v6ndstrict-b v6ndstrict-d v6ndstrict-e
