#!/bin/sh
# lab v6tun, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down v6tun`)
set -e
ip netns add v6tun-host
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6tun-host sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6tun-host link set lo alias vnetlab:v6tun:host
ip netns add v6tun-srv
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6tun-srv sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6tun-srv link set lo alias vnetlab:v6tun:srv
ip -n v6tun-host -batch - <<'EOF'
tuntap add dev tun0 mode tun
link add name lan0 address 4e:87:01:3e:10:65 type veth peer name eth0 address 06:9c:4a:0b:5d:e4 netns v6tun-srv
EOF
ip netns exec v6tun-host sysctl -qw net.ipv4.ip_forward=1
ip netns exec v6tun-host sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n v6tun-host -batch - <<'EOF'
address add 192.0.2.1/24 dev tun0
address add 2001:db8:5::1/64 dev tun0
address add 198.51.100.1/24 dev lan0
address add 2001:db8:6::1/64 dev lan0
EOF
ip -n v6tun-srv -batch - <<'EOF'
address add 198.51.100.10/24 dev eth0
address add 2001:db8:6::10/64 dev eth0
EOF
ip -n v6tun-host -batch - <<'EOF'
link set dev tun0 up
EOF
ip -n v6tun-srv -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n v6tun-host -batch - <<'EOF'
link set dev lan0 up
link set dev lo up
EOF
ip -n v6tun-srv -batch - <<'EOF'
link set dev lo up
route add 192.0.2.0/24 via 198.51.100.1 proto static
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
vnetlab_wait v6tun-host v6tun-srv
