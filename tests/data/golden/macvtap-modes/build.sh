#!/bin/sh
# lab mvtmodes, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down mvtmodes`)
set -e
ip netns add mvtmodes-lan
ip netns exec mvtmodes-lan sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvtmodes-lan sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvtmodes-lan link set lo alias vnetlab:mvtmodes:lan
ip netns add mvtmodes-hp
ip netns exec mvtmodes-hp sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvtmodes-hp sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvtmodes-hp link set lo alias vnetlab:mvtmodes:hp
ip netns add mvtmodes-peer
ip netns exec mvtmodes-peer sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvtmodes-peer sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvtmodes-peer link set lo alias vnetlab:mvtmodes:peer
ip netns add mvtmodes-peerh
ip netns exec mvtmodes-peerh sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvtmodes-peerh sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvtmodes-peerh link set lo alias vnetlab:mvtmodes:peerh
ip netns add mvtmodes-h
ip netns exec mvtmodes-h sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvtmodes-h sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvtmodes-h link set lo alias vnetlab:mvtmodes:h
ip netns add mvtmodes-k
ip netns exec mvtmodes-k sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvtmodes-k sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvtmodes-k link set lo alias vnetlab:mvtmodes:k
ip -n mvtmodes-lan -batch - <<'EOF'
link add name sw address de:30:65:07:aa:6d type bridge stp_state 0
EOF
ip -n mvtmodes-hp -batch - <<'EOF'
link add name sw address 06:02:a0:1c:bd:87 type bridge stp_state 0
EOF
ip -n mvtmodes-peer -batch - <<'EOF'
link add name eth0 address 92:dd:c5:d3:a5:dc type veth peer name p0 address 76:c8:db:6d:1f:ef netns mvtmodes-lan
EOF
ip -n mvtmodes-peerh -batch - <<'EOF'
link add name eth0 address be:0c:bc:3d:2b:bc type veth peer name p0 address 92:8c:2b:f5:0c:12 netns mvtmodes-hp
EOF
ip -n mvtmodes-h -batch - <<'EOF'
link add name eth0 address 92:75:67:0b:dc:aa type veth peer name p1 address 76:40:03:8c:8e:4c netns mvtmodes-lan
link add name mvt-b1 link eth0 address aa:c0:2c:bb:48:30 type macvtap mode bridge
link add name mvt-b2 link eth0 address 4a:16:41:24:34:44 type macvtap mode bridge
link add name mvt-v1 link eth0 address 96:81:04:a1:d9:78 type macvtap mode vepa
link add name mvt-v2 link eth0 address ca:72:b3:d8:fc:4a type macvtap mode vepa
link add name mvt-p1 link eth0 address a2:79:00:f3:53:51 type macvtap mode private
link add name mvt-p2 link eth0 address da:83:e9:a0:78:55 type macvtap mode private
EOF
ip -n mvtmodes-k -batch - <<'EOF'
link add name eth0 address 36:27:0f:3b:ec:ca type veth peer name p1 address 56:80:e3:4b:bf:a7 netns mvtmodes-hp
link add name mvt-v1 link eth0 address 22:fa:08:8e:06:b0 type macvtap mode vepa
link add name mvt-v2 link eth0 address 72:68:50:a4:87:ab type macvtap mode vepa
link add name mvt-p1 link eth0 address 6a:8e:d1:41:ae:9f type macvtap mode private
link add name mvt-p2 link eth0 address c2:77:40:bc:9c:8b type macvtap mode private
EOF
ip -n mvtmodes-lan -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
EOF
ip -n mvtmodes-hp -batch - <<'EOF'
link set dev p0 master sw
link set dev p0 type bridge_slave hairpin on
link set dev p1 master sw
link set dev p1 type bridge_slave hairpin on
EOF
ip -n mvtmodes-peer -batch - <<'EOF'
address add 198.18.4.100/24 dev eth0
EOF
ip -n mvtmodes-peerh -batch - <<'EOF'
address add 198.18.5.100/24 dev eth0
EOF
ip -n mvtmodes-lan -batch - <<'EOF'
link set dev sw up
EOF
ip -n mvtmodes-hp -batch - <<'EOF'
link set dev sw up
EOF
ip -n mvtmodes-peer -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n mvtmodes-lan -batch - <<'EOF'
link set dev p0 up
EOF
ip -n mvtmodes-peerh -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n mvtmodes-hp -batch - <<'EOF'
link set dev p0 up
EOF
ip -n mvtmodes-h -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n mvtmodes-lan -batch - <<'EOF'
link set dev p1 up
EOF
ip -n mvtmodes-h -batch - <<'EOF'
link set dev mvt-b1 up
link set dev mvt-b2 up
link set dev mvt-v1 up
link set dev mvt-v2 up
link set dev mvt-p1 up
link set dev mvt-p2 up
EOF
ip -n mvtmodes-k -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n mvtmodes-hp -batch - <<'EOF'
link set dev p1 up
EOF
ip -n mvtmodes-k -batch - <<'EOF'
link set dev mvt-v1 up
link set dev mvt-v2 up
link set dev mvt-p1 up
link set dev mvt-p2 up
EOF
ip -n mvtmodes-lan -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvtmodes-hp -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvtmodes-peer -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvtmodes-peerh -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvtmodes-h -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvtmodes-k -batch - <<'EOF'
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
vnetlab_wait mvtmodes-lan mvtmodes-hp mvtmodes-peer mvtmodes-peerh mvtmodes-h mvtmodes-k
