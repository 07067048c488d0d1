#!/bin/sh
# lab vxv6ul, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down vxv6ul`)
set -e
ip netns add vxv6ul-u
[ ! -d /proc/sys/net/bridge ] || ip netns exec vxv6ul-u sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vxv6ul-u link set lo alias vnetlab:vxv6ul:u
ip netns add vxv6ul-v1
[ ! -d /proc/sys/net/bridge ] || ip netns exec vxv6ul-v1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vxv6ul-v1 link set lo alias vnetlab:vxv6ul:v1
ip netns add vxv6ul-v2
[ ! -d /proc/sys/net/bridge ] || ip netns exec vxv6ul-v2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vxv6ul-v2 link set lo alias vnetlab:vxv6ul:v2
ip netns add vxv6ul-v3
[ ! -d /proc/sys/net/bridge ] || ip netns exec vxv6ul-v3 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vxv6ul-v3 link set lo alias vnetlab:vxv6ul:v3
ip netns add vxv6ul-r
[ ! -d /proc/sys/net/bridge ] || ip netns exec vxv6ul-r sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vxv6ul-r link set lo alias vnetlab:vxv6ul:r
ip netns add vxv6ul-v4
[ ! -d /proc/sys/net/bridge ] || ip netns exec vxv6ul-v4 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vxv6ul-v4 link set lo alias vnetlab:vxv6ul:v4
ip -n vxv6ul-u -batch - <<'EOF'
link add name sw address ea:86:a6:20:09:a7 type bridge stp_state 0
EOF
ip -n vxv6ul-v1 -batch - <<'EOF'
link add name eth0 address fe:3a:87:e6:a8:35 type veth peer name p0 address e2:0d:10:f0:b1:f2 netns vxv6ul-u
link add name vx address 4e:b4:20:1e:11:77 type vxlan id 42 remote 2001:db8:ff::2 local 2001:db8:ff::1 dev eth0 dstport 4789
EOF
ip -n vxv6ul-v2 -batch - <<'EOF'
link add name eth0 address 16:a8:0f:a7:2d:13 type veth peer name p1 address 72:35:eb:98:14:84 netns vxv6ul-u
link add name vx address d6:ac:b0:8b:f6:96 type vxlan id 42 remote 2001:db8:ff::1 dstport 4789
EOF
ip -n vxv6ul-v3 -batch - <<'EOF'
link add name eth0 address a2:9d:95:44:b2:30 type veth peer name p2 address de:86:7c:ee:38:b3 netns vxv6ul-u
link add name vx address ae:ee:21:af:e5:25 type vxlan id 42 local 2001:db8:ff::3 dstport 4789
EOF
bridge -n vxv6ul-v3 fdb append 00:00:00:00:00:00 dev vx dst 2001:db8:ff::1
bridge -n vxv6ul-v3 fdb append 00:00:00:00:00:00 dev vx dst 2001:db8:ff::2
ip -n vxv6ul-r -batch - <<'EOF'
link add name e0 address fe:22:69:fd:c6:6c type veth peer name p3 address 02:59:72:24:ef:e6 netns vxv6ul-u
link add name e4 address 82:24:80:67:00:37 type veth peer name eth0 address 9a:36:a3:3a:67:95 netns vxv6ul-v4
EOF
ip -n vxv6ul-v4 -batch - <<'EOF'
link add name vx address c6:54:95:e8:c7:d0 type vxlan id 42 remote 2001:db8:ff::1 dev eth0 dstport 4789
EOF
ip -n vxv6ul-u -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
link set dev p2 master sw
link set dev p3 master sw
EOF
ip -n vxv6ul-v1 -batch - <<'EOF'
address add 2001:db8:ff::1/64 dev eth0
address add 192.0.2.1/24 dev vx
address add 2001:db8:42::1/64 dev vx
EOF
ip -n vxv6ul-v2 -batch - <<'EOF'
address add 2001:db8:fe::2/64 dev eth0
address add 2001:db8:ff::2/64 dev eth0
address add 192.0.2.2/24 dev vx
address add 2001:db8:42::2/64 dev vx
EOF
ip -n vxv6ul-v3 -batch - <<'EOF'
address add 2001:db8:ff::3/64 dev eth0
address add 192.0.2.3/24 dev vx
address add 2001:db8:42::3/64 dev vx
EOF
ip netns exec vxv6ul-r sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n vxv6ul-r -batch - <<'EOF'
address add 2001:db8:ff::100/64 dev e0
address add 2001:db8:4::1/64 dev e4
EOF
ip -n vxv6ul-v4 -batch - <<'EOF'
address add 2001:db8:4::4/64 dev eth0
address add 192.0.2.4/24 dev vx
address add 2001:db8:42::4/64 dev vx
EOF
ip -n vxv6ul-u -batch - <<'EOF'
link set dev sw up
EOF
ip -n vxv6ul-v1 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n vxv6ul-u -batch - <<'EOF'
link set dev p0 up
EOF
ip -n vxv6ul-v1 -batch - <<'EOF'
link set dev vx up
EOF
ip -n vxv6ul-v2 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n vxv6ul-u -batch - <<'EOF'
link set dev p1 up
EOF
ip -n vxv6ul-v2 -batch - <<'EOF'
link set dev vx up
EOF
ip -n vxv6ul-v3 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n vxv6ul-u -batch - <<'EOF'
link set dev p2 up
EOF
ip -n vxv6ul-v3 -batch - <<'EOF'
link set dev vx up
EOF
ip -n vxv6ul-r -batch - <<'EOF'
link set dev e0 up
EOF
ip -n vxv6ul-u -batch - <<'EOF'
link set dev p3 up
EOF
ip -n vxv6ul-v4 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n vxv6ul-r -batch - <<'EOF'
link set dev e4 up
EOF
ip -n vxv6ul-v4 -batch - <<'EOF'
link set dev vx up
EOF
ip -n vxv6ul-u -batch - <<'EOF'
link set dev lo up
EOF
ip -n vxv6ul-v1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n vxv6ul-v2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n vxv6ul-v3 -batch - <<'EOF'
link set dev lo up
EOF
ip -n vxv6ul-r -batch - <<'EOF'
link set dev lo up
EOF
ip -n vxv6ul-v4 -batch - <<'EOF'
link set dev lo up
EOF
ip -n vxv6ul-v1 -batch - <<'EOF'
route add 2001:db8:4::/64 via 2001:db8:ff::100 proto static
EOF
ip -n vxv6ul-v4 -batch - <<'EOF'
route add default via 2001:db8:4::1 proto static
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
vnetlab_wait vxv6ul-u vxv6ul-v1 vxv6ul-v2 vxv6ul-v3 vxv6ul-r vxv6ul-v4
