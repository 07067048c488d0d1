#!/bin/sh
# lab rfilter, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down rfilter`)
set -e
ip netns add rfilter-a
ip netns exec rfilter-a sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec rfilter-a sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n rfilter-a link set lo alias vnetlab:rfilter:a
ip netns add rfilter-r
ip netns exec rfilter-r sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec rfilter-r sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n rfilter-r link set lo alias vnetlab:rfilter:r
ip netns add rfilter-b
ip netns exec rfilter-b sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec rfilter-b sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n rfilter-b link set lo alias vnetlab:rfilter:b
ip -n rfilter-a -batch - <<'EOF'
link add name eth0 address 0a:df:bf:0d:95:45 type veth peer name a address 82:1a:6f:ae:14:44 netns rfilter-r
EOF
ip -n rfilter-r -batch - <<'EOF'
link add name b address 0e:e3:98:5b:74:b0 type veth peer name eth0 address 02:07:c9:65:d9:83 netns rfilter-b
EOF
ip -n rfilter-a -batch - <<'EOF'
address add 192.0.2.10/24 dev eth0
EOF
ip netns exec rfilter-r sysctl -qw net.ipv4.conf.a.forwarding=1
ip netns exec rfilter-r sysctl -qw net.ipv4.conf.b.forwarding=1
ip -n rfilter-r -batch - <<'EOF'
address add 192.0.2.1/24 dev a
address add 198.51.100.1/24 dev b
EOF
ip -n rfilter-b -batch - <<'EOF'
address add 198.51.100.10/24 dev eth0
EOF
ip -n rfilter-r -batch - <<'EOF'
link set dev a up
EOF
ip -n rfilter-a -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n rfilter-b -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n rfilter-r -batch - <<'EOF'
link set dev b up
EOF
ip -n rfilter-a -batch - <<'EOF'
link set dev lo up
EOF
ip -n rfilter-r -batch - <<'EOF'
link set dev lo up
EOF
ip -n rfilter-b -batch - <<'EOF'
link set dev lo up
EOF
ip -n rfilter-a -batch - <<'EOF'
route add default via 192.0.2.1 proto static
EOF
ip -n rfilter-b -batch - <<'EOF'
route add default via 198.51.100.1 proto static
EOF
printf '%s\n' 'table inet filter {
  chain input {
    type filter hook input priority filter; policy accept;
    iifname "b" icmp type echo-request drop
  }
  chain forward {
    type filter hook forward priority filter; policy accept;
    ip saddr 198.51.100.0/24 ip daddr 192.0.2.0/24 icmp type echo-request drop
  }
}
' | ip netns exec rfilter-r nft -f -
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
vnetlab_wait rfilter-a rfilter-r rfilter-b
