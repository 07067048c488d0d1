#!/bin/sh
# lab parent, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down parent`)
set -e
ip netns add parent-lan
ip netns exec parent-lan sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec parent-lan sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n parent-lan link set lo alias vnetlab:parent:lan
ip netns add parent-hb
ip netns exec parent-hb sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec parent-hb sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n parent-hb link set lo alias vnetlab:parent:hb
ip netns add parent-hbc
ip netns exec parent-hbc sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec parent-hbc sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n parent-hbc link set lo alias vnetlab:parent:hbc
ip netns add parent-hh
ip netns exec parent-hh sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec parent-hh sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n parent-hh link set lo alias vnetlab:parent:hh
ip netns add parent-hhb
ip netns exec parent-hhb sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec parent-hhb sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n parent-hhb link set lo alias vnetlab:parent:hhb
ip netns add parent-hp
ip netns exec parent-hp sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec parent-hp sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n parent-hp link set lo alias vnetlab:parent:hp
ip netns add parent-hpc
ip netns exec parent-hpc sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec parent-hpc sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n parent-hpc link set lo alias vnetlab:parent:hpc
ip -n parent-lan -batch - <<'EOF'
link add name sw address 0a:26:e3:f9:39:1c type bridge stp_state 0
EOF
ip -n parent-hb -batch - <<'EOF'
link add name eth0 address 3e:b8:4d:a8:db:c4 type veth peer name p0 address 02:ba:6e:b8:07:6d netns parent-lan
link add name mv0 link eth0 address a2:21:96:bd:b9:b2 netns parent-hbc type macvlan mode bridge
EOF
ip -n parent-hh -batch - <<'EOF'
link add name eth0 address 3e:a6:5d:63:5e:b6 type veth peer name p1 address 82:1b:c8:4d:c9:5d netns parent-lan
link add name mv0 link eth0 address be:7f:6a:c2:1e:45 netns parent-hhb type macvlan mode bridge
EOF
ip -n parent-hp -batch - <<'EOF'
link add name eth0 address e6:b3:a1:71:11:24 type veth peer name p2 address 46:fe:39:64:fc:5e netns parent-lan
link add name mv0 link eth0 address 12:22:df:dd:00:62 netns parent-hpc type macvlan mode private
EOF
ip -n parent-lan -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
link set dev p1 type bridge_slave hairpin on
link set dev p2 master sw
link set dev p2 type bridge_slave hairpin on
EOF
ip -n parent-hb -batch - <<'EOF'
address add 198.51.100.10/24 dev eth0
EOF
ip -n parent-hbc -batch - <<'EOF'
address add 198.51.100.11/24 dev mv0
EOF
ip -n parent-hh -batch - <<'EOF'
address add 198.51.100.20/24 dev eth0
EOF
ip -n parent-hhb -batch - <<'EOF'
address add 198.51.100.21/24 dev mv0
EOF
ip -n parent-hp -batch - <<'EOF'
address add 198.51.100.30/24 dev eth0
EOF
ip -n parent-hpc -batch - <<'EOF'
address add 198.51.100.31/24 dev mv0
EOF
ip -n parent-lan -batch - <<'EOF'
link set dev sw up
EOF
ip -n parent-hb -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n parent-lan -batch - <<'EOF'
link set dev p0 up
EOF
ip -n parent-hbc -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n parent-hh -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n parent-lan -batch - <<'EOF'
link set dev p1 up
EOF
ip -n parent-hhb -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n parent-hp -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n parent-lan -batch - <<'EOF'
link set dev p2 up
EOF
ip -n parent-hpc -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n parent-lan -batch - <<'EOF'
link set dev lo up
EOF
ip -n parent-hb -batch - <<'EOF'
link set dev lo up
EOF
ip -n parent-hbc -batch - <<'EOF'
link set dev lo up
EOF
ip -n parent-hh -batch - <<'EOF'
link set dev lo up
EOF
ip -n parent-hhb -batch - <<'EOF'
link set dev lo up
EOF
ip -n parent-hp -batch - <<'EOF'
link set dev lo up
EOF
ip -n parent-hpc -batch - <<'EOF'
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
vnetlab_wait parent-lan parent-hb parent-hbc parent-hh parent-hhb parent-hp parent-hpc
