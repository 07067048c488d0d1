#!/bin/sh
# lab mvmodes, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down mvmodes`)
set -e
ip netns add mvmodes-lan
ip netns exec mvmodes-lan sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvmodes-lan sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvmodes-lan link set lo alias vnetlab:mvmodes:lan
ip netns add mvmodes-bridge
ip netns exec mvmodes-bridge sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvmodes-bridge sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvmodes-bridge link set lo alias vnetlab:mvmodes:bridge
ip netns add mvmodes-b1
ip netns exec mvmodes-b1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvmodes-b1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvmodes-b1 link set lo alias vnetlab:mvmodes:b1
ip netns add mvmodes-b2
ip netns exec mvmodes-b2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvmodes-b2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvmodes-b2 link set lo alias vnetlab:mvmodes:b2
ip netns add mvmodes-vepa
ip netns exec mvmodes-vepa sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvmodes-vepa sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvmodes-vepa link set lo alias vnetlab:mvmodes:vepa
ip netns add mvmodes-v1
ip netns exec mvmodes-v1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvmodes-v1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvmodes-v1 link set lo alias vnetlab:mvmodes:v1
ip netns add mvmodes-v2
ip netns exec mvmodes-v2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvmodes-v2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvmodes-v2 link set lo alias vnetlab:mvmodes:v2
ip netns add mvmodes-private
ip netns exec mvmodes-private sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvmodes-private sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvmodes-private link set lo alias vnetlab:mvmodes:private
ip netns add mvmodes-p1
ip netns exec mvmodes-p1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvmodes-p1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvmodes-p1 link set lo alias vnetlab:mvmodes:p1
ip netns add mvmodes-p2
ip netns exec mvmodes-p2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvmodes-p2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvmodes-p2 link set lo alias vnetlab:mvmodes:p2
ip netns add mvmodes-peer
ip netns exec mvmodes-peer sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvmodes-peer sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvmodes-peer link set lo alias vnetlab:mvmodes:peer
ip -n mvmodes-lan -batch - <<'EOF'
link add name sw address f6:be:ad:77:7e:28 type bridge stp_state 0
EOF
ip -n mvmodes-bridge -batch - <<'EOF'
link add name eth0 address e2:ef:6e:be:b5:4f type veth peer name p0 address 2a:1b:86:b4:05:1b netns mvmodes-lan
link add name mv0 link eth0 address c2:a1:05:3d:9a:9b netns mvmodes-b1 type macvlan mode bridge
link add name mv0 link eth0 address 6e:6a:fd:8a:fe:8f netns mvmodes-b2 type macvlan mode bridge
EOF
ip -n mvmodes-vepa -batch - <<'EOF'
link add name eth0 address 72:33:3b:2d:69:79 type veth peer name p1 address 8a:89:a8:42:77:ca netns mvmodes-lan
link add name mv0 link eth0 address 5a:eb:2d:f5:8b:1c netns mvmodes-v1 type macvlan mode vepa
link add name mv0 link eth0 address 76:ef:f1:b4:ea:b5 netns mvmodes-v2 type macvlan mode vepa
EOF
ip -n mvmodes-private -batch - <<'EOF'
link add name eth0 address fe:d6:fd:ed:4b:72 type veth peer name p2 address 96:8d:c2:42:24:0e netns mvmodes-lan
link add name mv0 link eth0 address 7e:31:ba:9a:ba:e3 netns mvmodes-p1 type macvlan mode private
link add name mv0 link eth0 address de:13:61:6a:dd:3b netns mvmodes-p2 type macvlan mode private
EOF
ip -n mvmodes-peer -batch - <<'EOF'
link add name eth0 address 9e:5e:bd:dc:64:43 type veth peer name p3 address 5e:f0:99:e1:66:a6 netns mvmodes-lan
EOF
ip -n mvmodes-lan -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
link set dev p1 type bridge_slave hairpin on
link set dev p2 master sw
link set dev p3 master sw
EOF
ip -n mvmodes-bridge -batch - <<'EOF'
address add 198.51.100.10/24 dev eth0
EOF
ip -n mvmodes-b1 -batch - <<'EOF'
address add 198.51.100.11/24 dev mv0
EOF
ip -n mvmodes-b2 -batch - <<'EOF'
address add 198.51.100.12/24 dev mv0
EOF
ip -n mvmodes-vepa -batch - <<'EOF'
address add 198.51.100.20/24 dev eth0
EOF
ip -n mvmodes-v1 -batch - <<'EOF'
address add 198.51.100.21/24 dev mv0
EOF
ip -n mvmodes-v2 -batch - <<'EOF'
address add 198.51.100.22/24 dev mv0
EOF
ip -n mvmodes-private -batch - <<'EOF'
address add 198.51.100.30/24 dev eth0
EOF
ip -n mvmodes-p1 -batch - <<'EOF'
address add 198.51.100.31/24 dev mv0
EOF
ip -n mvmodes-p2 -batch - <<'EOF'
address add 198.51.100.32/24 dev mv0
EOF
ip -n mvmodes-peer -batch - <<'EOF'
address add 198.51.100.66/24 dev eth0
EOF
ip -n mvmodes-lan -batch - <<'EOF'
link set dev sw up
EOF
ip -n mvmodes-bridge -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n mvmodes-lan -batch - <<'EOF'
link set dev p0 up
EOF
ip -n mvmodes-b1 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n mvmodes-b2 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n mvmodes-vepa -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n mvmodes-lan -batch - <<'EOF'
link set dev p1 up
EOF
ip -n mvmodes-v1 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n mvmodes-v2 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n mvmodes-private -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n mvmodes-lan -batch - <<'EOF'
link set dev p2 up
EOF
ip -n mvmodes-p1 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n mvmodes-p2 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n mvmodes-peer -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n mvmodes-lan -batch - <<'EOF'
link set dev p3 up
link set dev lo up
EOF
ip -n mvmodes-bridge -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvmodes-b1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvmodes-b2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvmodes-vepa -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvmodes-v1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvmodes-v2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvmodes-private -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvmodes-p1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvmodes-p2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvmodes-peer -batch - <<'EOF'
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
vnetlab_wait mvmodes-lan mvmodes-bridge mvmodes-b1 mvmodes-b2 mvmodes-vepa mvmodes-v1 mvmodes-v2 mvmodes-private mvmodes-p1 mvmodes-p2 mvmodes-peer
