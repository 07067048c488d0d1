#!/bin/sh
# lab st6rtr, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down st6rtr`)
set -e
ip netns add st6rtr-a
[ ! -d /proc/sys/net/bridge ] || ip netns exec st6rtr-a sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n st6rtr-a link set lo alias vnetlab:st6rtr:a
ip netns add st6rtr-r
[ ! -d /proc/sys/net/bridge ] || ip netns exec st6rtr-r sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n st6rtr-r link set lo alias vnetlab:st6rtr:r
ip netns add st6rtr-sw
[ ! -d /proc/sys/net/bridge ] || ip netns exec st6rtr-sw sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n st6rtr-sw link set lo alias vnetlab:st6rtr:sw
ip netns add st6rtr-b
[ ! -d /proc/sys/net/bridge ] || ip netns exec st6rtr-b sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n st6rtr-b link set lo alias vnetlab:st6rtr:b
ip netns add st6rtr-c
[ ! -d /proc/sys/net/bridge ] || ip netns exec st6rtr-c sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n st6rtr-c link set lo alias vnetlab:st6rtr:c
ip -n st6rtr-a -batch - <<'EOF'
link add name eth0 address c6:2c:13:69:67:00 type veth peer name e1 address 16:7e:08:fc:c8:48 netns st6rtr-r
EOF
ip -n st6rtr-r -batch - <<'EOF'
link add name e2 address 36:4a:83:1e:15:cd type veth peer name p0 address b2:13:96:b6:6a:04 netns st6rtr-sw
EOF
ip -n st6rtr-sw -batch - <<'EOF'
link add name br0 address ca:76:30:5f:3f:19 type bridge stp_state 0
link add name p1 address ba:21:bd:7a:ca:f9 type veth peer name eth0 address d6:3c:40:55:94:3d netns st6rtr-b
link add name p2 address 3e:95:52:47:21:59 type veth peer name eth0 address 2a:33:08:58:0a:b5 netns st6rtr-c
link set dev p0 master br0
link set dev p1 master br0
link set dev p2 master br0
EOF
ip -n st6rtr-a -batch - <<'EOF'
address add 192.0.2.10/24 dev eth0
address add 2001:db8:1::10/64 dev eth0
EOF
ip netns exec st6rtr-r sysctl -qw net.ipv4.ip_forward=1
ip -n st6rtr-r -batch - <<'EOF'
address add 192.0.2.1/24 dev e1
address add 2001:db8:1::1/64 dev e1
address add 198.51.100.1/24 dev e2
address add 2001:db8:2::1/64 dev e2
EOF
ip -n st6rtr-b -batch - <<'EOF'
address add 198.51.100.10/24 dev eth0
address add 2001:db8:2::10/64 dev eth0
address add 2001:db8:2::99/64 dev eth0
EOF
ip -n st6rtr-c -batch - <<'EOF'
address add 198.51.100.20/24 dev eth0
address add 2001:db8:2::20/64 dev eth0
EOF
ip -n st6rtr-r -batch - <<'EOF'
link set dev e1 up
EOF
ip -n st6rtr-a -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n st6rtr-sw -batch - <<'EOF'
link set dev p0 up
EOF
ip -n st6rtr-r -batch - <<'EOF'
link set dev e2 up
EOF
ip -n st6rtr-sw -batch - <<'EOF'
link set dev br0 up
EOF
ip -n st6rtr-b -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n st6rtr-sw -batch - <<'EOF'
link set dev p1 up
EOF
ip -n st6rtr-c -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n st6rtr-sw -batch - <<'EOF'
link set dev p2 up
EOF
ip -n st6rtr-a -batch - <<'EOF'
link set dev lo up
EOF
ip -n st6rtr-r -batch - <<'EOF'
link set dev lo up
EOF
ip -n st6rtr-sw -batch - <<'EOF'
link set dev lo up
EOF
ip -n st6rtr-b -batch - <<'EOF'
link set dev lo up
EOF
ip -n st6rtr-c -batch - <<'EOF'
link set dev lo up
EOF
ip -n st6rtr-a -batch - <<'EOF'
route add default via 192.0.2.1 proto static
route add default via 2001:db8:1::1 proto static
EOF
ip -n st6rtr-b -batch - <<'EOF'
route add default via 198.51.100.1 proto static
route add default via 2001:db8:2::1 proto static
EOF
ip -n st6rtr-c -batch - <<'EOF'
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
vnetlab_wait st6rtr-a st6rtr-r st6rtr-sw st6rtr-b st6rtr-c
