#!/bin/sh
# lab router, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down router`)
set -e
ip netns add router-a
ip netns exec router-a sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec router-a sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n router-a link set lo alias vnetlab:router:a
ip netns add router-r
ip netns exec router-r sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec router-r sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n router-r link set lo alias vnetlab:router:r
ip netns add router-b
ip netns exec router-b sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec router-b sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n router-b link set lo alias vnetlab:router:b
ip netns add router-c
ip netns exec router-c sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec router-c sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n router-c link set lo alias vnetlab:router:c
ip -n router-a -batch - <<'EOF'
link add name eth0 address 7e:09:2e:70:8b:77 type veth peer name a address 1e:a6:f6:50:dd:85 netns router-r
EOF
ip -n router-r -batch - <<'EOF'
link add name b address aa:91:81:4a:7a:32 type veth peer name eth0 address 12:2b:66:a2:d7:bd netns router-b
link add name c address 22:17:0b:31:96:9c type veth peer name eth0 address ce:ba:ed:8e:76:f7 netns router-c
EOF
ip -n router-a -batch - <<'EOF'
address add 192.0.2.10/24 dev eth0
EOF
ip netns exec router-r sysctl -qw net.ipv4.conf.a.forwarding=1
ip netns exec router-r sysctl -qw net.ipv4.conf.b.forwarding=1
ip -n router-r -batch - <<'EOF'
address add 192.0.2.1/24 dev a
address add 198.51.100.1/24 dev b
address add 203.0.113.1/24 dev c
EOF
ip -n router-b -batch - <<'EOF'
address add 198.51.100.10/24 dev eth0
EOF
ip -n router-c -batch - <<'EOF'
address add 203.0.113.10/24 dev eth0
EOF
ip -n router-r -batch - <<'EOF'
link set dev a up
EOF
ip -n router-a -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n router-b -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n router-r -batch - <<'EOF'
link set dev b up
EOF
ip -n router-c -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n router-r -batch - <<'EOF'
link set dev c up
EOF
ip -n router-a -batch - <<'EOF'
link set dev lo up
EOF
ip -n router-r -batch - <<'EOF'
link set dev lo up
EOF
ip -n router-b -batch - <<'EOF'
link set dev lo up
EOF
ip -n router-c -batch - <<'EOF'
link set dev lo up
EOF
ip -n router-a -batch - <<'EOF'
route add default via 192.0.2.1 proto static
EOF
ip -n router-b -batch - <<'EOF'
route add default via 198.51.100.1 proto static
EOF
ip -n router-c -batch - <<'EOF'
route add default via 203.0.113.1 proto static
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
vnetlab_wait router-a router-r router-b router-c
