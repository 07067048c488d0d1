#!/bin/sh
# lab brflags, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down brflags`)
set -e
ip netns add brflags-host
ip netns exec brflags-host sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec brflags-host sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n brflags-host link set lo alias vnetlab:brflags:host
ip netns add brflags-a
ip netns exec brflags-a sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec brflags-a sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n brflags-a link set lo alias vnetlab:brflags:a
ip netns add brflags-b
ip netns exec brflags-b sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec brflags-b sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n brflags-b link set lo alias vnetlab:brflags:b
ip netns add brflags-c
ip netns exec brflags-c sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec brflags-c sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n brflags-c link set lo alias vnetlab:brflags:c
ip -n brflags-host -batch - <<'EOF'
link add name br0 address d6:3b:39:50:21:96 type bridge stp_state 0
link add name p1 address f2:85:bd:76:31:1e type veth peer name eth0 address 36:1c:7f:9c:13:4e netns brflags-a
link add name p2 address f6:ba:b4:bc:3f:bb type veth peer name eth0 address c2:26:90:a8:65:28 netns brflags-b
link add name p3 address 2a:33:a2:89:3f:a0 type veth peer name eth0 address c2:c1:a3:28:d6:7c netns brflags-c
link set dev p1 master br0
link set dev p2 master br0
link set dev p2 type bridge_slave learning off
link set dev p3 master br0
link set dev p3 type bridge_slave learning off flood off
EOF
ip -n brflags-a -batch - <<'EOF'
address add 198.18.2.1/24 dev eth0
EOF
ip -n brflags-b -batch - <<'EOF'
address add 198.18.2.2/24 dev eth0
EOF
ip -n brflags-c -batch - <<'EOF'
address add 198.18.2.3/24 dev eth0
EOF
ip -n brflags-host -batch - <<'EOF'
link set dev br0 up
EOF
ip -n brflags-a -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n brflags-host -batch - <<'EOF'
link set dev p1 up
EOF
ip -n brflags-b -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n brflags-host -batch - <<'EOF'
link set dev p2 up
EOF
ip -n brflags-c -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n brflags-host -batch - <<'EOF'
link set dev p3 up
link set dev lo up
EOF
ip -n brflags-a -batch - <<'EOF'
link set dev lo up
EOF
ip -n brflags-b -batch - <<'EOF'
link set dev lo up
EOF
ip -n brflags-c -batch - <<'EOF'
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
vnetlab_wait brflags-host brflags-a brflags-b brflags-c
