#!/bin/sh
# lab natportfwd, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down natportfwd`)
set -e
ip netns add natportfwd-lan
ip netns exec natportfwd-lan sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec natportfwd-lan sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n natportfwd-lan link set lo alias vnetlab:natportfwd:lan
ip netns add natportfwd-client
ip netns exec natportfwd-client sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec natportfwd-client sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n natportfwd-client link set lo alias vnetlab:natportfwd:client
ip netns add natportfwd-server
ip netns exec natportfwd-server sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec natportfwd-server sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n natportfwd-server link set lo alias vnetlab:natportfwd:server
ip netns add natportfwd-r
ip netns exec natportfwd-r sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec natportfwd-r sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n natportfwd-r link set lo alias vnetlab:natportfwd:r
ip netns add natportfwd-outside
ip netns exec natportfwd-outside sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec natportfwd-outside sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n natportfwd-outside link set lo alias vnetlab:natportfwd:outside
ip -n natportfwd-lan -batch - <<'EOF'
link add name sw address 12:2d:9f:ca:ab:c8 type bridge stp_state 0
EOF
ip -n natportfwd-client -batch - <<'EOF'
link add name eth0 address 5a:ea:f6:64:ac:6e type veth peer name p0 address da:3c:62:d9:4d:65 netns natportfwd-lan
EOF
ip -n natportfwd-server -batch - <<'EOF'
link add name eth0 address 2a:9d:b7:62:64:b5 type veth peer name p1 address f6:55:34:8a:69:5c netns natportfwd-lan
EOF
ip -n natportfwd-r -batch - <<'EOF'
link add name lan address 4a:2f:96:3a:4a:a8 type veth peer name p2 address d2:f7:8e:46:5d:2d netns natportfwd-lan
link add name wan address 82:01:b2:33:89:b2 type veth peer name eth0 address 96:46:eb:8c:6b:8e netns natportfwd-outside
EOF
ip -n natportfwd-lan -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
link set dev p2 master sw
EOF
ip -n natportfwd-client -batch - <<'EOF'
address add 192.0.2.10/24 dev eth0
EOF
ip -n natportfwd-server -batch - <<'EOF'
address add 192.0.2.20/24 dev eth0
EOF
ip netns exec natportfwd-r sysctl -qw net.ipv4.ip_forward=1
ip -n natportfwd-r -batch - <<'EOF'
address add 192.0.2.1/24 dev lan
address add 198.51.100.1/24 dev wan
EOF
ip -n natportfwd-outside -batch - <<'EOF'
address add 198.51.100.30/24 dev eth0
EOF
ip -n natportfwd-lan -batch - <<'EOF'
link set dev sw up
EOF
ip -n natportfwd-client -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n natportfwd-lan -batch - <<'EOF'
link set dev p0 up
EOF
ip -n natportfwd-server -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n natportfwd-lan -batch - <<'EOF'
link set dev p1 up
EOF
ip -n natportfwd-r -batch - <<'EOF'
link set dev lan up
EOF
ip -n natportfwd-lan -batch - <<'EOF'
link set dev p2 up
EOF
ip -n natportfwd-outside -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n natportfwd-r -batch - <<'EOF'
link set dev wan up
EOF
ip -n natportfwd-lan -batch - <<'EOF'
link set dev lo up
EOF
ip -n natportfwd-client -batch - <<'EOF'
link set dev lo up
EOF
ip -n natportfwd-server -batch - <<'EOF'
link set dev lo up
EOF
ip -n natportfwd-r -batch - <<'EOF'
link set dev lo up
EOF
ip -n natportfwd-outside -batch - <<'EOF'
link set dev lo up
EOF
ip -n natportfwd-client -batch - <<'EOF'
route add default via 192.0.2.1 proto static
EOF
ip -n natportfwd-server -batch - <<'EOF'
route add default via 192.0.2.1 proto static
EOF
printf '%s\n' 'table ip nat {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    ip daddr 198.51.100.1 tcp dport 80 dnat to 192.0.2.20:8080
    ip daddr 198.51.100.1 udp dport 53 dnat to 192.0.2.20:5353
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "wan" masquerade
    oifname "lan" ip saddr 192.0.2.0/24 ip daddr 192.0.2.20 tcp dport 8080 snat to 192.0.2.1
  }
}
table ip filter {
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    iifname "lan" accept
    iifname "wan" ip daddr 192.0.2.20 tcp dport 8080 accept
    iifname "wan" ip daddr 192.0.2.20 udp dport 5353 accept
  }
}
' | ip netns exec natportfwd-r nft -f -
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
vnetlab_wait natportfwd-lan natportfwd-client natportfwd-server natportfwd-r natportfwd-outside
