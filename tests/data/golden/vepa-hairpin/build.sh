#!/bin/sh
# lab vepa, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down vepa`)
set -e
ip netns add vepa-lan
ip netns exec vepa-lan sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec vepa-lan sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vepa-lan link set lo alias vnetlab:vepa:lan
ip netns add vepa-plain
ip netns exec vepa-plain sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec vepa-plain sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vepa-plain link set lo alias vnetlab:vepa:plain
ip netns add vepa-a1
ip netns exec vepa-a1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec vepa-a1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vepa-a1 link set lo alias vnetlab:vepa:a1
ip netns add vepa-a2
ip netns exec vepa-a2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec vepa-a2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vepa-a2 link set lo alias vnetlab:vepa:a2
ip netns add vepa-relay
ip netns exec vepa-relay sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec vepa-relay sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vepa-relay link set lo alias vnetlab:vepa:relay
ip netns add vepa-b1
ip netns exec vepa-b1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec vepa-b1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vepa-b1 link set lo alias vnetlab:vepa:b1
ip netns add vepa-b2
ip netns exec vepa-b2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec vepa-b2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vepa-b2 link set lo alias vnetlab:vepa:b2
ip netns add vepa-peer
ip netns exec vepa-peer sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec vepa-peer sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vepa-peer link set lo alias vnetlab:vepa:peer
ip -n vepa-lan -batch - <<'EOF'
link add name sw address a6:1d:4e:2e:06:9e type bridge stp_state 0
EOF
ip -n vepa-plain -batch - <<'EOF'
link add name eth0 address 8e:bf:69:28:ad:95 type veth peer name p0 address 5a:c2:a4:1d:bf:f7 netns vepa-lan
link add name mv0 link eth0 address 1e:6e:b5:cd:87:ae netns vepa-a1 type macvlan mode vepa
link add name mv0 link eth0 address be:ca:89:1d:56:33 netns vepa-a2 type macvlan mode vepa
EOF
ip -n vepa-relay -batch - <<'EOF'
link add name eth0 address fa:fd:42:65:8b:bb type veth peer name p1 address 8e:76:f8:20:8d:8a netns vepa-lan
link add name mv0 link eth0 address f2:e0:65:a1:09:82 netns vepa-b1 type macvlan mode vepa
link add name mv0 link eth0 address 46:f8:95:92:db:9a netns vepa-b2 type macvlan mode vepa
EOF
ip -n vepa-peer -batch - <<'EOF'
link add name eth0 address fe:16:4b:87:f0:e5 type veth peer name p2 address 4a:d0:77:90:43:1a netns vepa-lan
EOF
ip -n vepa-lan -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
link set dev p1 type bridge_slave hairpin on
link set dev p2 master sw
EOF
ip -n vepa-a1 -batch - <<'EOF'
address add 192.0.2.11/24 dev mv0
EOF
ip -n vepa-a2 -batch - <<'EOF'
address add 192.0.2.12/24 dev mv0
EOF
ip -n vepa-b1 -batch - <<'EOF'
address add 192.0.2.21/24 dev mv0
EOF
ip -n vepa-b2 -batch - <<'EOF'
address add 192.0.2.22/24 dev mv0
EOF
ip -n vepa-peer -batch - <<'EOF'
address add 192.0.2.66/24 dev eth0
EOF
ip -n vepa-lan -batch - <<'EOF'
link set dev sw up
EOF
ip -n vepa-plain -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n vepa-lan -batch - <<'EOF'
link set dev p0 up
EOF
ip -n vepa-a1 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n vepa-a2 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n vepa-relay -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n vepa-lan -batch - <<'EOF'
link set dev p1 up
EOF
ip -n vepa-b1 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n vepa-b2 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n vepa-peer -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n vepa-lan -batch - <<'EOF'
link set dev p2 up
link set dev lo up
EOF
ip -n vepa-plain -batch - <<'EOF'
link set dev lo up
EOF
ip -n vepa-a1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n vepa-a2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n vepa-relay -batch - <<'EOF'
link set dev lo up
EOF
ip -n vepa-b1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n vepa-b2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n vepa-peer -batch - <<'EOF'
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
vnetlab_wait vepa-lan vepa-plain vepa-a1 vepa-a2 vepa-relay vepa-b1 vepa-b2 vepa-peer
