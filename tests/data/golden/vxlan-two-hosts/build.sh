#!/bin/sh
# lab vxlan, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down vxlan`)
set -e
ip netns add vxlan-underlay
ip netns exec vxlan-underlay sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec vxlan-underlay sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vxlan-underlay link set lo alias vnetlab:vxlan:underlay
ip netns add vxlan-h1
ip netns exec vxlan-h1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec vxlan-h1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vxlan-h1 link set lo alias vnetlab:vxlan:h1
ip netns add vxlan-h2
ip netns exec vxlan-h2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec vxlan-h2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vxlan-h2 link set lo alias vnetlab:vxlan:h2
ip netns add vxlan-c1
ip netns exec vxlan-c1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec vxlan-c1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vxlan-c1 link set lo alias vnetlab:vxlan:c1
ip netns add vxlan-c2
ip netns exec vxlan-c2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec vxlan-c2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vxlan-c2 link set lo alias vnetlab:vxlan:c2
ip -n vxlan-underlay -batch - <<'EOF'
link add name sw address ae:5e:a0:ae:5f:87 type bridge stp_state 0
EOF
ip -n vxlan-h1 -batch - <<'EOF'
link add name eth0 address 1a:df:a3:27:3e:e5 type veth peer name p0 address ee:8a:19:94:5e:ec netns vxlan-underlay
link add name br0 address 4a:b2:fe:a8:96:85 type bridge stp_state 0
link add name vx42 address 36:ea:9c:b4:ce:86 type vxlan id 42 remote 198.51.100.2 local 198.51.100.1 dev eth0 dstport 4789
link add name ve-c1 address 7e:e0:15:eb:e4:69 type veth peer name eth0 address 4a:fd:82:1c:75:78 netns vxlan-c1
EOF
ip -n vxlan-h2 -batch - <<'EOF'
link add name eth0 address 5a:e2:eb:8a:70:43 type veth peer name p1 address ea:00:e5:c6:6c:f6 netns vxlan-underlay
link add name br0 address da:00:2d:f2:6c:42 type bridge stp_state 0
link add name vx42 address 4a:8c:6d:56:13:47 type vxlan id 42 remote 198.51.100.1 local 198.51.100.2 dev eth0 dstport 4789
link add name ve-c2 address e2:01:3f:b9:07:16 type veth peer name eth0 address 2e:ac:01:89:40:2b netns vxlan-c2
EOF
ip -n vxlan-underlay -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
EOF
ip -n vxlan-h1 -batch - <<'EOF'
link set dev vx42 master br0
link set dev ve-c1 master br0
EOF
ip -n vxlan-h2 -batch - <<'EOF'
link set dev vx42 master br0
link set dev ve-c2 master br0
EOF
ip -n vxlan-h1 -batch - <<'EOF'
address add 198.51.100.1/24 dev eth0
EOF
ip -n vxlan-h2 -batch - <<'EOF'
address add 198.51.100.2/24 dev eth0
EOF
ip -n vxlan-c1 -batch - <<'EOF'
address add 192.0.2.1/24 dev eth0
EOF
ip -n vxlan-c2 -batch - <<'EOF'
address add 192.0.2.2/24 dev eth0
EOF
ip -n vxlan-underlay -batch - <<'EOF'
link set dev sw up
EOF
ip -n vxlan-h1 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n vxlan-underlay -batch - <<'EOF'
link set dev p0 up
EOF
ip -n vxlan-h1 -batch - <<'EOF'
link set dev br0 up
link set dev vx42 up
EOF
ip -n vxlan-c1 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n vxlan-h1 -batch - <<'EOF'
link set dev ve-c1 up
EOF
ip -n vxlan-h2 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n vxlan-underlay -batch - <<'EOF'
link set dev p1 up
EOF
ip -n vxlan-h2 -batch - <<'EOF'
link set dev br0 up
link set dev vx42 up
EOF
ip -n vxlan-c2 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n vxlan-h2 -batch - <<'EOF'
link set dev ve-c2 up
EOF
ip -n vxlan-underlay -batch - <<'EOF'
link set dev lo up
EOF
ip -n vxlan-h1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n vxlan-h2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n vxlan-c1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n vxlan-c2 -batch - <<'EOF'
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
vnetlab_wait vxlan-underlay vxlan-h1 vxlan-h2 vxlan-c1 vxlan-c2
