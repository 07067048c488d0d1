#!/bin/sh
# lab mvvlan, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down mvvlan`)
set -e
ip netns add mvvlan-sw
ip netns exec mvvlan-sw sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvvlan-sw sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvvlan-sw link set lo alias vnetlab:mvvlan:sw
ip netns add mvvlan-host
ip netns exec mvvlan-host sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvvlan-host sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvvlan-host link set lo alias vnetlab:mvvlan:host
ip netns add mvvlan-ns1
ip netns exec mvvlan-ns1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvvlan-ns1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvvlan-ns1 link set lo alias vnetlab:mvvlan:ns1
ip netns add mvvlan-ns2
ip netns exec mvvlan-ns2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvvlan-ns2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvvlan-ns2 link set lo alias vnetlab:mvvlan:ns2
ip netns add mvvlan-ns3
ip netns exec mvvlan-ns3 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvvlan-ns3 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvvlan-ns3 link set lo alias vnetlab:mvvlan:ns3
ip netns add mvvlan-ns4
ip netns exec mvvlan-ns4 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvvlan-ns4 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvvlan-ns4 link set lo alias vnetlab:mvvlan:ns4
ip netns add mvvlan-ns5
ip netns exec mvvlan-ns5 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvvlan-ns5 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvvlan-ns5 link set lo alias vnetlab:mvvlan:ns5
ip -n mvvlan-sw -batch - <<'EOF'
link add name sw address f6:b5:b6:17:e2:d4 type bridge stp_state 0
EOF
ip -n mvvlan-host -batch - <<'EOF'
link add name eth1 address fa:20:3b:f9:aa:36 type veth peer name p0 address fa:91:28:1a:36:eb netns mvvlan-sw
link add name eth2 address d2:9e:a5:d5:36:78 type veth peer name p1 address b6:00:33:60:d3:7d netns mvvlan-sw
link add name eth1.11 link eth1 type vlan id 11 protocol 802.1Q
link add name eth2.12 link eth2 type vlan id 12 protocol 802.1Q
link add name eth2.11 link eth2 type vlan id 11 protocol 802.1Q
link add name mv0 link eth1.11 address 4e:01:54:7b:03:0b netns mvvlan-ns1 type macvlan mode vepa
link add name mv0 link eth1.11 address 2a:ac:c5:3d:3c:16 netns mvvlan-ns2 type macvlan mode vepa
link add name mv0 link eth2.12 address 46:89:3c:54:65:05 netns mvvlan-ns3 type macvlan mode vepa
link add name mv0 link eth2.12 address 5a:c5:16:73:b1:a8 netns mvvlan-ns4 type macvlan mode vepa
link add name mv0 link eth2.11 address 92:4e:72:42:51:4d netns mvvlan-ns5 type macvlan mode vepa
EOF
ip -n mvvlan-sw -batch - <<'EOF'
link set dev p0 master sw
link set dev p0 type bridge_slave hairpin on
link set dev p1 master sw
link set dev p1 type bridge_slave hairpin on
EOF
ip -n mvvlan-ns1 -batch - <<'EOF'
address add 192.0.2.2/24 dev mv0
EOF
ip -n mvvlan-ns2 -batch - <<'EOF'
address add 192.0.2.3/24 dev mv0
EOF
ip -n mvvlan-ns3 -batch - <<'EOF'
address add 192.0.2.4/24 dev mv0
EOF
ip -n mvvlan-ns4 -batch - <<'EOF'
address add 192.0.2.13/24 dev mv0
EOF
ip -n mvvlan-ns5 -batch - <<'EOF'
address add 192.0.2.5/24 dev mv0
EOF
ip -n mvvlan-sw -batch - <<'EOF'
link set dev sw up
EOF
ip -n mvvlan-host -batch - <<'EOF'
link set dev eth1 up
EOF
ip -n mvvlan-sw -batch - <<'EOF'
link set dev p0 up
EOF
ip -n mvvlan-host -batch - <<'EOF'
link set dev eth2 up
EOF
ip -n mvvlan-sw -batch - <<'EOF'
link set dev p1 up
EOF
ip -n mvvlan-host -batch - <<'EOF'
link set dev eth1.11 up
link set dev eth2.12 up
link set dev eth2.11 up
EOF
ip -n mvvlan-ns1 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n mvvlan-ns2 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n mvvlan-ns3 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n mvvlan-ns4 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n mvvlan-ns5 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n mvvlan-sw -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvvlan-host -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvvlan-ns1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvvlan-ns2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvvlan-ns3 -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvvlan-ns4 -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvvlan-ns5 -batch - <<'EOF'
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
vnetlab_wait mvvlan-sw mvvlan-host mvvlan-ns1 mvvlan-ns2 mvvlan-ns3 mvvlan-ns4 mvvlan-ns5
