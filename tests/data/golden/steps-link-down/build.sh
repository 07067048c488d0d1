#!/bin/sh
# lab stdown, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down stdown`)
set -e
ip netns add stdown-lan
ip netns exec stdown-lan sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec stdown-lan sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n stdown-lan link set lo alias vnetlab:stdown:lan
ip netns add stdown-host
ip netns exec stdown-host sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec stdown-host sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n stdown-host link set lo alias vnetlab:stdown:host
ip netns add stdown-c1
ip netns exec stdown-c1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec stdown-c1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n stdown-c1 link set lo alias vnetlab:stdown:c1
ip netns add stdown-c2
ip netns exec stdown-c2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec stdown-c2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n stdown-c2 link set lo alias vnetlab:stdown:c2
ip netns add stdown-box
ip netns exec stdown-box sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec stdown-box sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n stdown-box link set lo alias vnetlab:stdown:box
ip -n stdown-lan -batch - <<'EOF'
link add name sw address be:6e:e3:1d:b2:97 type bridge stp_state 0
EOF
ip -n stdown-host -batch - <<'EOF'
link add name eth0 address 32:30:26:00:50:d3 type veth peer name p0 address 6a:6e:f2:30:1a:65 netns stdown-lan
link add name v0 address 3e:5d:26:ac:4b:81 type veth peer name v0 address 5e:55:b8:3e:45:19 netns stdown-box
link add name mv0 link eth0 address ca:73:8c:81:a4:65 netns stdown-c1 type macvlan mode bridge
link add name mv0 link eth0 address a2:cb:6f:31:e0:2a netns stdown-c2 type macvlan mode bridge
EOF
ip -n stdown-lan -batch - <<'EOF'
link set dev p0 master sw
EOF
ip -n stdown-host -batch - <<'EOF'
address add 203.0.113.1/30 dev v0
EOF
ip -n stdown-c1 -batch - <<'EOF'
address add 198.18.1.1/24 dev mv0
EOF
ip -n stdown-c2 -batch - <<'EOF'
address add 198.18.1.2/24 dev mv0
EOF
ip -n stdown-box -batch - <<'EOF'
address add 203.0.113.2/30 dev v0
EOF
ip -n stdown-lan -batch - <<'EOF'
link set dev sw up
EOF
ip -n stdown-host -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n stdown-lan -batch - <<'EOF'
link set dev p0 up
EOF
ip -n stdown-box -batch - <<'EOF'
link set dev v0 up
EOF
ip -n stdown-host -batch - <<'EOF'
link set dev v0 up
EOF
ip -n stdown-c1 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n stdown-c2 -batch - <<'EOF'
link set dev mv0 up
EOF
ip -n stdown-lan -batch - <<'EOF'
link set dev lo up
EOF
ip -n stdown-host -batch - <<'EOF'
link set dev lo up
EOF
ip -n stdown-c1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n stdown-c2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n stdown-box -batch - <<'EOF'
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
vnetlab_wait stdown-lan stdown-host stdown-c1 stdown-c2 stdown-box
