#!/bin/sh
# lab vlansub, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down vlansub`)
set -e
ip netns add vlansub-wire
ip netns exec vlansub-wire sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec vlansub-wire sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vlansub-wire link set lo alias vnetlab:vlansub:wire
ip netns add vlansub-a
ip netns exec vlansub-a sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec vlansub-a sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vlansub-a link set lo alias vnetlab:vlansub:a
ip netns add vlansub-b
ip netns exec vlansub-b sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec vlansub-b sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vlansub-b link set lo alias vnetlab:vlansub:b
ip netns add vlansub-c
ip netns exec vlansub-c sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec vlansub-c sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vlansub-c link set lo alias vnetlab:vlansub:c
ip netns add vlansub-d
ip netns exec vlansub-d sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec vlansub-d sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vlansub-d link set lo alias vnetlab:vlansub:d
ip netns add vlansub-e
ip netns exec vlansub-e sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec vlansub-e sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vlansub-e link set lo alias vnetlab:vlansub:e
ip netns add vlansub-ctr
ip netns exec vlansub-ctr sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec vlansub-ctr sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n vlansub-ctr link set lo alias vnetlab:vlansub:ctr
ip -n vlansub-wire -batch - <<'EOF'
link add name sw address 6a:f4:39:a3:48:f0 type bridge stp_state 0
EOF
ip -n vlansub-a -batch - <<'EOF'
link add name eth0 address a2:25:ff:99:54:c9 type veth peer name p0 address 3e:e0:68:6f:7a:b1 netns vlansub-wire
link add name eth0.10 link eth0 type vlan id 10 protocol 802.1Q
link add name eth0.20 link eth0 type vlan id 20 protocol 802.1Q
EOF
ip -n vlansub-b -batch - <<'EOF'
link add name eth0 address 02:8b:d8:78:9a:e2 type veth peer name p1 address ea:17:fe:2e:1f:bd netns vlansub-wire
link add name eth0.10 link eth0 type vlan id 10 protocol 802.1Q
link add name eth0.20 link eth0 type vlan id 20 protocol 802.1Q
EOF
ip -n vlansub-c -batch - <<'EOF'
link add name eth0 address ee:fd:ba:19:fe:1f type veth peer name p2 address 1a:2c:6a:18:a9:3f netns vlansub-wire
link add name eth0.30 link eth0 type vlan id 30 protocol 802.1Q
EOF
ip -n vlansub-d -batch - <<'EOF'
link add name eth0 address ee:56:9a:b0:3c:1f type veth peer name p3 address a2:26:ba:34:82:05 netns vlansub-wire
EOF
ip -n vlansub-e -batch - <<'EOF'
link add name eth0 address ae:92:7b:37:e0:ac type veth peer name p4 address 1e:9d:86:e7:2a:7c netns vlansub-wire
link add name eth0.10 link eth0 type vlan id 10 protocol 802.1ad
EOF
ip -n vlansub-b -batch - <<'EOF'
link add name mv0 link eth0.10 address 32:72:b7:f9:35:eb netns vlansub-ctr type macvlan mode bridge
EOF
ip -n vlansub-wire -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
link set dev p2 master sw
link set dev p3 master sw
link set dev p4 master sw
EOF
ip -n vlansub-a -batch - <<'EOF'
address add 203.0.113.1/24 dev eth0
address add 192.0.2.1/24 dev eth0.10
address add 198.51.100.1/24 dev eth0.20
EOF
ip -n vlansub-b -batch - <<'EOF'
address add 203.0.113.2/24 dev eth0
address add 192.0.2.2/24 dev eth0.10
address add 198.51.100.2/24 dev eth0.20
EOF
ip -n vlansub-c -batch - <<'EOF'
address add 192.0.2.3/24 dev eth0.30
EOF
ip -n vlansub-d -batch - <<'EOF'
address add 203.0.113.4/24 dev eth0
address add 192.0.2.4/24 dev eth0
EOF
ip -n vlansub-e -batch - <<'EOF'
address add 192.0.2.5/24 dev eth0.10
EOF
ip -n vlansub-ctr -batch - <<'EOF'
address add 192.0.2.9/24 dev mv0
EOF
ip -n vlansub-wire -batch - <<'EOF'
link set dev sw up
EOF
ip -n vlansub-a -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n vlansub-wire -batch - <<'EOF'
link set dev p0 up
EOF
ip -n vlansub-a -batch - <<'EOF'
link set dev eth0.10 up
link set dev eth0.20 up
EOF
ip -n vlansub-b -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n vlansub-wire -batch - <<'EOF'
link set dev p1 up
EOF
ip -n vlansub-b -batch - <<'EOF'
link set dev eth0.10 up
link set dev eth0.20 up
EOF
ip -n vlansub-c -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n vlansub-wire -batch - <<'EOF'
link set dev p2 up
EOF
ip -n vlansub-c -batch - <<'EOF'
link set dev eth0.30 up
EOF
ip -n vlansub-d -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n vlansub-wire -batch - <<'EOF'
link set dev p3 up
EOF
ip -n vlansub-e -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n vlansub-wire -batch - <<'EOF'
link set dev p4 up
EOF
ip -n vlansub-e -batch - <<'EOF'
link set dev eth0.10 up
EOF
ip -n vlansub-ctr -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n vlansub-wire -batch - <<'EOF'
link set dev lo up
EOF
ip -n vlansub-a -batch - <<'EOF'
link set dev lo up
EOF
ip -n vlansub-b -batch - <<'EOF'
link set dev lo up
EOF
ip -n vlansub-c -batch - <<'EOF'
link set dev lo up
EOF
ip -n vlansub-d -batch - <<'EOF'
link set dev lo up
EOF
ip -n vlansub-e -batch - <<'EOF'
link set dev lo up
EOF
ip -n vlansub-ctr -batch - <<'EOF'
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
vnetlab_wait vlansub-wire vlansub-a vlansub-b vlansub-c vlansub-d vlansub-e vlansub-ctr
