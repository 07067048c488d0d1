#!/bin/sh
# lab stvtep, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down stvtep`)
set -e
ip netns add stvtep-underlay
ip netns exec stvtep-underlay sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec stvtep-underlay sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n stvtep-underlay link set lo alias vnetlab:stvtep:underlay
ip netns add stvtep-h1
ip netns exec stvtep-h1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec stvtep-h1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n stvtep-h1 link set lo alias vnetlab:stvtep:h1
ip netns add stvtep-h2
ip netns exec stvtep-h2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec stvtep-h2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n stvtep-h2 link set lo alias vnetlab:stvtep:h2
ip netns add stvtep-h3
ip netns exec stvtep-h3 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec stvtep-h3 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n stvtep-h3 link set lo alias vnetlab:stvtep:h3
ip netns add stvtep-c1
ip netns exec stvtep-c1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec stvtep-c1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n stvtep-c1 link set lo alias vnetlab:stvtep:c1
ip netns add stvtep-c2
ip netns exec stvtep-c2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec stvtep-c2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n stvtep-c2 link set lo alias vnetlab:stvtep:c2
ip netns add stvtep-c3
ip netns exec stvtep-c3 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec stvtep-c3 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n stvtep-c3 link set lo alias vnetlab:stvtep:c3
ip -n stvtep-underlay -batch - <<'EOF'
link add name sw address 56:a7:ce:ad:07:34 type bridge stp_state 0
EOF
ip -n stvtep-h1 -batch - <<'EOF'
link add name eth0 address 9a:e2:0d:7b:34:15 type veth peer name p0 address 5e:af:bc:6c:e6:22 netns stvtep-underlay
link add name br0 address 2a:38:6c:eb:84:24 type bridge stp_state 0
link add name vx42 address d6:79:4d:4b:5b:8f type vxlan id 42 local 198.51.100.1 dev eth0 dstport 4789
EOF
bridge -n stvtep-h1 fdb append 00:00:00:00:00:00 dev vx42 dst 198.51.100.2
ip -n stvtep-h1 -batch - <<'EOF'
link add name ve-c1 address 26:5c:64:4b:89:8a type veth peer name eth0 address 62:8a:59:0f:d4:89 netns stvtep-c1
EOF
ip -n stvtep-h2 -batch - <<'EOF'
link add name eth0 address 36:e8:af:37:56:1b type veth peer name p1 address 16:06:f1:3c:54:44 netns stvtep-underlay
link add name br0 address 2a:29:0e:fb:28:d1 type bridge stp_state 0
link add name vx42 address be:62:a2:b6:cd:5f type vxlan id 42 local 198.51.100.2 dev eth0 dstport 4789
EOF
bridge -n stvtep-h2 fdb append 00:00:00:00:00:00 dev vx42 dst 198.51.100.1
ip -n stvtep-h2 -batch - <<'EOF'
link add name ve-c2 address 1a:21:aa:51:35:88 type veth peer name eth0 address 0e:70:f1:ab:aa:d6 netns stvtep-c2
EOF
ip -n stvtep-h3 -batch - <<'EOF'
link add name eth0 address c2:2f:3b:1c:88:16 type veth peer name p2 address 62:28:17:bd:34:f2 netns stvtep-underlay
link add name br0 address 2e:1f:10:76:33:a5 type bridge stp_state 0
link add name ve-c3 address de:1d:4f:22:47:88 type veth peer name eth0 address fa:ca:4b:5d:25:dc netns stvtep-c3
EOF
ip -n stvtep-underlay -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
link set dev p2 master sw
EOF
ip -n stvtep-h1 -batch - <<'EOF'
link set dev vx42 master br0
link set dev ve-c1 master br0
EOF
ip -n stvtep-h2 -batch - <<'EOF'
link set dev vx42 master br0
link set dev ve-c2 master br0
EOF
ip -n stvtep-h3 -batch - <<'EOF'
link set dev ve-c3 master br0
EOF
ip -n stvtep-h1 -batch - <<'EOF'
address add 198.51.100.1/24 dev eth0
EOF
ip -n stvtep-h2 -batch - <<'EOF'
address add 198.51.100.2/24 dev eth0
EOF
ip -n stvtep-h3 -batch - <<'EOF'
address add 198.51.100.3/24 dev eth0
EOF
ip -n stvtep-c1 -batch - <<'EOF'
address add 192.0.2.1/24 dev eth0
EOF
ip -n stvtep-c2 -batch - <<'EOF'
address add 192.0.2.2/24 dev eth0
EOF
ip -n stvtep-c3 -batch - <<'EOF'
address add 192.0.2.3/24 dev eth0
EOF
ip -n stvtep-underlay -batch - <<'EOF'
link set dev sw up
EOF
ip -n stvtep-h1 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n stvtep-underlay -batch - <<'EOF'
link set dev p0 up
EOF
ip -n stvtep-h1 -batch - <<'EOF'
link set dev br0 up
link set dev vx42 up
EOF
ip -n stvtep-c1 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n stvtep-h1 -batch - <<'EOF'
link set dev ve-c1 up
EOF
ip -n stvtep-h2 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n stvtep-underlay -batch - <<'EOF'
link set dev p1 up
EOF
ip -n stvtep-h2 -batch - <<'EOF'
link set dev br0 up
link set dev vx42 up
EOF
ip -n stvtep-c2 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n stvtep-h2 -batch - <<'EOF'
link set dev ve-c2 up
EOF
ip -n stvtep-h3 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n stvtep-underlay -batch - <<'EOF'
link set dev p2 up
EOF
ip -n stvtep-h3 -batch - <<'EOF'
link set dev br0 up
EOF
ip -n stvtep-c3 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n stvtep-h3 -batch - <<'EOF'
link set dev ve-c3 up
EOF
ip -n stvtep-underlay -batch - <<'EOF'
link set dev lo up
EOF
ip -n stvtep-h1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n stvtep-h2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n stvtep-h3 -batch - <<'EOF'
link set dev lo up
EOF
ip -n stvtep-c1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n stvtep-c2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n stvtep-c3 -batch - <<'EOF'
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
vnetlab_wait stvtep-underlay stvtep-h1 stvtep-h2 stvtep-h3 stvtep-c1 stvtep-c2 stvtep-c3
