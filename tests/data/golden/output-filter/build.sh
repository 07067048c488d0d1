#!/bin/sh
# lab ofilter, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down ofilter`)
set -e
ip netns add ofilter-lan
ip netns exec ofilter-lan sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec ofilter-lan sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n ofilter-lan link set lo alias vnetlab:ofilter:lan
ip netns add ofilter-h1
ip netns exec ofilter-h1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec ofilter-h1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n ofilter-h1 link set lo alias vnetlab:ofilter:h1
ip netns add ofilter-h2
ip netns exec ofilter-h2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec ofilter-h2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n ofilter-h2 link set lo alias vnetlab:ofilter:h2
ip netns add ofilter-h3
ip netns exec ofilter-h3 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec ofilter-h3 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n ofilter-h3 link set lo alias vnetlab:ofilter:h3
ip -n ofilter-lan -batch - <<'EOF'
link add name sw address 12:a2:56:88:d8:2a type bridge stp_state 0
EOF
ip -n ofilter-h1 -batch - <<'EOF'
link add name eth0 address b2:74:18:1a:3b:58 type veth peer name p0 address 6a:95:cd:38:96:01 netns ofilter-lan
EOF
ip -n ofilter-h2 -batch - <<'EOF'
link add name eth0 address 8a:d0:3c:f9:6a:35 type veth peer name p1 address 9a:77:d2:df:e3:db netns ofilter-lan
EOF
ip -n ofilter-h3 -batch - <<'EOF'
link add name eth0 address 76:98:48:a7:94:aa type veth peer name p2 address fe:3d:6e:61:70:9e netns ofilter-lan
EOF
ip -n ofilter-lan -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
link set dev p2 master sw
EOF
ip -n ofilter-h1 -batch - <<'EOF'
address add 192.0.2.1/24 dev eth0
EOF
ip -n ofilter-h2 -batch - <<'EOF'
address add 192.0.2.2/24 dev eth0
EOF
ip -n ofilter-h3 -batch - <<'EOF'
address add 192.0.2.3/24 dev eth0
EOF
ip -n ofilter-lan -batch - <<'EOF'
link set dev sw up
EOF
ip -n ofilter-h1 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n ofilter-lan -batch - <<'EOF'
link set dev p0 up
EOF
ip -n ofilter-h2 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n ofilter-lan -batch - <<'EOF'
link set dev p1 up
EOF
ip -n ofilter-h3 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n ofilter-lan -batch - <<'EOF'
link set dev p2 up
link set dev lo up
EOF
ip -n ofilter-h1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n ofilter-h2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n ofilter-h3 -batch - <<'EOF'
link set dev lo up
EOF
printf '%s\n' 'table ip out {
  chain output {
    type filter hook output priority 0; policy accept;
    ip daddr 192.0.2.3 icmp type echo-request drop
  }
}
' | ip netns exec ofilter-h1 nft -f -
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
vnetlab_wait ofilter-lan ofilter-h1 ofilter-h2 ofilter-h3
