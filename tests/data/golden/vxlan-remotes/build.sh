#!/bin/sh
# lab vxremotes, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down vxremotes`)
set -e
ip netns add vxremotes-underlay
ip netns exec vxremotes-underlay sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec vxremotes-underlay sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vxremotes-underlay link set lo alias vnetlab:vxremotes:underlay
ip netns add vxremotes-h1
ip netns exec vxremotes-h1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec vxremotes-h1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vxremotes-h1 link set lo alias vnetlab:vxremotes:h1
ip netns add vxremotes-h2
ip netns exec vxremotes-h2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec vxremotes-h2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vxremotes-h2 link set lo alias vnetlab:vxremotes:h2
ip netns add vxremotes-h3
ip netns exec vxremotes-h3 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec vxremotes-h3 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vxremotes-h3 link set lo alias vnetlab:vxremotes:h3
ip -n vxremotes-underlay -batch - <<'EOF'
link add name sw address 8e:bd:38:02:7d:d8 type bridge stp_state 0
EOF
ip -n vxremotes-h1 -batch - <<'EOF'
link add name eth0 address e6:95:51:11:8a:6a type veth peer name p0 address 26:34:0e:9e:23:38 netns vxremotes-underlay
link add name vx0 address 76:4f:26:b8:57:2d type vxlan id 42 local 198.51.100.1 dev eth0 dstport 4789
EOF
bridge -n vxremotes-h1 fdb append 00:00:00:00:00:00 dev vx0 dst 198.51.100.2
bridge -n vxremotes-h1 fdb append 00:00:00:00:00:00 dev vx0 dst 198.51.100.3
ip -n vxremotes-h2 -batch - <<'EOF'
link add name eth0 address 6a:5a:70:c4:2e:00 type veth peer name p1 address 62:c7:2f:54:72:3c netns vxremotes-underlay
link add name vx0 address 32:b4:bc:a9:43:9c type vxlan id 42 remote 198.51.100.1 dev eth0 dstport 4789
EOF
bridge -n vxremotes-h2 fdb append 00:00:00:00:00:00 dev vx0 dst 198.51.100.3
ip -n vxremotes-h3 -batch - <<'EOF'
link add name eth0 address 2a:e0:16:c6:44:fe type veth peer name p2 address be:ac:12:10:ea:e9 netns vxremotes-underlay
link add name vx0 address 62:4e:a5:80:3e:26 type vxlan id 42 dev eth0 dstport 4789
EOF
bridge -n vxremotes-h3 fdb append 00:00:00:00:00:00 dev vx0 dst 198.51.100.1
ip -n vxremotes-underlay -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
link set dev p2 master sw
EOF
ip -n vxremotes-h1 -batch - <<'EOF'
address add 198.51.100.1/24 dev eth0
address add 192.0.2.1/24 dev vx0
EOF
ip -n vxremotes-h2 -batch - <<'EOF'
address add 198.51.100.2/24 dev eth0
address add 192.0.2.2/24 dev vx0
EOF
ip -n vxremotes-h3 -batch - <<'EOF'
address add 198.51.100.3/24 dev eth0
address add 192.0.2.3/24 dev vx0
EOF
ip -n vxremotes-underlay -batch - <<'EOF'
link set dev sw up
EOF
ip -n vxremotes-h1 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n vxremotes-underlay -batch - <<'EOF'
link set dev p0 up
EOF
ip -n vxremotes-h1 -batch - <<'EOF'
link set dev vx0 up
EOF
ip -n vxremotes-h2 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n vxremotes-underlay -batch - <<'EOF'
link set dev p1 up
EOF
ip -n vxremotes-h2 -batch - <<'EOF'
link set dev vx0 up
EOF
ip -n vxremotes-h3 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n vxremotes-underlay -batch - <<'EOF'
link set dev p2 up
EOF
ip -n vxremotes-h3 -batch - <<'EOF'
link set dev vx0 up
EOF
ip -n vxremotes-underlay -batch - <<'EOF'
link set dev lo up
EOF
ip -n vxremotes-h1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n vxremotes-h2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n vxremotes-h3 -batch - <<'EOF'
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
vnetlab_wait vxremotes-underlay vxremotes-h1 vxremotes-h2 vxremotes-h3
