#!/bin/sh
# lab mvtap, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down mvtap`)
set -e
ip netns add mvtap-lan
ip netns exec mvtap-lan sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvtap-lan sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvtap-lan link set lo alias vnetlab:mvtap:lan
ip netns add mvtap-h1
ip netns exec mvtap-h1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvtap-h1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvtap-h1 link set lo alias vnetlab:mvtap:h1
ip netns add mvtap-h2
ip netns exec mvtap-h2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvtap-h2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvtap-h2 link set lo alias vnetlab:mvtap:h2
ip netns add mvtap-peer
ip netns exec mvtap-peer sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvtap-peer sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvtap-peer link set lo alias vnetlab:mvtap:peer
ip -n mvtap-lan -batch - <<'EOF'
link add name sw address 42:fb:94:d1:dc:1b type bridge stp_state 0
EOF
ip -n mvtap-h1 -batch - <<'EOF'
link add name eth0 address da:89:2a:c4:6b:06 type veth peer name p0 address fe:cb:03:69:dc:19 netns mvtap-lan
link add name free link eth0 address 26:93:66:93:04:fb type macvtap mode bridge
EOF
ip -n mvtap-h2 -batch - <<'EOF'
link add name eth0 address 5e:36:0e:0c:a4:64 type veth peer name p1 address c2:06:e2:f3:c8:b0 netns mvtap-lan
link add name held link eth0 address 0e:22:cc:fa:e6:f5 type macvtap mode bridge
EOF
ip -n mvtap-peer -batch - <<'EOF'
link add name eth0 address 9e:54:00:5e:81:1d type veth peer name p2 address 4a:f7:66:38:9f:94 netns mvtap-lan
EOF
ip -n mvtap-lan -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
link set dev p2 master sw
EOF
ip -n mvtap-h1 -batch - <<'EOF'
address add 198.18.0.10/24 dev free
EOF
ip -n mvtap-h2 -batch - <<'EOF'
address add 198.18.0.20/24 dev held
EOF
ip -n mvtap-peer -batch - <<'EOF'
address add 198.18.0.100/24 dev eth0
EOF
ip -n mvtap-lan -batch - <<'EOF'
link set dev sw up
EOF
ip -n mvtap-h1 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n mvtap-lan -batch - <<'EOF'
link set dev p0 up
EOF
ip -n mvtap-h1 -batch - <<'EOF'
link set dev free up
EOF
ip -n mvtap-h2 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n mvtap-lan -batch - <<'EOF'
link set dev p1 up
EOF
ip -n mvtap-h2 -batch - <<'EOF'
link set dev held up
EOF
ip -n mvtap-peer -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n mvtap-lan -batch - <<'EOF'
link set dev p2 up
link set dev lo up
EOF
ip -n mvtap-h1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvtap-h2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvtap-peer -batch - <<'EOF'
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
vnetlab_wait mvtap-lan mvtap-h1 mvtap-h2 mvtap-peer
