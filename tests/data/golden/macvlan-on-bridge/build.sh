#!/bin/sh
# lab mvbr, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down mvbr`)
set -e
ip netns add mvbr-host
ip netns exec mvbr-host sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvbr-host sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvbr-host link set lo alias vnetlab:mvbr:host
ip netns add mvbr-web
ip netns exec mvbr-web sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvbr-web sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvbr-web link set lo alias vnetlab:mvbr:web
ip netns add mvbr-db
ip netns exec mvbr-db sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvbr-db sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvbr-db link set lo alias vnetlab:mvbr:db
ip netns add mvbr-ct
ip netns exec mvbr-ct sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvbr-ct sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvbr-ct link set lo alias vnetlab:mvbr:ct
ip -n mvbr-host -batch - <<'EOF'
link add name br0 address 36:33:ae:ca:23:b9 type bridge stp_state 0
link add name p1 address ae:51:40:a1:79:50 type veth peer name eth0 address 3a:a3:c6:27:eb:4a netns mvbr-web
link add name p2 address ca:d3:bd:1f:e6:19 type veth peer name eth0 address fe:2e:3c:38:54:2f netns mvbr-db
link add name mv0 link br0 address ca:75:35:e7:fb:b3 netns mvbr-ct type macvlan mode bridge
link set dev p1 master br0
link set dev p2 master br0
address add 192.0.2.1/24 dev br0
EOF
ip -n mvbr-web -batch - <<'EOF'
address add 192.0.2.10/24 dev eth0
EOF
ip -n mvbr-db -batch - <<'EOF'
address add 192.0.2.20/24 dev eth0
EOF
ip -n mvbr-ct -batch - <<'EOF'
address add 192.0.2.30/24 dev mv0
EOF
ip -n mvbr-host -batch - <<'EOF'
link set dev br0 up
EOF
ip -n mvbr-web -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n mvbr-host -batch - <<'EOF'
link set dev p1 up
EOF
ip -n mvbr-db -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n mvbr-host -batch - <<'EOF'
link set dev p2 up
EOF
ip -n mvbr-ct -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n mvbr-host -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvbr-web -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvbr-db -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvbr-ct -batch - <<'EOF'
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
vnetlab_wait mvbr-host mvbr-web mvbr-db mvbr-ct
