#!/bin/sh
# lab twonics, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down twonics`)
set -e
ip netns add twonics-s1
ip netns exec twonics-s1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec twonics-s1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n twonics-s1 link set lo alias vnetlab:twonics:s1
ip netns add twonics-s2
ip netns exec twonics-s2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec twonics-s2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n twonics-s2 link set lo alias vnetlab:twonics:s2
ip netns add twonics-s3
ip netns exec twonics-s3 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec twonics-s3 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n twonics-s3 link set lo alias vnetlab:twonics:s3
ip netns add twonics-weak
ip netns exec twonics-weak sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec twonics-weak sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n twonics-weak link set lo alias vnetlab:twonics:weak
ip netns add twonics-p1
ip netns exec twonics-p1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec twonics-p1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n twonics-p1 link set lo alias vnetlab:twonics:p1
ip netns add twonics-ign
ip netns exec twonics-ign sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec twonics-ign sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n twonics-ign link set lo alias vnetlab:twonics:ign
ip netns add twonics-p2
ip netns exec twonics-p2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec twonics-p2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n twonics-p2 link set lo alias vnetlab:twonics:p2
ip netns add twonics-strict
ip netns exec twonics-strict sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec twonics-strict sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n twonics-strict link set lo alias vnetlab:twonics:strict
ip netns add twonics-p3
ip netns exec twonics-p3 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec twonics-p3 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n twonics-p3 link set lo alias vnetlab:twonics:p3
ip -n twonics-s1 -batch - <<'EOF'
link add name sw address 6a:53:e7:8b:56:34 type bridge stp_state 0
EOF
ip -n twonics-s2 -batch - <<'EOF'
link add name sw address 5a:b7:b4:f6:ba:71 type bridge stp_state 0
EOF
ip -n twonics-s3 -batch - <<'EOF'
link add name sw address 8a:df:df:36:4c:ee type bridge stp_state 0
EOF
ip -n twonics-weak -batch - <<'EOF'
link add name e0 address ee:8d:a8:f1:22:6c type veth peer name p0 address 92:7a:9d:eb:b6:49 netns twonics-s1
link add name e1 address 32:84:b4:34:4b:92 type veth peer name p1 address c2:00:b8:6b:01:50 netns twonics-s1
EOF
ip -n twonics-p1 -batch - <<'EOF'
link add name eth0 address be:c2:d5:eb:8a:85 type veth peer name p2 address ae:50:3d:d8:ba:72 netns twonics-s1
EOF
ip -n twonics-ign -batch - <<'EOF'
link add name e0 address 9e:04:2d:f0:5a:af type veth peer name p0 address 46:7e:b9:7f:fc:c3 netns twonics-s2
link add name e1 address 6e:9a:03:a6:a7:14 type veth peer name p1 address 02:1f:b5:1b:b7:ba netns twonics-s2
EOF
ip -n twonics-p2 -batch - <<'EOF'
link add name eth0 address ce:aa:5c:18:90:bc type veth peer name p2 address 82:18:08:bd:f0:1a netns twonics-s2
EOF
ip -n twonics-strict -batch - <<'EOF'
link add name e0 address 72:79:8d:28:01:53 type veth peer name p0 address c6:a8:f0:60:9d:25 netns twonics-s3
link add name e1 address ba:37:c1:e8:57:a3 type veth peer name p1 address b6:c8:78:bc:59:c0 netns twonics-s3
EOF
ip -n twonics-p3 -batch - <<'EOF'
link add name eth0 address ce:f9:b8:15:45:5d type veth peer name p2 address 4a:90:51:6c:60:60 netns twonics-s3
EOF
ip -n twonics-s1 -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
link set dev p2 master sw
EOF
ip -n twonics-s2 -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
link set dev p2 master sw
EOF
ip -n twonics-s3 -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
link set dev p2 master sw
EOF
ip -n twonics-weak -batch - <<'EOF'
address add 198.51.100.1/24 dev e0
address add 198.51.100.2/24 dev e1
EOF
ip -n twonics-p1 -batch - <<'EOF'
address add 198.51.100.100/24 dev eth0
EOF
ip netns exec twonics-ign sysctl -qw net.ipv4.conf.all.arp_ignore=1
ip -n twonics-ign -batch - <<'EOF'
address add 198.51.100.1/24 dev e0
address add 198.51.100.2/24 dev e1
EOF
ip -n twonics-p2 -batch - <<'EOF'
address add 198.51.100.100/24 dev eth0
EOF
ip netns exec twonics-strict sysctl -qw net.ipv4.conf.all.arp_ignore=1
ip netns exec twonics-strict sysctl -qw net.ipv4.conf.all.rp_filter=1
ip -n twonics-strict -batch - <<'EOF'
address add 198.51.100.1/24 dev e0
address add 198.51.100.2/24 dev e1
EOF
ip -n twonics-p3 -batch - <<'EOF'
address add 198.51.100.100/24 dev eth0
EOF
ip -n twonics-s1 -batch - <<'EOF'
link set dev sw up
EOF
ip -n twonics-s2 -batch - <<'EOF'
link set dev sw up
EOF
ip -n twonics-s3 -batch - <<'EOF'
link set dev sw up
EOF
ip -n twonics-weak -batch - <<'EOF'
link set dev e0 up
EOF
ip -n twonics-s1 -batch - <<'EOF'
link set dev p0 up
EOF
ip -n twonics-weak -batch - <<'EOF'
link set dev e1 up
EOF
ip -n twonics-s1 -batch - <<'EOF'
link set dev p1 up
EOF
ip -n twonics-p1 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n twonics-s1 -batch - <<'EOF'
link set dev p2 up
EOF
ip -n twonics-ign -batch - <<'EOF'
link set dev e0 up
EOF
ip -n twonics-s2 -batch - <<'EOF'
link set dev p0 up
EOF
ip -n twonics-ign -batch - <<'EOF'
link set dev e1 up
EOF
ip -n twonics-s2 -batch - <<'EOF'
link set dev p1 up
EOF
ip -n twonics-p2 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n twonics-s2 -batch - <<'EOF'
link set dev p2 up
EOF
ip -n twonics-strict -batch - <<'EOF'
link set dev e0 up
EOF
ip -n twonics-s3 -batch - <<'EOF'
link set dev p0 up
EOF
ip -n twonics-strict -batch - <<'EOF'
link set dev e1 up
EOF
ip -n twonics-s3 -batch - <<'EOF'
link set dev p1 up
EOF
ip -n twonics-p3 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n twonics-s3 -batch - <<'EOF'
link set dev p2 up
EOF
ip -n twonics-s1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n twonics-s2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n twonics-s3 -batch - <<'EOF'
link set dev lo up
EOF
ip -n twonics-weak -batch - <<'EOF'
link set dev lo up
EOF
ip -n twonics-p1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n twonics-ign -batch - <<'EOF'
link set dev lo up
EOF
ip -n twonics-p2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n twonics-strict -batch - <<'EOF'
link set dev lo up
EOF
ip -n twonics-p3 -batch - <<'EOF'
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
vnetlab_wait twonics-s1 twonics-s2 twonics-s3 twonics-weak twonics-p1 twonics-ign twonics-p2 twonics-strict twonics-p3
