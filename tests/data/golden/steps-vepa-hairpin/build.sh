#!/bin/sh
# lab stvepa, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down stvepa`)
set -e
ip netns add stvepa-lan
ip netns exec stvepa-lan sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec stvepa-lan sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n stvepa-lan link set lo alias vnetlab:stvepa:lan
ip netns add stvepa-host
ip netns exec stvepa-host sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec stvepa-host sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n stvepa-host link set lo alias vnetlab:stvepa:host
ip netns add stvepa-v1
ip netns exec stvepa-v1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec stvepa-v1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n stvepa-v1 link set lo alias vnetlab:stvepa:v1
ip netns add stvepa-v2
ip netns exec stvepa-v2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec stvepa-v2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n stvepa-v2 link set lo alias vnetlab:stvepa:v2
ip netns add stvepa-peer
ip netns exec stvepa-peer sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec stvepa-peer sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n stvepa-peer link set lo alias vnetlab:stvepa:peer
ip -n stvepa-lan -batch - <<'EOF'
link add name sw address ba:a5:64:d1:8b:dc type bridge stp_state 0
EOF
ip -n stvepa-host -batch - <<'EOF'
link add name eth0 address 32:3a:b2:d2:be:94 type veth peer name p0 address 3a:64:13:09:30:c3 netns stvepa-lan
link add name mv0 link eth0 address ae:76:99:16:cf:3b netns stvepa-v1 type macvlan mode vepa
link add name mv0 link eth0 address d6:12:fc:24:22:a4 netns stvepa-v2 type macvlan mode vepa
EOF
ip -n stvepa-peer -batch - <<'EOF'
link add name eth0 address 3e:a9:78:52:5c:a0 type veth peer name p1 address ba:6a:d5:65:81:2a netns stvepa-lan
EOF
ip -n stvepa-lan -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
EOF
ip -n stvepa-v1 -batch - <<'EOF'
address add 192.0.2.11/24 dev mv0
EOF
ip -n stvepa-v2 -batch - <<'EOF'
address add 192.0.2.12/24 dev mv0
EOF
ip -n stvepa-peer -batch - <<'EOF'
address add 192.0.2.66/24 dev eth0
EOF
ip -n stvepa-lan -batch - <<'EOF'
link set dev sw up
EOF
ip -n stvepa-host -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n stvepa-lan -batch - <<'EOF'
link set dev p0 up
EOF
ip -n stvepa-v1 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n stvepa-v2 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n stvepa-peer -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n stvepa-lan -batch - <<'EOF'
link set dev p1 up
link set dev lo up
EOF
ip -n stvepa-host -batch - <<'EOF'
link set dev lo up
EOF
ip -n stvepa-v1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n stvepa-v2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n stvepa-peer -batch - <<'EOF'
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
vnetlab_wait stvepa-lan stvepa-host stvepa-v1 stvepa-v2 stvepa-peer
