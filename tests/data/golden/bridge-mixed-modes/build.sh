#!/bin/sh
# lab mixed, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down mixed`)
set -e
ip netns add mixed-lan
ip netns exec mixed-lan sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mixed-lan sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mixed-lan link set lo alias vnetlab:mixed:lan
ip netns add mixed-host
ip netns exec mixed-host sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mixed-host sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mixed-host link set lo alias vnetlab:mixed:host
ip netns add mixed-br
ip netns exec mixed-br sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mixed-br sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mixed-br link set lo alias vnetlab:mixed:br
ip netns add mixed-ve
ip netns exec mixed-ve sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mixed-ve sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mixed-ve link set lo alias vnetlab:mixed:ve
ip netns add mixed-pr
ip netns exec mixed-pr sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec mixed-pr sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n mixed-pr link set lo alias vnetlab:mixed:pr
ip -n mixed-lan -batch - <<'EOF'
link add name sw address ea:07:9a:d8:06:e9 type bridge stp_state 0
EOF
ip -n mixed-host -batch - <<'EOF'
link add name eth0 address 56:b7:9f:17:1c:ac type veth peer name p0 address 6a:a3:21:ff:26:87 netns mixed-lan
link add name mv0 link eth0 address b6:52:13:6d:fa:d4 netns mixed-br type macvlan mode bridge
link add name mv0 link eth0 address 02:dc:7d:cd:b7:74 netns mixed-ve type macvlan mode vepa
link add name mv0 link eth0 address 86:29:a0:47:d8:cb netns mixed-pr type macvlan mode private
EOF
ip -n mixed-lan -batch - <<'EOF'
link set dev p0 master sw
link set dev p0 type bridge_slave hairpin on
EOF
ip -n mixed-br -batch - <<'EOF'
address add 198.51.100.11/24 dev mv0
EOF
ip -n mixed-ve -batch - <<'EOF'
address add 198.51.100.12/24 dev mv0
EOF
ip -n mixed-pr -batch - <<'EOF'
address add 198.51.100.13/24 dev mv0
EOF
ip -n mixed-lan -batch - <<'EOF'
link set dev sw up
EOF
ip -n mixed-host -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n mixed-lan -batch - <<'EOF'
link set dev p0 up
EOF
ip -n mixed-br -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n mixed-ve -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n mixed-pr -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n mixed-lan -batch - <<'EOF'
link set dev lo up
EOF
ip -n mixed-host -batch - <<'EOF'
link set dev lo up
EOF
ip -n mixed-br -batch - <<'EOF'
link set dev lo up
EOF
ip -n mixed-ve -batch - <<'EOF'
link set dev lo up
EOF
ip -n mixed-pr -batch - <<'EOF'
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
vnetlab_wait mixed-lan mixed-host mixed-br mixed-ve mixed-pr
