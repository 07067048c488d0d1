#!/bin/sh
# lab lowdown, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down lowdown`)
set -e
ip netns add lowdown-lan
ip netns exec lowdown-lan sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec lowdown-lan sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n lowdown-lan link set lo alias vnetlab:lowdown:lan
ip netns add lowdown-h1
ip netns exec lowdown-h1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec lowdown-h1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n lowdown-h1 link set lo alias vnetlab:lowdown:h1
ip netns add lowdown-a1
ip netns exec lowdown-a1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec lowdown-a1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n lowdown-a1 link set lo alias vnetlab:lowdown:a1
ip netns add lowdown-a2
ip netns exec lowdown-a2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec lowdown-a2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n lowdown-a2 link set lo alias vnetlab:lowdown:a2
ip netns add lowdown-h2
ip netns exec lowdown-h2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec lowdown-h2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n lowdown-h2 link set lo alias vnetlab:lowdown:h2
ip netns add lowdown-b1
ip netns exec lowdown-b1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec lowdown-b1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n lowdown-b1 link set lo alias vnetlab:lowdown:b1
ip netns add lowdown-b2
ip netns exec lowdown-b2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec lowdown-b2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n lowdown-b2 link set lo alias vnetlab:lowdown:b2
ip -n lowdown-lan -batch - <<'EOF'
link add name sw address 8a:b2:ed:fc:55:5e type bridge stp_state 0
EOF
ip -n lowdown-h1 -batch - <<'EOF'
link add name eth0 address fa:c4:0d:ca:de:20 type veth peer name p0 address 46:91:66:f6:01:49 netns lowdown-lan
link add name mv0 link eth0 address ba:ca:ef:93:26:2e netns lowdown-a1 type macvlan mode bridge
link add name mv0 link eth0 address 96:06:be:85:83:df netns lowdown-a2 type macvlan mode bridge
EOF
ip -n lowdown-h2 -batch - <<'EOF'
link add name eth0 address 4a:14:65:da:3d:3c type veth peer name p1 address be:72:96:dd:4b:be netns lowdown-lan
link add name mv0 link eth0 address 7e:41:9e:29:36:01 netns lowdown-b1 type macvlan mode bridge
link add name mv0 link eth0 address 3e:92:03:fa:1a:e0 netns lowdown-b2 type macvlan mode bridge
EOF
ip -n lowdown-lan -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
EOF
ip -n lowdown-a1 -batch - <<'EOF'
address add 198.18.1.1/24 dev mv0
EOF
ip -n lowdown-a2 -batch - <<'EOF'
address add 198.18.1.2/24 dev mv0
EOF
ip -n lowdown-b1 -batch - <<'EOF'
address add 198.18.1.11/24 dev mv0
EOF
ip -n lowdown-b2 -batch - <<'EOF'
address add 198.18.1.12/24 dev mv0
EOF
ip -n lowdown-lan -batch - <<'EOF'
link set dev sw up
link set dev p0 up
EOF
ip -n lowdown-a1 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n lowdown-a2 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n lowdown-h2 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n lowdown-lan -batch - <<'EOF'
link set dev p1 up
EOF
ip -n lowdown-b1 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n lowdown-b2 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n lowdown-lan -batch - <<'EOF'
link set dev lo up
EOF
ip -n lowdown-h1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n lowdown-a1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n lowdown-a2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n lowdown-h2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n lowdown-b1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n lowdown-b2 -batch - <<'EOF'
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
vnetlab_wait lowdown-lan lowdown-h1 lowdown-a1 lowdown-a2 lowdown-h2 lowdown-b1 lowdown-b2
