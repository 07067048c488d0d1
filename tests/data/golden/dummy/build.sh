#!/bin/sh
# lab dummy, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down dummy`)
set -e
ip netns add dummy-a
ip netns exec dummy-a sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec dummy-a sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n dummy-a link set lo alias vnetlab:dummy:a
ip netns add dummy-r
ip netns exec dummy-r sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec dummy-r sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n dummy-r link set lo alias vnetlab:dummy:r
ip netns add dummy-b
ip netns exec dummy-b sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec dummy-b sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n dummy-b link set lo alias vnetlab:dummy:b
ip -n dummy-a -batch - <<'EOF'
link add name eth0 address 4a:cf:db:fc:69:dd type veth peer name a address 02:34:50:a1:1a:ef netns dummy-r
link add name dm0 address ca:0b:61:6a:76:87 type dummy
EOF
ip -n dummy-r -batch - <<'EOF'
link add name b address 42:9c:86:7d:25:ef type veth peer name eth0 address 7e:c0:4a:1e:cd:4f netns dummy-b
link add name lo0 address 06:94:39:c6:73:de type dummy
link add name off0 address 1a:41:d6:ca:3d:f4 type dummy
EOF
ip -n dummy-a -batch - <<'EOF'
address add 192.0.2.10/24 dev eth0
address add 198.51.100.1/24 dev dm0
EOF
ip -n dummy-r -batch - <<'EOF'
address add 192.0.2.1/24 dev a
address add 203.0.113.1/24 dev b
address add 198.18.0.1/32 dev lo0
address add 198.18.1.1/24 dev off0
EOF
ip -n dummy-b -batch - <<'EOF'
address add 203.0.113.10/24 dev eth0
EOF
ip -n dummy-r -batch - <<'EOF'
link set dev a up
EOF
ip -n dummy-a -batch - <<'EOF'
link set dev eth0 up
link set dev dm0 up
EOF
ip -n dummy-b -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n dummy-r -batch - <<'EOF'
link set dev b up
link set dev lo0 up
EOF
ip -n dummy-a -batch - <<'EOF'
link set dev lo up
EOF
ip -n dummy-r -batch - <<'EOF'
link set dev lo up
EOF
ip -n dummy-b -batch - <<'EOF'
link set dev lo up
EOF
ip -n dummy-a -batch - <<'EOF'
route add default via 192.0.2.1 proto static
EOF
ip -n dummy-r -batch - <<'EOF'
route add 198.51.100.0/24 via 192.0.2.10 proto static
EOF
ip -n dummy-b -batch - <<'EOF'
route add 198.18.0.1/32 via 203.0.113.1 proto static
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
vnetlab_wait dummy-a dummy-r dummy-b
