#!/bin/sh
# lab brvlan, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down brvlan`)
set -e
ip netns add brvlan-sw
ip netns exec brvlan-sw sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec brvlan-sw sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n brvlan-sw link set lo alias vnetlab:brvlan:sw
ip netns add brvlan-a1
ip netns exec brvlan-a1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec brvlan-a1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n brvlan-a1 link set lo alias vnetlab:brvlan:a1
ip netns add brvlan-a2
ip netns exec brvlan-a2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec brvlan-a2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n brvlan-a2 link set lo alias vnetlab:brvlan:a2
ip netns add brvlan-a3
ip netns exec brvlan-a3 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec brvlan-a3 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n brvlan-a3 link set lo alias vnetlab:brvlan:a3
ip netns add brvlan-b5
ip netns exec brvlan-b5 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec brvlan-b5 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n brvlan-b5 link set lo alias vnetlab:brvlan:b5
ip netns add brvlan-a6
ip netns exec brvlan-a6 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec brvlan-a6 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n brvlan-a6 link set lo alias vnetlab:brvlan:a6
ip netns add brvlan-trunk
ip netns exec brvlan-trunk sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec brvlan-trunk sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n brvlan-trunk link set lo alias vnetlab:brvlan:trunk
ip -n brvlan-sw -batch - <<'EOF'
link add name br0 address 6e:de:e7:6a:83:99 type bridge stp_state 0 vlan_filtering 1
link add name p1 address 36:3a:8b:0a:ce:e9 type veth peer name eth0 address 06:95:3a:97:76:af netns brvlan-a1
link add name p2 address a6:65:da:19:bf:2f type veth peer name eth0 address 82:82:41:9a:14:1f netns brvlan-a2
link add name p3 address 82:b1:a0:54:5a:64 type veth peer name eth0 address 96:cc:b9:f2:21:ea netns brvlan-a3
link add name p4 address d6:f0:cf:52:dc:4d type veth peer name eth0 address 72:a4:f0:cf:4f:ee netns brvlan-trunk
link add name p5 address 3a:26:6a:49:64:b0 type veth peer name eth0 address 92:f5:9e:c0:57:48 netns brvlan-b5
link add name p6 address be:37:ff:f7:7a:0b type veth peer name eth0 address 5e:5e:4f:e4:7b:f5 netns brvlan-a6
EOF
ip -n brvlan-trunk -batch - <<'EOF'
link add name eth0.10 link eth0 type vlan id 10 protocol 802.1Q
link add name eth0.20 link eth0 type vlan id 20 protocol 802.1Q
EOF
ip -n brvlan-sw -batch - <<'EOF'
link set dev p1 master br0
EOF
bridge -n brvlan-sw vlan del dev p1 vid 1
bridge -n brvlan-sw vlan add dev p1 vid 10 pvid untagged
ip -n brvlan-sw -batch - <<'EOF'
link set dev p2 master br0
EOF
bridge -n brvlan-sw vlan del dev p2 vid 1
bridge -n brvlan-sw vlan add dev p2 vid 10 pvid untagged
ip -n brvlan-sw -batch - <<'EOF'
link set dev p3 master br0
EOF
bridge -n brvlan-sw vlan del dev p3 vid 1
bridge -n brvlan-sw vlan add dev p3 vid 20 pvid untagged
ip -n brvlan-sw -batch - <<'EOF'
link set dev p4 master br0
EOF
bridge -n brvlan-sw vlan del dev p4 vid 1
bridge -n brvlan-sw vlan add dev p4 vid 1 pvid untagged
bridge -n brvlan-sw vlan add dev p4 vid 10
bridge -n brvlan-sw vlan add dev p4 vid 20
ip -n brvlan-sw -batch - <<'EOF'
link set dev p5 master br0
EOF
bridge -n brvlan-sw vlan del dev p5 vid 1
bridge -n brvlan-sw vlan add dev p5 vid 20 pvid untagged
ip -n brvlan-sw -batch - <<'EOF'
link set dev p6 master br0
EOF
bridge -n brvlan-sw vlan del dev p6 vid 1
bridge -n brvlan-sw vlan add dev p6 vid 10 pvid
ip -n brvlan-sw -batch - <<'EOF'
address add 203.0.113.1/24 dev br0
EOF
ip -n brvlan-a1 -batch - <<'EOF'
address add 192.0.2.1/24 dev eth0
EOF
ip -n brvlan-a2 -batch - <<'EOF'
address add 192.0.2.2/24 dev eth0
EOF
ip -n brvlan-a3 -batch - <<'EOF'
address add 192.0.2.3/24 dev eth0
EOF
ip -n brvlan-b5 -batch - <<'EOF'
address add 198.51.100.5/24 dev eth0
EOF
ip -n brvlan-a6 -batch - <<'EOF'
address add 192.0.2.6/24 dev eth0
EOF
ip -n brvlan-trunk -batch - <<'EOF'
address add 203.0.113.2/24 dev eth0
address add 192.0.2.10/24 dev eth0.10
address add 198.51.100.20/24 dev eth0.20
EOF
ip -n brvlan-sw -batch - <<'EOF'
link set dev br0 up
EOF
ip -n brvlan-a1 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n brvlan-sw -batch - <<'EOF'
link set dev p1 up
EOF
ip -n brvlan-a2 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n brvlan-sw -batch - <<'EOF'
link set dev p2 up
EOF
ip -n brvlan-a3 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n brvlan-sw -batch - <<'EOF'
link set dev p3 up
EOF
ip -n brvlan-trunk -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n brvlan-sw -batch - <<'EOF'
link set dev p4 up
EOF
ip -n brvlan-b5 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n brvlan-sw -batch - <<'EOF'
link set dev p5 up
EOF
ip -n brvlan-a6 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n brvlan-sw -batch - <<'EOF'
link set dev p6 up
EOF
ip -n brvlan-trunk -batch - <<'EOF'
link set dev eth0.10 up
link set dev eth0.20 up
EOF
ip -n brvlan-sw -batch - <<'EOF'
link set dev lo up
EOF
ip -n brvlan-a1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n brvlan-a2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n brvlan-a3 -batch - <<'EOF'
link set dev lo up
EOF
ip -n brvlan-b5 -batch - <<'EOF'
link set dev lo up
EOF
ip -n brvlan-a6 -batch - <<'EOF'
link set dev lo up
EOF
ip -n brvlan-trunk -batch - <<'EOF'
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
vnetlab_wait brvlan-sw brvlan-a1 brvlan-a2 brvlan-a3 brvlan-b5 brvlan-a6 brvlan-trunk
