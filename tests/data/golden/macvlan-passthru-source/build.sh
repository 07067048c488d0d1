#!/bin/sh
# lab mvpass, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down mvpass`)
set -e
ip netns add mvpass-lan
ip netns exec mvpass-lan sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvpass-lan sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvpass-lan link set lo alias vnetlab:mvpass:lan
ip netns add mvpass-hostp
ip netns exec mvpass-hostp sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvpass-hostp sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvpass-hostp link set lo alias vnetlab:mvpass:hostp
ip netns add mvpass-vm
ip netns exec mvpass-vm sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvpass-vm sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvpass-vm link set lo alias vnetlab:mvpass:vm
ip netns add mvpass-hosts
ip netns exec mvpass-hosts sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvpass-hosts sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvpass-hosts link set lo alias vnetlab:mvpass:hosts
ip netns add mvpass-src
ip netns exec mvpass-src sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvpass-src sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvpass-src link set lo alias vnetlab:mvpass:src
ip netns add mvpass-peer
ip netns exec mvpass-peer sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvpass-peer sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvpass-peer link set lo alias vnetlab:mvpass:peer
ip netns add mvpass-other
ip netns exec mvpass-other sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mvpass-other sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mvpass-other link set lo alias vnetlab:mvpass:other
ip -n mvpass-lan -batch - <<'EOF'
link add name sw address da:01:14:5d:3c:9f type bridge stp_state 0
EOF
ip -n mvpass-hostp -batch - <<'EOF'
link add name eth0 address be:66:be:8c:78:da type veth peer name p0 address 72:19:f5:b5:e8:3b netns mvpass-lan
link add name mv0 link eth0 netns mvpass-vm type macvlan mode passthru
EOF
ip -n mvpass-hosts -batch - <<'EOF'
link add name eth0 address 86:2c:aa:9c:1a:01 type veth peer name p1 address 02:df:79:7d:b2:4f netns mvpass-lan
link add name mv0 link eth0 address 22:4f:31:97:d3:aa netns mvpass-src type macvlan mode source
EOF
ip -n mvpass-src -batch - <<'EOF'
link set dev mv0 type macvlan macaddr add 02:00:00:00:66:01
EOF
ip -n mvpass-peer -batch - <<'EOF'
link add name eth0 address 02:00:00:00:66:01 type veth peer name p2 address da:25:a5:f1:3c:a9 netns mvpass-lan
EOF
ip -n mvpass-other -batch - <<'EOF'
link add name eth0 address 02:00:00:00:77:01 type veth peer name p3 address 4a:12:f5:51:f9:15 netns mvpass-lan
EOF
ip -n mvpass-lan -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
link set dev p2 master sw
link set dev p3 master sw
EOF
ip -n mvpass-vm -batch - <<'EOF'
address add 203.0.113.11/24 dev mv0
EOF
ip -n mvpass-src -batch - <<'EOF'
address add 203.0.113.21/24 dev mv0
EOF
ip -n mvpass-peer -batch - <<'EOF'
address add 203.0.113.66/24 dev eth0
EOF
ip -n mvpass-other -batch - <<'EOF'
address add 203.0.113.77/24 dev eth0
EOF
ip -n mvpass-lan -batch - <<'EOF'
link set dev sw up
EOF
ip -n mvpass-hostp -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n mvpass-lan -batch - <<'EOF'
link set dev p0 up
EOF
ip -n mvpass-vm -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n mvpass-hosts -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n mvpass-lan -batch - <<'EOF'
link set dev p1 up
EOF
ip -n mvpass-src -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n mvpass-peer -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n mvpass-lan -batch - <<'EOF'
link set dev p2 up
EOF
ip -n mvpass-other -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n mvpass-lan -batch - <<'EOF'
link set dev p3 up
link set dev lo up
EOF
ip -n mvpass-hostp -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvpass-vm -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvpass-hosts -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvpass-src -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvpass-peer -batch - <<'EOF'
link set dev lo up
EOF
ip -n mvpass-other -batch - <<'EOF'
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
vnetlab_wait mvpass-lan mvpass-hostp mvpass-vm mvpass-hosts mvpass-src mvpass-peer mvpass-other
