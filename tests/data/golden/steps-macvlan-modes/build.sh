#!/bin/sh
# lab stmodes, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down stmodes`)
set -e
ip netns add stmodes-lan
ip netns exec stmodes-lan sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec stmodes-lan sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n stmodes-lan link set lo alias vnetlab:stmodes:lan
ip netns add stmodes-host
ip netns exec stmodes-host sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec stmodes-host sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n stmodes-host link set lo alias vnetlab:stmodes:host
ip netns add stmodes-a
ip netns exec stmodes-a sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec stmodes-a sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n stmodes-a link set lo alias vnetlab:stmodes:a
ip netns add stmodes-b
ip netns exec stmodes-b sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec stmodes-b sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n stmodes-b link set lo alias vnetlab:stmodes:b
ip netns add stmodes-peer
ip netns exec stmodes-peer sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec stmodes-peer sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n stmodes-peer link set lo alias vnetlab:stmodes:peer
ip -n stmodes-lan -batch - <<'EOF'
link add name sw address 92:93:57:bb:6e:07 type bridge stp_state 0
EOF
ip -n stmodes-host -batch - <<'EOF'
link add name eth0 address b6:71:d2:8f:19:0f type veth peer name p0 address 3a:5b:f3:6d:fa:85 netns stmodes-lan
link add name mv0 link eth0 address 02:00:00:00:0a:01 netns stmodes-a type macvlan mode bridge
link add name mv0 link eth0 address 02:00:00:00:0b:01 netns stmodes-b type macvlan mode bridge
EOF
ip -n stmodes-peer -batch - <<'EOF'
link add name eth0 address 36:90:c1:3b:23:9e type veth peer name p1 address 7e:b7:cc:c8:da:59 netns stmodes-lan
EOF
ip -n stmodes-lan -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
EOF
ip -n stmodes-a -batch - <<'EOF'
address add 192.0.2.11/24 dev mv0
EOF
ip -n stmodes-b -batch - <<'EOF'
address add 192.0.2.12/24 dev mv0
EOF
ip -n stmodes-peer -batch - <<'EOF'
address add 192.0.2.66/24 dev eth0
EOF
ip -n stmodes-lan -batch - <<'EOF'
link set dev sw up
EOF
ip -n stmodes-host -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n stmodes-lan -batch - <<'EOF'
link set dev p0 up
EOF
ip -n stmodes-a -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n stmodes-b -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n stmodes-peer -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n stmodes-lan -batch - <<'EOF'
link set dev p1 up
link set dev lo up
EOF
ip -n stmodes-host -batch - <<'EOF'
link set dev lo up
EOF
ip -n stmodes-a -batch - <<'EOF'
link set dev lo up
EOF
ip -n stmodes-b -batch - <<'EOF'
link set dev lo up
EOF
ip -n stmodes-peer -batch - <<'EOF'
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
vnetlab_wait stmodes-lan stmodes-host stmodes-a stmodes-b stmodes-peer
