#!/bin/sh
# lab stvtep6, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down stvtep6`)
set -e
ip netns add stvtep6-underlay
[ ! -d /proc/sys/net/bridge ] || ip netns exec stvtep6-underlay sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n stvtep6-underlay link set lo alias vnetlab:stvtep6:underlay
ip netns add stvtep6-h1
[ ! -d /proc/sys/net/bridge ] || ip netns exec stvtep6-h1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n stvtep6-h1 link set lo alias vnetlab:stvtep6:h1
ip netns add stvtep6-h2
[ ! -d /proc/sys/net/bridge ] || ip netns exec stvtep6-h2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n stvtep6-h2 link set lo alias vnetlab:stvtep6:h2
ip netns add stvtep6-h3
[ ! -d /proc/sys/net/bridge ] || ip netns exec stvtep6-h3 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n stvtep6-h3 link set lo alias vnetlab:stvtep6:h3
ip netns add stvtep6-c1
[ ! -d /proc/sys/net/bridge ] || ip netns exec stvtep6-c1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n stvtep6-c1 link set lo alias vnetlab:stvtep6:c1
ip netns add stvtep6-c2
[ ! -d /proc/sys/net/bridge ] || ip netns exec stvtep6-c2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n stvtep6-c2 link set lo alias vnetlab:stvtep6:c2
ip netns add stvtep6-c3
[ ! -d /proc/sys/net/bridge ] || ip netns exec stvtep6-c3 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n stvtep6-c3 link set lo alias vnetlab:stvtep6:c3
ip -n stvtep6-underlay -batch - <<'EOF'
link add name sw address 1e:7b:2f:b8:37:ab type bridge stp_state 0
EOF
ip -n stvtep6-h1 -batch - <<'EOF'
link add name eth0 address 6e:55:fa:38:2e:61 type veth peer name p0 address 56:72:ba:9c:43:c4 netns stvtep6-underlay
link add name br0 address 8e:4d:b9:42:49:e8 type bridge stp_state 0
link add name vx42 address 36:7b:69:66:b4:e5 type vxlan id 42 local 2001:db8:ff::1 dev eth0 dstport 4789
EOF
bridge -n stvtep6-h1 fdb append 00:00:00:00:00:00 dev vx42 dst 2001:db8:ff::2
ip -n stvtep6-h1 -batch - <<'EOF'
link add name ve-c1 address 7e:73:79:11:0d:90 type veth peer name eth0 address e2:21:ee:c2:de:f9 netns stvtep6-c1
EOF
ip -n stvtep6-h2 -batch - <<'EOF'
link add name eth0 address a6:ff:cc:08:f0:59 type veth peer name p1 address 6e:9d:6c:dd:f5:32 netns stvtep6-underlay
link add name br0 address aa:6d:ad:e0:dd:63 type bridge stp_state 0
link add name vx42 address f6:f7:73:c3:8e:4d type vxlan id 42 local 2001:db8:ff::2 dev eth0 dstport 4789
EOF
bridge -n stvtep6-h2 fdb append 00:00:00:00:00:00 dev vx42 dst 2001:db8:ff::1
ip -n stvtep6-h2 -batch - <<'EOF'
link add name ve-c2 address 9e:6e:be:0a:06:ab type veth peer name eth0 address 36:ce:2a:bb:65:09 netns stvtep6-c2
EOF
ip -n stvtep6-h3 -batch - <<'EOF'
link add name eth0 address 72:2b:a9:7f:bd:7e type veth peer name p2 address 06:42:4f:0d:21:2f netns stvtep6-underlay
link add name br0 address 76:4f:fd:ff:72:71 type bridge stp_state 0
link add name ve-c3 address 52:c3:5f:75:6e:53 type veth peer name eth0 address 0a:ca:b2:5c:b3:c9 netns stvtep6-c3
EOF
ip -n stvtep6-underlay -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
link set dev p2 master sw
EOF
ip -n stvtep6-h1 -batch - <<'EOF'
link set dev vx42 master br0
link set dev ve-c1 master br0
EOF
ip -n stvtep6-h2 -batch - <<'EOF'
link set dev vx42 master br0
link set dev ve-c2 master br0
EOF
ip -n stvtep6-h3 -batch - <<'EOF'
link set dev ve-c3 master br0
EOF
ip -n stvtep6-h1 -batch - <<'EOF'
address add 2001:db8:ff::1/64 dev eth0
EOF
ip -n stvtep6-h2 -batch - <<'EOF'
address add 2001:db8:ff::2/64 dev eth0
EOF
ip -n stvtep6-h3 -batch - <<'EOF'
address add 2001:db8:ff::3/64 dev eth0
EOF
ip -n stvtep6-c1 -batch - <<'EOF'
address add 192.0.2.1/24 dev eth0
EOF
ip -n stvtep6-c2 -batch - <<'EOF'
address add 192.0.2.2/24 dev eth0
EOF
ip -n stvtep6-c3 -batch - <<'EOF'
address add 192.0.2.3/24 dev eth0
EOF
ip -n stvtep6-underlay -batch - <<'EOF'
link set dev sw up
EOF
ip -n stvtep6-h1 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n stvtep6-underlay -batch - <<'EOF'
link set dev p0 up
EOF
ip -n stvtep6-h1 -batch - <<'EOF'
link set dev br0 up
link set dev vx42 up
EOF
ip -n stvtep6-c1 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n stvtep6-h1 -batch - <<'EOF'
link set dev ve-c1 up
EOF
ip -n stvtep6-h2 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n stvtep6-underlay -batch - <<'EOF'
link set dev p1 up
EOF
ip -n stvtep6-h2 -batch - <<'EOF'
link set dev br0 up
link set dev vx42 up
EOF
ip -n stvtep6-c2 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n stvtep6-h2 -batch - <<'EOF'
link set dev ve-c2 up
EOF
ip -n stvtep6-h3 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n stvtep6-underlay -batch - <<'EOF'
link set dev p2 up
EOF
ip -n stvtep6-h3 -batch - <<'EOF'
link set dev br0 up
EOF
ip -n stvtep6-c3 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n stvtep6-h3 -batch - <<'EOF'
link set dev ve-c3 up
EOF
ip -n stvtep6-underlay -batch - <<'EOF'
link set dev lo up
EOF
ip -n stvtep6-h1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n stvtep6-h2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n stvtep6-h3 -batch - <<'EOF'
link set dev lo up
EOF
ip -n stvtep6-c1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n stvtep6-c2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n stvtep6-c3 -batch - <<'EOF'
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
vnetlab_wait stvtep6-underlay stvtep6-h1 stvtep6-h2 stvtep6-h3 stvtep6-c1 stvtep6-c2 stvtep6-c3
