#!/bin/sh
# lab nftweb, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down nftweb`)
set -e
ip netns add nftweb-lan
ip netns exec nftweb-lan sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftweb-lan sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftweb-lan link set lo alias vnetlab:nftweb:lan
ip netns add nftweb-dmz
ip netns exec nftweb-dmz sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftweb-dmz sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftweb-dmz link set lo alias vnetlab:nftweb:dmz
ip netns add nftweb-client
ip netns exec nftweb-client sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftweb-client sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftweb-client link set lo alias vnetlab:nftweb:client
ip netns add nftweb-router
ip netns exec nftweb-router sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftweb-router sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftweb-router link set lo alias vnetlab:nftweb:router
ip netns add nftweb-web
ip netns exec nftweb-web sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftweb-web sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftweb-web link set lo alias vnetlab:nftweb:web
ip -n nftweb-lan -batch - <<'EOF'
link add name sw address ba:ed:b8:71:09:da type bridge stp_state 0
EOF
ip -n nftweb-dmz -batch - <<'EOF'
link add name sw address 02:b7:1d:ea:f1:b6 type bridge stp_state 0
EOF
ip -n nftweb-client -batch - <<'EOF'
link add name eth0 address 3e:04:7f:33:59:f9 type veth peer name p0 address 42:76:8a:15:22:0f netns nftweb-lan
EOF
ip -n nftweb-router -batch - <<'EOF'
link add name lan address f2:49:75:c0:50:33 type veth peer name p1 address 06:3b:ce:4f:55:80 netns nftweb-lan
link add name dmz address b6:bd:72:18:68:45 type veth peer name p0 address da:77:f9:90:57:7b netns nftweb-dmz
EOF
ip -n nftweb-web -batch - <<'EOF'
link add name eth0 address b6:9d:30:a3:e7:fa type veth peer name p1 address 76:4d:7a:94:a9:3d netns nftweb-dmz
EOF
ip -n nftweb-lan -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
EOF
ip -n nftweb-dmz -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
EOF
ip -n nftweb-client -batch - <<'EOF'
address add 192.0.2.10/24 dev eth0
EOF
ip netns exec nftweb-router sysctl -qw net.ipv4.ip_forward=1
ip -n nftweb-router -batch - <<'EOF'
address add 192.0.2.1/24 dev lan
address add 198.51.100.1/24 dev dmz
EOF
ip -n nftweb-web -batch - <<'EOF'
address add 198.51.100.80/24 dev eth0
EOF
ip -n nftweb-lan -batch - <<'EOF'
link set dev sw up
EOF
ip -n nftweb-dmz -batch - <<'EOF'
link set dev sw up
EOF
ip -n nftweb-client -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftweb-lan -batch - <<'EOF'
link set dev p0 up
EOF
ip -n nftweb-router -batch - <<'EOF'
link set dev lan up
EOF
ip -n nftweb-lan -batch - <<'EOF'
link set dev p1 up
EOF
ip -n nftweb-router -batch - <<'EOF'
link set dev dmz up
EOF
ip -n nftweb-dmz -batch - <<'EOF'
link set dev p0 up
EOF
ip -n nftweb-web -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftweb-dmz -batch - <<'EOF'
link set dev p1 up
EOF
ip -n nftweb-lan -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftweb-dmz -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftweb-client -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftweb-router -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftweb-web -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftweb-client -batch - <<'EOF'
route add default via 192.0.2.1 proto static
EOF
ip -n nftweb-web -batch - <<'EOF'
route add default via 198.51.100.1 proto static
EOF
printf '%s\n' 'table inet filter {
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    iifname "lan" tcp dport 80 accept
    iifname "lan" icmp type echo-request accept
  }
}
' | ip netns exec nftweb-router nft -f -
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
vnetlab_wait nftweb-lan nftweb-dmz nftweb-client nftweb-router nftweb-web
