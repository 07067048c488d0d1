#!/bin/sh
# lab natdnat, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down natdnat`)
set -e
ip netns add natdnat-server
ip netns exec natdnat-server sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec natdnat-server sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n natdnat-server link set lo alias vnetlab:natdnat:server
ip netns add natdnat-r
ip netns exec natdnat-r sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec natdnat-r sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n natdnat-r link set lo alias vnetlab:natdnat:r
ip netns add natdnat-outside
ip netns exec natdnat-outside sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec natdnat-outside sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n natdnat-outside link set lo alias vnetlab:natdnat:outside
ip -n natdnat-server -batch - <<'EOF'
link add name eth0 address 46:92:f1:31:0b:94 type veth peer name lan address 36:f6:fc:1b:98:6f netns natdnat-r
EOF
ip -n natdnat-r -batch - <<'EOF'
link add name wan address 76:fa:20:f7:6b:5b type veth peer name eth0 address ee:01:69:5e:d9:fc netns natdnat-outside
EOF
ip -n natdnat-server -batch - <<'EOF'
address add 192.0.2.20/24 dev eth0
EOF
ip netns exec natdnat-r sysctl -qw net.ipv4.ip_forward=1
ip -n natdnat-r -batch - <<'EOF'
address add 192.0.2.1/24 dev lan
address add 198.51.100.1/24 dev wan
EOF
ip -n natdnat-outside -batch - <<'EOF'
address add 198.51.100.30/24 dev eth0
EOF
ip -n natdnat-r -batch - <<'EOF'
link set dev lan up
EOF
ip -n natdnat-server -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n natdnat-outside -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n natdnat-r -batch - <<'EOF'
link set dev wan up
EOF
ip -n natdnat-server -batch - <<'EOF'
link set dev lo up
EOF
ip -n natdnat-r -batch - <<'EOF'
link set dev lo up
EOF
ip -n natdnat-outside -batch - <<'EOF'
link set dev lo up
EOF
ip -n natdnat-server -batch - <<'EOF'
route add default via 192.0.2.1 proto static
EOF
ip -n natdnat-r -batch - <<'EOF'
route add 203.0.113.0/24 via 198.51.100.30 proto static
EOF
ip -n natdnat-outside -batch - <<'EOF'
route add default via 198.51.100.1 proto static
EOF
printf '%s\n' 'table ip nat {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    iifname "wan" ip daddr 198.51.100.1 icmp type echo-request dnat to 192.0.2.20
    ip daddr 203.0.113.9 redirect
  }
  chain output {
    type nat hook output priority -100; policy accept;
    ip daddr 203.0.113.7 dnat to 192.0.2.20
    ip daddr 203.0.113.8 redirect
  }
}
' | ip netns exec natdnat-r nft -f -
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
vnetlab_wait natdnat-server natdnat-r natdnat-outside
