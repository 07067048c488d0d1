#!/bin/sh
# lab vxrem, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down vxrem`)
set -e
ip netns add vxrem-u
ip netns exec vxrem-u sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec vxrem-u sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vxrem-u link set lo alias vnetlab:vxrem:u
ip netns add vxrem-v1
ip netns exec vxrem-v1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec vxrem-v1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vxrem-v1 link set lo alias vnetlab:vxrem:v1
ip netns add vxrem-v2
ip netns exec vxrem-v2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec vxrem-v2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vxrem-v2 link set lo alias vnetlab:vxrem:v2
ip netns add vxrem-v3
ip netns exec vxrem-v3 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec vxrem-v3 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vxrem-v3 link set lo alias vnetlab:vxrem:v3
ip -n vxrem-u -batch - <<'EOF'
link add name sw address c2:fb:9e:02:61:5d type bridge stp_state 0
EOF
ip -n vxrem-v1 -batch - <<'EOF'
link add name eth0 address 42:46:c1:c6:97:f3 type veth peer name p0 address 7e:71:72:3e:25:f9 netns vxrem-u
link add name vx address 16:bc:0d:bb:8a:af type vxlan id 7 remote 198.18.0.2 local 198.18.0.1 dstport 4789
EOF
ip -n vxrem-v2 -batch - <<'EOF'
link add name eth0 address c6:94:4c:80:68:81 type veth peer name p1 address 22:0b:20:02:95:8f netns vxrem-u
link add name vx address ea:81:8a:be:ee:5e type vxlan id 7 remote 198.18.0.1 local 198.18.0.2 dstport 4789
EOF
ip -n vxrem-v3 -batch - <<'EOF'
link add name eth0 address b2:9d:d1:57:1f:20 type veth peer name p2 address fa:b1:60:16:f0:39 netns vxrem-u
link add name vx address d6:6e:aa:dd:18:92 type vxlan id 7 local 198.18.0.3 dstport 4789
EOF
ip -n vxrem-u -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
link set dev p2 master sw
EOF
ip -n vxrem-v1 -batch - <<'EOF'
address add 198.18.0.1/24 dev eth0
address add 192.0.2.1/24 dev vx
EOF
ip -n vxrem-v2 -batch - <<'EOF'
address add 198.18.0.2/24 dev eth0
address add 192.0.2.2/24 dev vx
EOF
ip -n vxrem-v3 -batch - <<'EOF'
address add 198.18.0.3/24 dev eth0
address add 192.0.2.3/24 dev vx
EOF
ip -n vxrem-u -batch - <<'EOF'
link set dev sw up
EOF
ip -n vxrem-v1 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n vxrem-u -batch - <<'EOF'
link set dev p0 up
EOF
ip -n vxrem-v1 -batch - <<'EOF'
link set dev vx up
EOF
ip -n vxrem-v2 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n vxrem-u -batch - <<'EOF'
link set dev p1 up
EOF
ip -n vxrem-v2 -batch - <<'EOF'
link set dev vx up
EOF
ip -n vxrem-v3 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n vxrem-u -batch - <<'EOF'
link set dev p2 up
EOF
ip -n vxrem-v3 -batch - <<'EOF'
link set dev vx up
EOF
ip -n vxrem-u -batch - <<'EOF'
link set dev lo up
EOF
ip -n vxrem-v1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n vxrem-v2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n vxrem-v3 -batch - <<'EOF'
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
vnetlab_wait vxrem-u vxrem-v1 vxrem-v2 vxrem-v3
