#!/bin/sh
# lab vxgroup, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down vxgroup`)
set -e
ip netns add vxgroup-underlay
ip netns exec vxgroup-underlay sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec vxgroup-underlay sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vxgroup-underlay link set lo alias vnetlab:vxgroup:underlay
ip netns add vxgroup-h1
ip netns exec vxgroup-h1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec vxgroup-h1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vxgroup-h1 link set lo alias vnetlab:vxgroup:h1
ip netns add vxgroup-h2
ip netns exec vxgroup-h2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec vxgroup-h2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vxgroup-h2 link set lo alias vnetlab:vxgroup:h2
ip netns add vxgroup-h3
ip netns exec vxgroup-h3 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec vxgroup-h3 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vxgroup-h3 link set lo alias vnetlab:vxgroup:h3
ip -n vxgroup-underlay -batch - <<'EOF'
link add name sw address a2:d2:c1:a8:33:c3 type bridge stp_state 0
EOF
ip -n vxgroup-h1 -batch - <<'EOF'
link add name eth0 address f2:76:ae:41:90:72 type veth peer name p0 address 2e:04:8f:c7:45:0a netns vxgroup-underlay
link add name vx0 address ae:3e:3f:2e:44:8d type vxlan id 42 group 239.1.1.1 dev eth0 dstport 4789
EOF
ip -n vxgroup-h2 -batch - <<'EOF'
link add name eth0 address aa:c9:79:35:44:9c type veth peer name p1 address 6e:b8:2f:47:39:62 netns vxgroup-underlay
link add name vx0 address 02:7a:e2:54:38:59 type vxlan id 42 group 239.1.1.1 dev eth0 dstport 4789
EOF
ip -n vxgroup-h3 -batch - <<'EOF'
link add name eth0 address 76:83:cd:d5:51:31 type veth peer name p2 address 3a:e7:79:d0:06:22 netns vxgroup-underlay
link add name vx0 address 0e:60:c4:99:25:89 type vxlan id 42 group 239.1.1.1 dev eth0 dstport 4789
EOF
ip -n vxgroup-underlay -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
link set dev p2 master sw
EOF
ip -n vxgroup-h1 -batch - <<'EOF'
address add 198.51.100.1/24 dev eth0
address add 192.0.2.1/24 dev vx0
EOF
ip -n vxgroup-h2 -batch - <<'EOF'
address add 198.51.100.2/24 dev eth0
address add 192.0.2.2/24 dev vx0
EOF
ip -n vxgroup-h3 -batch - <<'EOF'
address add 198.51.100.3/24 dev eth0
address add 192.0.2.3/24 dev vx0
EOF
ip -n vxgroup-underlay -batch - <<'EOF'
link set dev sw up
EOF
ip -n vxgroup-h1 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n vxgroup-underlay -batch - <<'EOF'
link set dev p0 up
EOF
ip -n vxgroup-h1 -batch - <<'EOF'
link set dev vx0 up
EOF
ip -n vxgroup-h2 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n vxgroup-underlay -batch - <<'EOF'
link set dev p1 up
EOF
ip -n vxgroup-h2 -batch - <<'EOF'
link set dev vx0 up
EOF
ip -n vxgroup-h3 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n vxgroup-underlay -batch - <<'EOF'
link set dev p2 up
EOF
ip -n vxgroup-h3 -batch - <<'EOF'
link set dev vx0 up
EOF
ip -n vxgroup-underlay -batch - <<'EOF'
link set dev lo up
EOF
ip -n vxgroup-h1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n vxgroup-h2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n vxgroup-h3 -batch - <<'EOF'
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
vnetlab_wait vxgroup-underlay vxgroup-h1 vxgroup-h2 vxgroup-h3
