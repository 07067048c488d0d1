#!/bin/sh
# lab brvsmv, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down brvsmv`)
set -e
ip netns add brvsmv-lan
ip netns exec brvsmv-lan sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec brvsmv-lan sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n brvsmv-lan link set lo alias vnetlab:brvsmv:lan
ip netns add brvsmv-host
ip netns exec brvsmv-host sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec brvsmv-host sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n brvsmv-host link set lo alias vnetlab:brvsmv:host
ip netns add brvsmv-web
ip netns exec brvsmv-web sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec brvsmv-web sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n brvsmv-web link set lo alias vnetlab:brvsmv:web
ip netns add brvsmv-db
ip netns exec brvsmv-db sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec brvsmv-db sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n brvsmv-db link set lo alias vnetlab:brvsmv:db
ip netns add brvsmv-peer
ip netns exec brvsmv-peer sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec brvsmv-peer sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n brvsmv-peer link set lo alias vnetlab:brvsmv:peer
ip -n brvsmv-lan -batch - <<'EOF'
link add name sw address f6:7e:ae:a7:e8:f6 type bridge stp_state 0
EOF
ip -n brvsmv-host -batch - <<'EOF'
link add name eth0 address 62:02:81:54:1b:b0 type veth peer name p0 address 76:10:05:b1:18:86 netns brvsmv-lan
link add name br0 address 2e:53:d8:33:91:b2 type bridge stp_state 0
link add name ve-web address ca:1b:12:fa:c1:c4 type veth peer name eth0 address b2:20:8e:a7:c5:c1 netns brvsmv-web
link add name eth1 address 0a:92:e4:1e:24:ce type veth peer name p1 address f6:ad:74:6b:df:ad netns brvsmv-lan
link add name mv0 link eth1 address 72:ce:98:0a:15:9c netns brvsmv-db type macvlan mode bridge
EOF
ip -n brvsmv-peer -batch - <<'EOF'
link add name eth0 address 4e:d6:99:2d:89:ff type veth peer name p2 address da:db:d4:ce:a6:20 netns brvsmv-lan
EOF
ip -n brvsmv-lan -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
link set dev p2 master sw
EOF
ip -n brvsmv-host -batch - <<'EOF'
link set dev eth0 master br0
link set dev ve-web master br0
address add 192.0.2.1/24 dev br0
EOF
ip -n brvsmv-web -batch - <<'EOF'
address add 192.0.2.10/24 dev eth0
EOF
ip -n brvsmv-db -batch - <<'EOF'
address add 192.0.2.20/24 dev mv0
EOF
ip -n brvsmv-peer -batch - <<'EOF'
address add 192.0.2.66/24 dev eth0
EOF
ip -n brvsmv-lan -batch - <<'EOF'
link set dev sw up
EOF
ip -n brvsmv-host -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n brvsmv-lan -batch - <<'EOF'
link set dev p0 up
EOF
ip -n brvsmv-host -batch - <<'EOF'
link set dev br0 up
EOF
ip -n brvsmv-web -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n brvsmv-host -batch - <<'EOF'
link set dev ve-web up
link set dev eth1 up
EOF
ip -n brvsmv-lan -batch - <<'EOF'
link set dev p1 up
EOF
ip -n brvsmv-db -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n brvsmv-peer -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n brvsmv-lan -batch - <<'EOF'
link set dev p2 up
link set dev lo up
EOF
ip -n brvsmv-host -batch - <<'EOF'
link set dev lo up
EOF
ip -n brvsmv-web -batch - <<'EOF'
link set dev lo up
EOF
ip -n brvsmv-db -batch - <<'EOF'
link set dev lo up
EOF
ip -n brvsmv-peer -batch - <<'EOF'
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
vnetlab_wait brvsmv-lan brvsmv-host brvsmv-web brvsmv-db brvsmv-peer
