#!/bin/sh
# lab v6fwd4, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down v6fwd4`)
set -e
ip netns add v6fwd4-h1
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6fwd4-h1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6fwd4-h1 link set lo alias vnetlab:v6fwd4:h1
ip netns add v6fwd4-r
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6fwd4-r sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6fwd4-r link set lo alias vnetlab:v6fwd4:r
ip netns add v6fwd4-h2
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6fwd4-h2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6fwd4-h2 link set lo alias vnetlab:v6fwd4:h2
ip -n v6fwd4-h1 -batch - <<'EOF'
link add name eth0 address f6:39:3a:5d:0c:ec type veth peer name e1 address 5a:a9:08:bc:82:5b netns v6fwd4-r
EOF
ip -n v6fwd4-r -batch - <<'EOF'
link add name e2 address e2:ba:2e:0b:ca:be type veth peer name eth0 address 92:96:73:a8:6f:cf netns v6fwd4-h2
EOF
ip -n v6fwd4-h1 -batch - <<'EOF'
address add 192.0.2.10/24 dev eth0
address add 2001:db8:1::10/64 dev eth0
EOF
ip netns exec v6fwd4-r sysctl -qw net.ipv4.conf.e1.forwarding=1
ip netns exec v6fwd4-r sysctl -qw net.ipv4.conf.e2.forwarding=1
ip netns exec v6fwd4-r sysctl -qw net.ipv6.conf.e1.forwarding=1
ip netns exec v6fwd4-r sysctl -qw net.ipv6.conf.e2.forwarding=1
ip -n v6fwd4-r -batch - <<'EOF'
address add 192.0.2.1/24 dev e1
address add 2001:db8:1::1/64 dev e1
address add 198.51.100.1/24 dev e2
address add 2001:db8:2::1/64 dev e2
EOF
ip -n v6fwd4-h2 -batch - <<'EOF'
address add 198.51.100.10/24 dev eth0
address add 2001:db8:2::10/64 dev eth0
EOF
ip -n v6fwd4-r -batch - <<'EOF'
link set dev e1 up
EOF
ip -n v6fwd4-h1 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n v6fwd4-h2 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n v6fwd4-r -batch - <<'EOF'
link set dev e2 up
EOF
ip -n v6fwd4-h1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6fwd4-r -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6fwd4-h2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6fwd4-h1 -batch - <<'EOF'
route add default via 192.0.2.1 proto static
route add default via 2001:db8:1::1 proto static
EOF
ip -n v6fwd4-h2 -batch - <<'EOF'
route add default via 198.51.100.1 proto static
route add default via 2001:db8:2::1 proto static
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
vnetlab_wait v6fwd4-h1 v6fwd4-r v6fwd4-h2
